// Job policies on TestClock: retries with backoff, dead letters, run and
// queue-wait timeouts. Every delay below is exact: time moves only when the
// test adjusts the clock.
import { it } from "@effect/vitest"
import { Clock, Deferred, Effect, Exit, Fiber, Option, Schedule, Stream } from "effect"
import { TestClock } from "effect/testing"
import { execFileSync } from "node:child_process"
import { describe, expect, it as plain } from "vitest"
import { Job, JobTimedOut, Pool } from "../src/index.ts"
import { eventually, makeGates, settle, tagOf } from "./helpers.ts"

class Flaky {
  readonly _tag = "Flaky"
}
class Fatal {
  readonly _tag = "Fatal"
}

/** A handler whose job `n` fails its first `failures(n)` attempts, recording when each attempt started. */
const makeFlaky = (failures: (n: number) => number, error: () => Flaky | Fatal = () => new Flaky()) => {
  const starts = new Map<number, Array<number>>()
  return {
    starts,
    handler: (n: number) =>
      Effect.gen(function*() {
        const at = yield* Clock.currentTimeMillis
        const mine = starts.get(n) ?? []
        starts.set(n, [...mine, at])
        if (mine.length < failures(n)) return yield* Effect.fail(error())
        return n
      })
  }
}

describe("retries", () => {
  it.effect("exponential backoff: attempts at 0, 100, 300, 700 ms; then the job ends as a dead letter with its last error", () =>
    Effect.gen(function*() {
      const flaky = makeFlaky(() => Infinity)
      const pool = yield* Pool.make({
        handler: flaky.handler,
        retry: { schedule: Schedule.exponential("100 millis"), times: 3 }
      })
      const handle = yield* Pool.fork(pool, 7)
      yield* settle()
      for (const step of [99, 1, 199, 1, 399, 1]) {
        yield* TestClock.adjust(step)
        yield* settle()
      }
      expect(flaky.starts.get(7)).toEqual([0, 100, 300, 700])
      const exit = yield* Job.join(handle).pipe(Effect.exit)
      expect(Exit.isFailure(exit) && tagOf(exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error : undefined)).toBe("Flaky")
      expect(Job.id(handle)).toBe(1) // the same job throughout
      expect(Job.attempts(handle)).toBe(4)
      const stats = yield* Pool.stats(pool)
      expect([stats.retried, stats.deadLettered, stats.failed, stats.submitted]).toEqual([3, 1, 0, 1])
      const [letter, ...rest] = yield* Pool.takeDeadLetters(pool)
      expect(rest).toEqual([])
      expect(letter).toMatchObject({ jobId: 1, input: 7, reason: "retriesExhausted", attempts: 4, submittedAt: 0, deadLetteredAt: 700 })
      expect(tagOf(letter!.error)).toBe("Flaky")
    }))

  it.effect("a job that succeeds on its third attempt completes, keeping its id; retried events say which attempt comes", () =>
    Effect.gen(function*() {
      const flaky = makeFlaky(() => 2)
      const pool = yield* Pool.make({ handler: flaky.handler, retry: { schedule: Schedule.spaced("1 second") } })
      const events: Array<number> = []
      yield* Pool.events(pool).pipe(
        Stream.runForEach((e) => Effect.sync(() => e.type === "@troupe.job.retried" && events.push(e.attempt))),
        Effect.forkChild
      )
      yield* settle()
      const fiber = yield* Pool.submit(pool, 5).pipe(Effect.forkChild)
      yield* settle()
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(fiber)).toBe(5)
      expect(flaky.starts.get(5)).toEqual([0, 1_000, 2_000])
      expect(events).toEqual([2, 3])
      const stats = yield* Pool.stats(pool)
      expect([stats.completed, stats.retried, stats.deadLettered]).toEqual([1, 2, 0])
    }))

  it.effect("an error `while` refuses is never retried: the job fails at once and is not a dead letter", () =>
    Effect.gen(function*() {
      const flaky = makeFlaky(() => Infinity, () => new Fatal())
      const pool = yield* Pool.make({
        handler: flaky.handler,
        retry: { times: 5, while: (error) => !(error instanceof Fatal) }
      })
      const error = yield* Pool.submit(pool, 1).pipe(Effect.flip)
      expect(tagOf(error)).toBe("Fatal")
      expect(flaky.starts.get(1)).toEqual([0])
      const stats = yield* Pool.stats(pool)
      expect([stats.failed, stats.retried, stats.deadLettered]).toEqual([1, 0, 0])
      expect(yield* Pool.takeDeadLetters(pool)).toEqual([])
    }))

  it.effect("a job's own policy replaces the pool's; `times` alone retries at once", () =>
    Effect.gen(function*() {
      const flaky = makeFlaky(() => 3)
      const pool = yield* Pool.make({ handler: flaky.handler, retry: { times: 1 } })
      expect(tagOf(yield* Pool.submit(pool, 1).pipe(Effect.flip))).toBe("Flaky") // 2 attempts are not enough
      expect(yield* Pool.submit(pool, 2, { retry: { times: 3 } })).toBe(2)
      expect(flaky.starts.get(2)).toEqual([0, 0, 0, 0])
    }))

  it.effect("a job timed out while running is retried like a failure", () =>
    Effect.gen(function*() {
      let attempts = 0
      const pool = yield* Pool.make({
        handler: (n: number) => Effect.suspend(() => (++attempts === 1 ? Effect.never : Effect.succeed(n))),
        timeout: "1 second",
        retry: { times: 2, while: (error) => error instanceof JobTimedOut }
      })
      const fiber = yield* Pool.submit(pool, 3).pipe(Effect.forkChild)
      yield* settle()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe(3)
      expect(attempts).toBe(2)
    }))

  it.effect("a bad retry option fails the submit with InvalidOptions naming it, and a bad pool option fails make", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const error = yield* Pool.submit(pool, 1, { retry: { times: -1 } }).pipe(Effect.flip)
      expect(error._tag === "InvalidOptions" && error.field).toBe("retry.times") // the same path as the pool's own retry option
      const made = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), retry: {} }).pipe(Effect.flip)
      expect(made._tag === "InvalidOptions" && made.field).toBe("retry")
      expect((yield* Pool.stats(pool)).submitted).toBe(0)
    }))

  it.effect("cancelling a job that waits to retry ends it cancelled; it is not retried", () =>
    Effect.gen(function*() {
      const flaky = makeFlaky(() => Infinity)
      const pool = yield* Pool.make({ handler: flaky.handler, retry: { schedule: Schedule.spaced("1 minute") } })
      const handle = yield* Pool.fork(pool, 1)
      yield* settle()
      expect((yield* Pool.stats(pool)).queued).toBe(1) // waiting out its delay
      yield* Job.cancel(handle)
      yield* TestClock.adjust("5 minutes")
      expect(tagOf(yield* Job.join(handle).pipe(Effect.flip))).toBe("JobCancelled")
      expect(flaky.starts.get(1)).toEqual([0])
      const stats = yield* Pool.stats(pool)
      expect([stats.cancelled, stats.queued, stats.retried]).toEqual([1, 0, 0])
    }))

  it.effect("at shutdown, a job waiting to retry is not retried: it ends as a dead letter with its last error", () =>
    Effect.gen(function*() {
      const flaky = makeFlaky(() => Infinity)
      const pool = yield* Pool.make({ handler: flaky.handler, retry: { schedule: Schedule.spaced("1 minute") } })
      const handle = yield* Pool.fork(pool, 1)
      yield* settle()
      yield* Pool.shutdown(pool)
      expect(tagOf(yield* Job.join(handle).pipe(Effect.flip))).toBe("Flaky")
      const [letter] = yield* Pool.takeDeadLetters(pool)
      expect(letter).toMatchObject({ jobId: 1, reason: "shutdown", attempts: 1 })
    }))
})

