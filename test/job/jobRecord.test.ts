// The job record alone: the one place where "each job ends exactly once"
// lives, and where its waiters are kept until it does.
import { it as effectIt } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { Job, Pool } from "../../src/index.ts"
import { type JobExtras, JobRecord } from "../../src/job/internal/jobRecord.ts"

const tasks: Array<() => void> = []
const owner = { cancel: () => {}, dispatcher: { scheduleTask: (task: () => void) => void tasks.push(task), flush: () => {} } }
const record = (extras?: JobExtras) => new JobRecord<number, number, never>(1, 41, 0, extras, owner as never)
const extras = (): JobExtras => ({
  payload: 41,
  timeoutMs: 1_000,
  queueTimeoutMs: Infinity,
  submittedAt: undefined,
  key: undefined,
  retry: undefined,
  starts: 0,
  retryState: undefined
})

describe("JobRecord: waiters", () => {
  test.prop([fc.integer({ min: 1, max: 6 }), fc.array(fc.nat({ max: 5 }), { maxLength: 8 })])(
    "each waiter still waiting hears the outcome once; one that stopped waiting never does, and stopping twice stops no one else",
    (waiters, stops) => {
      const job = record()
      const heard = new Array<number>(waiters).fill(0)
      const unsubscribe = heard.map((_, i) => job.observe(() => heard[i]!++))
      const stopped = new Set(stops.filter((i) => i < waiters))
      for (const i of stops) if (i < waiters) unsubscribe[i]!() // some twice
      expect(job.settle(Exit.succeed(42))).toBe(true)
      expect(job.settle(Exit.succeed(43))).toBe(false)
      heard.forEach((n, i) => expect(n).toBe(stopped.has(i) ? 0 : 1))
      let late = 0
      job.observe((exit) => (late = Exit.isSuccess(exit) ? exit.value : -1)) // after the end: at once
      expect(late).toBe(42)
      unsubscribe.forEach((stop) => stop()) // after the end: harmless
      expect(job.exit).toEqual(Exit.succeed(42))
    }
  )

  it("a waiter that stops waiting before the end is no longer held by the record", () => {
    for (const waiters of [1, 2, 3, 4]) {
      const job = record()
      const stops = Array.from({ length: waiters }, () => job.observe(() => {}))
      stops.forEach((stop) => stop())
      expect((job as unknown as { observers: unknown }).observers ?? []).toEqual([])
    }
  })

  it("resumeWith wakes the waiter from a scheduler task, not on the settling stack; stopped, it is never woken", () => {
    tasks.length = 0
    const job = record()
    const woken: Array<string> = []
    job.resumeWith(() => woken.push("first"))
    const stop = job.resumeWith(() => woken.push("stopped"))
    job.resumeWith(() => woken.push("third"))
    stop()
    job.settle(Exit.succeed(1))
    expect(woken).toEqual([])
    tasks.splice(0).forEach((task) => task())
    expect(woken).toEqual(["first", "third"])
  })
})

describe("JobRecord: attempts and state", () => {
  it.each([["a plain job", undefined], ["a job with extras", extras()]] as const)("%s: 0 attempts queued, 1 once started and after it ends", (_name, x) => {
    const job = record(x === undefined ? undefined : { ...x })
    expect([job.state, job.attempts]).toEqual(["queued", 0])
    job.start()
    expect([job.state, job.attempts]).toEqual(["running", 1])
    job.settle(Exit.succeed(1))
    expect([job.state, job.attempts, job.site]).toEqual(["settled", 1, undefined])
  })

  it("a job taken back before it ran does not count the start; one started again counts each start", () => {
    const job = record(extras())
    job.start()
    job.unstart()
    expect([job.state, job.attempts, job.site]).toEqual(["queued", 0, undefined])
    job.start()
    job.requeue(undefined)
    job.start()
    expect(job.attempts).toBe(2)
  })

  it("a plain job's timeout is none and its payload its input; extras carry both", () => {
    expect([record().timeoutMs, record().payload, record().key, record().submittedAt]).toEqual([Infinity, 41, undefined, undefined])
    const job = record({ ...extras(), payload: "encoded", key: "k", submittedAt: 5 })
    expect([job.timeoutMs, job.payload, job.key, job.submittedAt]).toEqual([1_000, "encoded", "k", 5])
  })
})

describe("Job.attempts through the pool", () => {
  effectIt.effect("a job that was never retried ran once: 0 attempts while queued, 1 after, with or without a timeout", () =>
    Effect.gen(function*() {
      for (const timeout of [undefined, "1 second"] as const) {
        const pool = yield* Pool.make({ handler: (n: number) => Effect.sleep(10).pipe(Effect.as(n)), maxWorkers: 1, scaling: "fixed" })
        const running = yield* Pool.fork(pool, 1, timeout === undefined ? undefined : { timeout })
        const queued = yield* Pool.fork(pool, 2, timeout === undefined ? undefined : { timeout })
        yield* TestClock.adjust(1)
        const whileQueued = [Job.attempts(running), Job.attempts(queued)]
        yield* TestClock.adjust(29)
        expect(yield* Job.join(queued)).toBe(2)
        // asserted once both have ended, so that a failure does not leave the pool waiting on the test clock
        expect(whileQueued).toEqual([1, 0])
        expect([Job.attempts(running), Job.attempts(queued)]).toEqual([1, 1])
      }
    }).pipe(Effect.scoped))

  effectIt.effect("three waiters on one job each get its result; one interrupted leaves the others their result", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.sleep(10).pipe(Effect.as(n * 2)) })
      const job = yield* Pool.fork(pool, 21)
      const waiters = yield* Effect.forEach([1, 2, 3, 4], () => Effect.forkChild(Job.join(job)))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(waiters[1]!)
      yield* TestClock.adjust(10)
      const results = yield* Effect.forEach([0, 2, 3], (i) => Fiber.join(waiters[i]!))
      expect(results).toEqual([42, 42, 42])
    }).pipe(Effect.scoped))
})
