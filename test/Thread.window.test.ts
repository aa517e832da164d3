// A thread worker's adaptive window (no `concurrency` given), with real
// threads and real time: tiny jobs fill it, a long job shrinks it, and the
// jobs caught behind a long one in its thread's window are taken back and run
// elsewhere within the bound. `concurrency` given keeps a fixed window.
import { it } from "@effect/vitest"
import { Effect, Fiber, Option, Stream } from "effect"
import { describe, expect } from "vitest"
import { Job, Pool } from "../src/index.ts"
import { stallCheckMs } from "../src/actors/internal/threadWindow.ts"
import { orders } from "./fixtures/threads.ts"
import { threadWindows } from "./poolInternals.ts"

/** The most jobs the pool's workers held at once, from the job events in order. */
const inFlightWatch = (pool: Pool.Pool<any, any, any>) =>
  Effect.gen(function*() {
    const seen = { now: 0, max: 0, requeued: 0 }
    const fiber = yield* Pool.events(pool, { jobs: true }).pipe(
      Stream.runForEach((e) =>
        Effect.sync(() => {
          if (e.type === "@troupe.job.started") seen.max = Math.max(seen.max, ++seen.now)
          if (e.type === "@troupe.job.finished") {
            seen.now--
            if (e.result === "requeue") seen.requeued++
          }
        })
      ),
      Effect.forkChild({ startImmediately: true })
    )
    return { seen, fiber }
  })

/** Milliseconds since `t0`, when `effect` ends, with its value. */
const timed = <A, E>(effect: Effect.Effect<A, E>, t0: number) => Effect.map(effect, (a) => [a, performance.now() - t0] as const)

/**
 * A long job first, then short ones, on two threads whose windows tiny jobs
 * have opened: the shorts the long job's worker took into its window wait
 * there behind it, unless they are taken back.
 */
const longThenShorts = (concurrency: number | undefined, longMs: number) =>
  Effect.gen(function*() {
    const pool = yield* Pool.make({
      handler: orders,
      minWorkers: 2,
      maxWorkers: 2,
      scaling: "fixed",
      dispatch: "workStealing",
      ...(concurrency !== undefined && { concurrency })
    })
    // Tiny jobs until both windows are open (a thread's first Effect job, which loads Effect, is slow).
    const tiny = Array.from({ length: 500 }, (_, n) => ({ op: "value", n }) as const)
    for (let round = 0; round === 0 || (round < 20 && !threadWindows(pool).every((w) => w === undefined || w >= 8)); round++) {
      yield* Effect.forEach(tiny, (order) => Pool.submit(pool, order), { concurrency: "unbounded" })
    }
    const { seen, fiber } = yield* inFlightWatch(pool)
    const t0 = performance.now()
    const long = yield* Pool.fork(pool, { op: "work", ms: longMs })
    const shorts = yield* Effect.forEach(Array.from({ length: 40 }, () => ({ op: "threadId" }) as const), (order) => Pool.fork(pool, order))
    const ended = yield* Effect.forEach(shorts, (job) => timed(Job.join(job), t0), { concurrency: "unbounded" })
    const [longThread, longEnded] = yield* timed(Job.join(long), t0)
    yield* Pool.shutdown(pool)
    yield* Fiber.join(fiber)
    return { ended, longThread, longEnded, requeued: seen.requeued, stats: Pool.statsUnsafe(pool) }
  }).pipe(Effect.scoped)