describe("dead letters", () => {
  it.effect("shutdown.queued: deadLetter ends queued jobs unrun with JobDeadLettered, each in the dead letters", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, shutdown: { queued: "deadLetter" } })
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 1)
      const shutdown = yield* Pool.shutdown(pool).pipe(Effect.forkChild)
      yield* settle()
      yield* gates.release(1)
      const report = yield* Fiber.join(shutdown)
      expect(report.handedBack).toEqual([])
      expect(yield* Job.join(handles[0]!)).toBe(1)
      for (const handle of handles.slice(1)) expect(tagOf(yield* Job.join(handle).pipe(Effect.flip))).toBe("JobDeadLettered")
      const letters = yield* Pool.takeDeadLetters(pool)
      expect(letters.map((l) => [l.input, l.reason, l.attempts])).toEqual([[2, "shutdown", 0], [3, "shutdown", 0]])
      expect(gates.started).toEqual([1])
      expect((yield* Pool.stats(pool)).deadLettered).toBe(2)
    }))

  it.effect("a full dead-letter queue drops its oldest letter and counts it; the Stream reads them in order", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => Effect.fail(`bad ${n}`),
        retry: { times: 0 },
        deadLetters: { capacity: 2 }
      })
      for (const n of [1, 2, 3]) yield* Pool.submit(pool, n).pipe(Effect.flip)
      const stats = yield* Pool.stats(pool)
      expect([stats.deadLettered, stats.deadLettersDropped]).toEqual([3, 1])
      const letters = yield* Pool.deadLetters(pool).pipe(Stream.take(2), Stream.runCollect)
      expect(letters.map((l) => l.error)).toEqual(["bad 2", "bad 3"])
    }))
})

