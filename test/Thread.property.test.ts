// The no-job-loss property, against thread workers: random mixes of jobs that
// succeed, fail, die, exit their thread (a crash), spin past their timeout
// (the thread is terminated), or sleep; random cancels; an early shutdown or
// not; windows of 1 to 4 jobs in flight per thread, or the adaptive window
// (no `concurrency`: jobs taken back from behind a long one); recycling or not. Every
// job must end with exactly one outcome, of a kind its order allows, and no
// thread may outlive the pool. Real threads and real time: few runs.
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { expect } from "vitest"
import { Job, Pool } from "../src/index.ts"
import { type Order, orders } from "./fixtures/threads.ts"
import { liveThreads } from "./poolInternals.ts"

const orderArb: fc.Arbitrary<Order> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1000 }).map((n) => ({ op: "value", n }) as const) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }).map((n) => ({ op: "fail", n }) as const) },
  { weight: 1, arbitrary: fc.constant({ op: "die", message: "planned" } as const) },
  { weight: 1, arbitrary: fc.constant({ op: "exit", code: 9 } as const) },
  { weight: 1, arbitrary: fc.constant({ op: "spin" } as const) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }).map((ms) => ({ op: "sleep", ms }) as const) }
)

const configArb = fc.record({
  workers: fc.integer({ min: 1, max: 2 }),
  concurrency: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  recycleAfterJobs: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }),
  shutdownEarly: fc.boolean()
})

/**
 * The outcomes an order may end with, besides being cancelled, handed back or
 * interrupted by shutdown. A synchronous job's outcome is exact; an async one
 * (sleep) sharing its thread with a job that spins (window > 1) is starved
 * until that thread is terminated, so it may time out too.
 */
const allowed = (order: Order, window: number | undefined): ReadonlyArray<string> => {
  switch (order.op) {
    case "value": return ["Success", "WorkerCrashed"] // crashed: a thread it shared died under it
    case "fail": return ["Refused", "WorkerCrashed"]
    case "die": return ["JobDefect", "WorkerCrashed"]
    case "exit": return ["WorkerCrashed"]
    case "spin": return ["JobTimedOut", "WorkerCrashed"]
    default: return window === 1 ? ["Success", "WorkerCrashed"] : ["Success", "WorkerCrashed", "JobTimedOut"]
  }
}
const anyTime = ["JobCancelled", "JobHandedBack", "JobInterrupted"]

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "Success"
  const reason = exit.cause.reasons[0]
  return reason !== undefined && "error" in reason ? String((reason.error as { _tag?: string })._tag) : "(not a failure)"
}

test.prop([configArb, fc.array(fc.tuple(orderArb, fc.boolean()), { minLength: 1, maxLength: 14 })], { numRuns: 8 })(
  "thread workers: every job ends once, with an outcome its order allows; no thread outlives its pool",
  (config, jobs) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const threadsBefore = liveThreads()
        const scope = yield* Scope.make()
        const pool = yield* Pool.make({
          handler: orders,
          minWorkers: config.workers,
          maxWorkers: config.workers,
          scaling: "fixed",
          ...(config.concurrency !== undefined && { concurrency: config.concurrency }),
          timeout: 300,
          thread: config.recycleAfterJobs === undefined ? {} : { recycleAfterJobs: config.recycleAfterJobs },
          shutdown: { deadline: 500 }
        }).pipe(Scope.provide(scope))
        const handles = yield* Effect.forEach(jobs, ([order]) => Pool.fork(pool, order))
        const waiters = yield* Effect.forEach(handles, (handle) => Effect.forkChild(Effect.exit(Job.join(handle))))
        yield* Effect.sleep(5)
        yield* Effect.forEach(handles, (handle, i) => (jobs[i]![1] ? Job.cancel(handle) : Effect.void), { discard: true })
        if (config.shutdownEarly) yield* Scope.close(scope, Exit.void)
        // A job that never ends is the failure this property looks for: bound the wait in real time.
        const exits = yield* Effect.forEach(waiters, Fiber.join).pipe(
          Effect.timeoutOrElse({ duration: "20 seconds", orElse: () => Effect.die(new Error("a job never ended")) })
        )
        yield* Scope.close(scope, Exit.void)
        exits.forEach((exit, i) => {
          expect([...allowed(jobs[i]![0], config.concurrency), ...anyTime], `job ${i} ${JSON.stringify(jobs[i])}`).toContain(outcomeOf(exit))
          const order = jobs[i]![0]
          if (Exit.isSuccess(exit) && order.op === "value") expect(exit.value).toBe(order.n)
        })
        const s = Pool.statsUnsafe(pool)
        const ended = s.completed + s.failed + s.defects + s.cancelled + s.crashed + s.handedBack + s.interrupted + s.timedOut
        expect(ended).toBe(jobs.length)
        expect(s.submitted).toBe(jobs.length)
        expect(liveThreads()).toBe(threadsBefore) // shutdown waited for every thread to exit
      })
    ),
  60_000
)
