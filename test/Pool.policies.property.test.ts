// Every job ends exactly once, through any mix of retries, run timeouts,
// queue timeouts, cancels and shutdown (TestClock): each job's attempts follow
// a script (succeed, fail retryably, fail fatally, hang past its timeout), and
// its one outcome must be what its script and the policy allow.
import { Effect, Exit, ManagedRuntime, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { fc, test } from "@fast-check/vitest"
import { expect } from "vitest"
import { Job, Pool } from "../src/index.ts"
import { tagOf } from "./helpers.ts"

type Attempt = "ok" | "flaky" | "fatal" | "hang"
const TIMEOUT_MS = 100

interface Scenario {
  readonly workers: number
  readonly times: number
  readonly spacing: number
  readonly queueTimeout: number | undefined
  readonly queued: "drain" | "handBack" | "deadLetter"
  /** Per job: its attempts' script, when it is submitted, and whether (and when) it is cancelled. */
  readonly jobs: ReadonlyArray<{ readonly script: ReadonlyArray<Attempt>; readonly at: number; readonly cancelAt: number | undefined }>
  readonly shutdownAt: number
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  workers: fc.integer({ min: 1, max: 3 }),
  times: fc.integer({ min: 0, max: 3 }),
  spacing: fc.integer({ min: 0, max: 50 }),
  queueTimeout: fc.option(fc.integer({ min: 50, max: 400 }), { nil: undefined }),
  queued: fc.constantFrom("drain" as const, "handBack" as const, "deadLetter" as const),
  jobs: fc.array(
    fc.record({
      script: fc.array(fc.constantFrom<Attempt>("ok", "flaky", "fatal", "hang"), { minLength: 4, maxLength: 4 }),
      at: fc.integer({ min: 0, max: 300 }),
      cancelAt: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined, freq: 4 })
    }),
    { minLength: 1, maxLength: 25 }
  ),
  shutdownAt: fc.integer({ min: 0, max: 1_500 })
})

test.prop([scenarioArb], { numRuns: 80 })(
  "retries, timeouts, cancels and shutdown: each job ends once, as its script and the policy allow; a fatal error is never retried",
  async (s) => {
    const runtime = ManagedRuntime.make(TestClock.layer())
    const runs = s.jobs.map(() => [] as Array<Attempt>)
    const handler = (i: number) =>
      Effect.suspend(() => {
        const attempt = s.jobs[i]!.script[runs[i]!.length] ?? "ok"
        runs[i]!.push(attempt)
        if (attempt === "ok") return Effect.succeed(i)
        if (attempt === "hang") return Effect.never
        return Effect.fail(attempt)
      })
    try {
      await runtime.runPromise(
        Effect.gen(function*() {
          const pool = yield* Pool.make({
            handler,
            maxWorkers: s.workers,
            scaling: "fixed",
            timeout: TIMEOUT_MS,
            ...(s.queueTimeout === undefined ? {} : { queueTimeout: s.queueTimeout }),
            retry: { schedule: Schedule.spaced(s.spacing), times: s.times, while: (error) => error !== "fatal" },
            shutdown: { queued: s.queued, deadline: 300 },
            capacity: "unbounded",
            deadLetters: { capacity: 100 }
          })
          const handles: Array<Job.JobHandle<number, "flaky" | "fatal">> = []
          // One timeline: submissions, cancels and the shutdown, in time order.
          const events = [
            ...s.jobs.map((job, i) => ({ at: job.at, run: () => Pool.fork(pool, i).pipe(Effect.map((h) => void (handles[i] = h)), Effect.ignore) })),
            ...s.jobs.flatMap((job, i) =>
              job.cancelAt === undefined ? [] : [{ at: job.at + job.cancelAt, run: () => (handles[i] ? Job.cancel(handles[i]!) : Effect.void) }]
            ),
            { at: s.shutdownAt, run: () => Effect.asVoid(Pool.shutdown(pool).pipe(Effect.forkChild)) }
          ].sort((a, b) => a.at - b.at)
          let now = 0
          for (const event of events) {
            if (event.at > now) yield* TestClock.adjust(event.at - now)
            now = Math.max(now, event.at)
            yield* event.run()
          }
          yield* TestClock.adjust(10_000) // past every retry, timeout and the shutdown deadline
          yield* Pool.shutdown(pool)
          const stats = yield* Pool.stats(pool)
          const letters = yield* Pool.takeDeadLetters(pool)
          const lettered = new Map(letters.map((l) => [l.jobId, l]))
          expect(lettered.size).toBe(letters.length) // one letter per job at most
          let accepted = 0
          for (let i = 0; i < s.jobs.length; i++) {
            const handle = handles[i]
            const ran = runs[i]!
            if (handle === undefined) {
              expect(ran, `job ${i} was refused but ran`).toEqual([])
              continue
            }
            accepted++
            expect(ran.length, `job ${i} ran more than times + 1`).toBeLessThanOrEqual(s.times + 1)
            const fatalAt = ran.indexOf("fatal")
            if (fatalAt >= 0) expect(fatalAt, `job ${i} was retried after a fatal error`).toBe(ran.length - 1)
            const exit = yield* Effect.exit(Job.join(handle))
            const last = ran.at(-1)
            if (Exit.isSuccess(exit)) {
              expect(last).toBe("ok")
              expect(lettered.has(Job.id(handle))).toBe(false)
              continue
            }
            const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
            const tag = typeof error === "string" ? error : tagOf(error)
            const letter = lettered.get(Job.id(handle))
            if (letter !== undefined) {
              // a dead letter: retries ran out (or shutdown stopped them), or it never ran
              expect(["flaky", "JobTimedOut", "JobDeadLettered"]).toContain(tag)
              expect(letter.attempts).toBe(ran.length)
              if (tag === "JobDeadLettered") expect(ran).toEqual([])
              else expect(tagOf(letter.error) ?? letter.error).toBe(tag)
              continue
            }
            const allowed = ["fatal", "JobTimedOut", "JobCancelled", "JobQueueTimedOut", "JobHandedBack", "JobInterrupted"]
            expect(allowed, `job ${i}: ${tag}`).toContain(tag)
            if (tag === "fatal") expect(last).toBe("fatal")
            if (tag === "JobQueueTimedOut") expect(ran).toEqual([])
            // handed back unrun, or between retries
            if (tag === "JobHandedBack") for (const attempt of ran) expect(["flaky", "hang"]).toContain(attempt)
          }
          // nothing unaccounted for: one outcome per accepted job
          const outcomes = stats.completed + stats.failed + stats.defects + stats.cancelled + stats.crashed + stats.handedBack +
            stats.interrupted + stats.timedOut + stats.queueTimedOut + stats.deadLettered
          expect([stats.submitted, outcomes, stats.deadLettered]).toEqual([accepted, accepted, letters.length])
        }).pipe(Effect.scoped)
      )
    } finally {
      await runtime.dispose()
    }
  },
  120_000
)