describe("timeouts", () => {
  it.effect("a job waiting past its queue timeout ends with JobQueueTimedOut and never runs", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", queueTimeout: "1 second" })
      const first = yield* Pool.fork(pool, 1)
      const waiting = yield* Pool.fork(pool, 2)
      const own = yield* Pool.fork(pool, 3, { queueTimeout: "5 seconds" })
      yield* eventually(() => gates.started.length === 1)
      yield* TestClock.adjust(999)
      expect(yield* Job.poll(waiting)).toEqual(Option.none())
      yield* TestClock.adjust(1)
      const error = yield* Job.join(waiting).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "JobQueueTimedOut", jobId: 2, timeoutMillis: 1_000 })
      yield* gates.release(1)
      yield* eventually(() => gates.started.includes(3)) // its own limit had not passed
      yield* gates.release(3)
      expect(yield* Job.join(own)).toBe(3)
      expect(yield* Job.join(first)).toBe(1)
      expect(gates.started).toEqual([1, 3])
      const stats = yield* Pool.stats(pool)
      expect([stats.queueTimedOut, stats.completed]).toEqual([1, 2])
    }))

  it.effect("queue timeouts out of submission order: each job expires at its own deadline", () =>
    Effect.gen(function*() {
      const hold = Deferred.makeUnsafe<void>()
      const pool = yield* Pool.make({ handler: (n: number) => n === 0 ? Deferred.await(hold) : Effect.void, maxWorkers: 1, scaling: "fixed" })
      yield* Pool.fork(pool, 0) // holds the only worker
      const limits = [5_000, 3_000, 1_000, 4_000, 2_000] // deadlines mostly earlier than the one before
      const handles = yield* Effect.forEach(limits, (ms, i) => Pool.fork(pool, i + 1, { queueTimeout: ms }))
      const ended: Array<number> = [] // job numbers, in the order they ended
      const seen: Array<Array<number>> = []
      for (let second = 1; second <= 5; second++) {
        yield* TestClock.adjust("1 second")
        for (const [i, handle] of handles.entries()) {
          if (!ended.includes(i + 1) && Option.isSome(yield* Job.poll(handle))) ended.push(i + 1)
        }
        seen.push([...ended])
      }
      yield* Deferred.succeed(hold, undefined)
      // second by second: job 3 (1 s), then 5 (2 s), 2 (3 s), 4 (4 s), 1 (5 s)
      expect(seen).toEqual([[3], [3, 5], [3, 5, 2], [3, 5, 2, 4], [3, 5, 2, 4, 1]])
      for (const handle of handles) expect(yield* Job.join(handle).pipe(Effect.flip)).toMatchObject({ _tag: "JobQueueTimedOut" })
    }))

  it.effect("the run timeout starts when the job starts, not while it waits in the queue", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (ms: number) => Effect.sleep(ms).pipe(Effect.as(ms)),
        maxWorkers: 1,
        scaling: "fixed",
        timeout: "1 second"
      })
      const first = yield* Pool.fork(pool, 900)
      const second = yield* Pool.fork(pool, 900) // waits 900 ms, then runs 900 ms: within its own second
      yield* settle()
      yield* TestClock.adjust("2 seconds")
      expect([yield* Job.join(first), yield* Job.join(second)]).toEqual([900, 900])
    }))

  it.effect("a running fiber job past its timeout is interrupted, its finalizers run, and the worker takes the next job", () =>
    Effect.gen(function*() {
      const finalized: Array<number> = []
      const pool = yield* Pool.make({
        handler: (n: number) =>
          (n === 1 ? Effect.never : Effect.succeed(n)).pipe(Effect.ensuring(Effect.sync(() => finalized.push(n)))),
        maxWorkers: 1,
        scaling: "fixed",
        timeout: "1 second"
      })
      const stuck = yield* Pool.fork(pool, 1)
      const next = yield* Pool.fork(pool, 2)
      yield* settle()
      yield* TestClock.adjust("1 second")
      expect(yield* Job.join(stuck).pipe(Effect.flip)).toMatchObject({ _tag: "JobTimedOut", jobId: 1 })
      expect(yield* Job.join(next)).toBe(2)
      expect(finalized).toEqual([1, 2])
      expect((yield* Pool.stats(pool)).workers.crashed).toBe(0)
    }))
})