describe("thread workers: the adaptive window (no concurrency given)", () => {
  it.live("tiny jobs fill the window: more than one job in flight to a thread, never more than 32", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const { seen, fiber } = yield* inFlightWatch(pool)
      const results = yield* Effect.forEach(Array.from({ length: 1500 }, (_, n) => ({ op: "value", n }) as const), (order) => Pool.submit(pool, order), {
        concurrency: "unbounded"
      })
      expect(results[1499]).toBe(1499)
      yield* Pool.shutdown(pool)
      yield* Fiber.join(fiber)
      expect(seen.max).toBeGreaterThan(1)
      expect(seen.max).toBeLessThanOrEqual(32)
    }).pipe(Effect.scoped))

  it.live("a fresh thread holds one job at a time until its jobs show short; long jobs keep it at one", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const { seen, fiber } = yield* inFlightWatch(pool)
      yield* Effect.forEach(Array.from({ length: 8 }, () => ({ op: "work", ms: 20 }) as const), (order) => Pool.submit(pool, order), {
        concurrency: "unbounded"
      })
      yield* Pool.shutdown(pool)
      yield* Fiber.join(fiber)
      expect(seen.max).toBe(1)
    }).pipe(Effect.scoped))

  it.live("a long job shrinks the window: the short jobs caught behind it in its thread's window are taken back within the bound and run on the other thread", () =>
    Effect.gen(function*() {
      const { ended, longThread, longEnded, requeued, stats } = yield* longThenShorts(undefined, 1500)
      expect(longEnded).toBeGreaterThanOrEqual(1500)
      expect(requeued).toBeGreaterThan(0) // some were in the long job's window, and were taken back
      // Every short ended long before the long job: none waited behind it. The bound is
      // 2 × stallCheckMs; the rest of the margin is this shared machine's.
      expect(Math.max(...ended.map(([, ms]) => ms))).toBeLessThan(1000)
      expect(ended.filter(([thread]) => thread === longThread).length).toBe(0)
      expect(stats.crashed).toBe(0)
      expect(stallCheckMs * 2).toBeLessThanOrEqual(10)
    }))

  it.live("a drain runs the jobs taken back from behind a long job: none is handed back", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const tiny = Array.from({ length: 500 }, (_, n) => ({ op: "value", n }) as const)
      for (let round = 0; round === 0 || (round < 20 && threadWindows(pool)[0]! < 8); round++) {
        yield* Effect.forEach(tiny, (order) => Pool.submit(pool, order), { concurrency: "unbounded" })
      }
      const { seen, fiber } = yield* inFlightWatch(pool)
      const long = yield* Pool.fork(pool, { op: "work", ms: 600 })
      const shorts = yield* Effect.forEach(Array.from({ length: 10 }, (_, n) => ({ op: "value", n }) as const), (order) => Pool.fork(pool, order))
      const report = yield* Pool.shutdown(pool) // drain (the default): every queued job runs
      yield* Fiber.join(fiber)
      expect(seen.requeued).toBeGreaterThan(0) // taken back during the drain
      expect(report.handedBack).toEqual([])
      expect(yield* Effect.forEach(shorts, Job.join)).toEqual(Array.from({ length: 10 }, (_, n) => n))
      expect(typeof (yield* Job.join(long))).toBe("number")
    }).pipe(Effect.scoped))

  it.live("concurrency given keeps a fixed window: the shorts in the long job's window wait for it there", () =>
    Effect.gen(function*() {
      const { ended, longThread, longEnded, requeued } = yield* longThenShorts(32, 800)
      expect(requeued).toBe(0)
      const behind = ended.filter(([thread]) => thread === longThread)
      expect(behind.length).toBeGreaterThan(0)
      for (const [, ms] of behind) expect(ms).toBeGreaterThanOrEqual(longEnded - 50)
    }))

  it.live("a job's result leaves its thread when the job ends, not with the slower jobs sent in the same batch", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, minWorkers: 1, maxWorkers: 1, scaling: "fixed", concurrency: 2 })
      yield* Pool.submit(pool, { op: "value", n: 0 }) // the thread is up
      // Forked in one go: both lanes take a job in the same batch, one message to the thread.
      const [short, long] = yield* Effect.all([Pool.fork(pool, { op: "work", ms: 50 }), Pool.fork(pool, { op: "work", ms: 1_500 })])
      yield* Job.join(short)
      expect(yield* Job.poll(long)).toEqual(Option.none())
      yield* Job.join(long)
    }).pipe(Effect.scoped))
})