describe("back pressure", () => {
  it.effect("awaitIdle waits for every job, queued, running or waiting to retry; awaitQueuedBelow for the queue to shrink", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (ms: number) => Effect.sleep(ms).pipe(Effect.andThen(ms === 150 ? Effect.fail("once") : Effect.void)),
        maxWorkers: 1,
        scaling: "fixed",
        retry: { times: 1, schedule: Schedule.spaced("1 second") }
      })
      expect(yield* Pool.awaitIdle(pool).pipe(Effect.timeoutOption(0))).toEqual(Option.some(undefined)) // idle now
      for (const ms of [100, 100, 150, 100]) yield* Pool.fork(pool, ms)
      const below2 = yield* Pool.awaitQueuedBelow(pool, 2).pipe(Effect.forkChild)
      const idle = yield* Pool.awaitIdle(pool).pipe(Effect.forkChild)
      yield* settle()
      expect((yield* Pool.stats(pool)).queued).toBe(3)
      yield* TestClock.adjust(100) // the second starts: 2 queued
      expect(below2.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(100) // the third starts: 1 queued
      yield* Fiber.join(below2)
      yield* TestClock.adjust(250) // the third failed at 350 and waits to retry; the fourth ran until 450
      expect(idle.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("2 seconds") // the retry runs at 1,350 for 150 ms and fails for good
      yield* Fiber.join(idle)
      expect((yield* Pool.stats(pool)).deadLettered).toBe(1)
    }))

  it.effect("saturated when the queue reaches capacity, drained when the pool has nothing left to do", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", capacity: 2, onFull: "fail" })
      const seen: Array<string> = []
      yield* Pool.events(pool).pipe(
        Stream.runForEach((e) =>
          Effect.sync(() => (e.type === "@troupe.pool.saturated" || e.type === "@troupe.pool.drained") && seen.push(`${e.type.slice(13)}:${e.queued}`))
        ),
        Effect.forkChild
      )
      yield* settle()
      const handles = [yield* Pool.fork(pool, 1)]
      yield* eventually(() => gates.started.length === 1)
      handles.push(yield* Pool.fork(pool, 2), yield* Pool.fork(pool, 3))
      expect(tagOf(yield* Pool.fork(pool, 4).pipe(Effect.flip))).toBe("MailboxFull")
      expect(tagOf(yield* Pool.fork(pool, 5).pipe(Effect.flip))).toBe("MailboxFull") // one event per saturation
      for (const n of [1, 2, 3]) yield* gates.release(n)
      yield* Effect.forEach(handles, Job.join)
      yield* eventually(() => seen.length === 2)
      expect(seen).toEqual(["saturated:2", "drained:0"])
    }))
})

describe("rate limit", () => {
  /** A handler that records when each job started. */
  const timed = () => {
    const starts: Array<number> = []
    return { starts, handler: (n: number) => Clock.currentTimeMillis.pipe(Effect.map((at) => void starts.push(at)), Effect.as(n)) }
  }

  it.effect("at most `limit` starts per window, however many lanes are free", () =>
    Effect.gen(function*() {
      const jobs = timed()
      const pool = yield* Pool.make({
        handler: jobs.handler,
        maxWorkers: 4,
        scaling: "fixed",
        rateLimit: { limit: 2, window: "1 second" }
      })
      const handles = yield* Effect.forEach([1, 2, 3, 4, 5, 6], (n) => Pool.fork(pool, n))
      yield* settle()
      expect(jobs.starts).toEqual([0, 0])
      yield* TestClock.adjust("1 second")
      expect(jobs.starts).toEqual([0, 0, 1_000, 1_000])
      yield* TestClock.adjust("1 second")
      expect(jobs.starts).toEqual([0, 0, 1_000, 1_000, 2_000, 2_000])
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3, 4, 5, 6])
    }))

  it.effect("setRateLimit changes or lifts the limit of a running pool; a bad one fails with InvalidOptions", () =>
    Effect.gen(function*() {
      const jobs = timed()
      const pool = yield* Pool.make({ handler: jobs.handler, maxWorkers: 2, scaling: "fixed" })
      yield* Pool.setRateLimit(pool, { limit: 1, window: "1 minute" })
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* settle()
      expect(jobs.starts).toEqual([0]) // both lanes wait for a permit, a minute away
      yield* Pool.setRateLimit(pool, { limit: 2, window: "1 minute" })
      yield* settle()
      expect(jobs.starts).toEqual([0, 0, 0]) // they asked again, under a limit that counts afresh
      yield* Pool.setRateLimit(pool, undefined)
      const more = yield* Pool.fork(pool, 4)
      yield* settle()
      expect(jobs.starts).toEqual([0, 0, 0, 0]) // no limit: the waiting lanes start at once
      expect(yield* Effect.forEach([...handles, more], Job.join)).toEqual([1, 2, 3, 4])
      const error = yield* Pool.setRateLimit(pool, { limit: 0, window: "1 second" }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "InvalidOptions", field: "rateLimit.limit", value: 0 })
    }))

  /** One worker, one start an hour: job 1 ran, job 2 waits for the next permit. */
  const waitingForPermit = Effect.gen(function*() {
    const jobs = timed()
    const pool = yield* Pool.make({ handler: jobs.handler, maxWorkers: 1, scaling: "fixed", rateLimit: { limit: 1, window: "1 hour" } })
    yield* Pool.submit(pool, 1)
    const waiting = yield* Pool.fork(pool, 2)
    yield* settle()
    return { jobs, pool, waiting }
  })

  it.effect("a job waiting for a start permit is still queued: it can be cancelled and never runs", () =>
    Effect.gen(function*() {
      const { jobs, waiting } = yield* waitingForPermit
      yield* Job.cancel(waiting)
      yield* TestClock.adjust("2 hours")
      expect(tagOf(yield* Job.join(waiting).pipe(Effect.flip))).toBe("JobCancelled")
      expect(jobs.starts).toEqual([0])
    }))

  it.effect("a shutdown ends at once though a lane waits for a start permit an hour away: the job it waited for is handed back", () =>
    Effect.gen(function*() {
      const { jobs, pool, waiting } = yield* waitingForPermit
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "30 seconds", queued: "handBack" }))
      yield* settle()
      const atOnce = shutdown.pollUnsafe()
      yield* TestClock.adjust("1 hour") // only so that a failing run ends (its shutdown waits for the deadline)
      expect(atOnce).toEqual(Exit.succeed({ pool: expect.any(String), handedBack: [{ id: 2, input: 2 }], interrupted: [], deadlineReached: false }))
      expect(tagOf(yield* Job.join(waiting).pipe(Effect.flip))).toBe("JobHandedBack")
      expect(jobs.starts).toEqual([0])
    }))
})

describe("setMaxWorkers", () => {
  it.effect("lowered, the team shrinks (busy workers finish their jobs first); raised, it grows again; below 1 fails", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 1, maxWorkers: 4, scaling: "fixed" })
      const handles = yield* Effect.forEach([1, 2, 3, 4, 5, 6], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 4)
      yield* Pool.setMaxWorkers(pool, 2)
      const team = () => {
        const w = Pool.statsUnsafe(pool).workers
        return w.idle + w.busy + w.spawning
      }
      expect(team()).toBe(2) // two were told to drain: they finish their running jobs and stop
      for (const n of [1, 2, 3, 4]) yield* gates.release(n)
      yield* eventually(() => gates.started.length === 6, "the queued jobs to run on the two left")
      expect(gates.maxRunning).toBe(4)
      yield* Pool.setMaxWorkers(pool, 3)
      yield* eventually(() => team() === 3, "growth into the raised ceiling")
      for (const n of [5, 6]) yield* gates.release(n)
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3, 4, 5, 6])
      expect(yield* Pool.setMaxWorkers(pool, 0).pipe(Effect.flip)).toMatchObject({ _tag: "InvalidOptions", field: "maxWorkers" })
    }))
})

describe("shutdown leaves no timer behind", () => {
  plain("a process whose pool used timeouts, retries and a rate limit exits once the pool is closed", () => {
    const script = new URL("./fixtures/policiesExit.ts", import.meta.url).pathname
    const out = execFileSync(process.execPath, [script], { encoding: "utf8", timeout: 20_000 })
    expect(out.trim()).toBe("closed")
  }, 30_000)
})
