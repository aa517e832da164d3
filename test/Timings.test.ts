// How long jobs wait and run, and how busy the team is, on TestClock: a known
// workload puts every sample where the clock says, as `Timings.get` and as the
// pool's Effect Metrics (histograms and a gauge), and a reset starts them over.
import { it } from "@effect/vitest"
import { Clock, Effect, Metric, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Pool, Timings } from "../src/index.ts"
import { settle } from "./helpers.ts"

/** Two workers, one lane each, first in first out: jobs that sleep their input in ms. */
const makePool = Pool.make({ handler: (ms: number) => Effect.sleep(ms), minWorkers: 2, maxWorkers: 2, scaling: "fixed", name: "timed" })

/**
 * 10, 30, 30 and 100 ms on two workers: 10 and 30 start at 0; the second 30
 * takes the first worker at 10, 100 takes the second at 30. Waits 0, 0, 10,
 * 30; runs 10, 30, 30, 100; the last ends at 130.
 */
const workload = (pool: Pool.Pool<number, void, never>) =>
  Effect.gen(function*() {
    yield* Timings.reset(pool) // timing starts: the window with it
    const jobs = yield* Effect.forEach([10, 30, 30, 100], (ms) => Pool.fork(pool, ms))
    yield* settle()
    yield* TestClock.adjust("130 millis")
    yield* Effect.forEach(jobs, Job.join)
  })

const series = (id: string, pool = "timed") =>
  Effect.map(Metric.snapshot, (all) => all.find((m) => m.id === id && m.attributes?.pool === pool)!.state)

describe("Timings", () => {
  it.effect("waits and runs land where the clock put them: exact counts, sums, extremes and buckets", () =>
    Effect.gen(function*() {
      const pool = yield* makePool
      yield* workload(pool)
      const t = yield* Timings.get(pool)
      expect(t.wait).toEqual({ count: 4, meanMs: 10, minMs: 0, maxMs: 30, p50Ms: 1, p90Ms: 30, p99Ms: 30 })
      expect(t.run).toEqual({ count: 4, meanMs: 42.5, minMs: 10, maxMs: 100, p50Ms: 50, p90Ms: 100, p99Ms: 100 })
      expect(t.windowMs).toBe(130)
      // The same as Effect Metrics: cumulative buckets, count, sum, min, max.
      const wait = (yield* series("troupe_job_wait_ms")) as Metric.HistogramState
      expect(wait).toMatchObject({ count: 4, sum: 40, min: 0, max: 30 })
      expect(Object.fromEntries(wait.buckets)).toMatchObject({ 1: 2, 2: 2, 5: 2, 10: 3, 25: 3, 50: 4, [Infinity]: 4 })
      const run = (yield* series("troupe_job_run_ms")) as Metric.HistogramState
      expect(run).toMatchObject({ count: 4, sum: 170, min: 10, max: 100 })
      expect(Object.fromEntries(run.buckets)).toMatchObject({ 5: 0, 10: 1, 25: 1, 50: 3, 100: 4, [Infinity]: 4 })
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("utilization is busy worker time over available worker time, and falls while the team idles", () =>
    Effect.gen(function*() {
      const pool = yield* makePool
      yield* workload(pool)
      // Busy: 10 + 30 on one worker, 30 + 100 on the other = 170 of 2 × 130.
      expect((yield* Timings.get(pool)).utilization).toBeCloseTo(170 / 260, 10)
      expect(((yield* series("troupe_utilization")) as Metric.GaugeState<number>).value).toBeCloseTo(170 / 260, 10)
      yield* TestClock.adjust("70 millis")
      expect((yield* Timings.get(pool)).utilization).toBeCloseTo(170 / 400, 10)
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("a reset starts a new window: it returns the one that ended, and counts, metrics and utilization start from zero", () =>
    Effect.gen(function*() {
      const pool = yield* makePool
      yield* workload(pool)
      yield* TestClock.adjust("20 millis")
      const ended = yield* Timings.reset(pool, { read: true })
      expect(ended).toMatchObject({ windowMs: 150, wait: { count: 4 }, run: { count: 4 } })
      const fresh = yield* Timings.get(pool)
      expect(fresh).toEqual({
        windowMs: 0,
        wait: { count: 0, meanMs: undefined, minMs: undefined, maxMs: undefined, p50Ms: undefined, p90Ms: undefined, p99Ms: undefined },
        run: { count: 0, meanMs: undefined, minMs: undefined, maxMs: undefined, p50Ms: undefined, p90Ms: undefined, p99Ms: undefined },
        utilization: 0
      })
      expect(yield* series("troupe_job_run_ms")).toMatchObject({ count: 0, sum: 0 })
      // One job of 40 ms after the reset: one worker busy for 40 of 2 × 40.
      const job = yield* Pool.fork(pool, 40)
      yield* settle()
      yield* TestClock.adjust("40 millis")
      yield* Job.join(job)
      const after = yield* Timings.get(pool)
      expect(after).toMatchObject({ windowMs: 40, run: { count: 1, meanMs: 40 }, wait: { count: 1, maxMs: 0 } })
      expect(after.utilization).toBeCloseTo(0.5, 10)
      yield* Timings.reset()(pool) // the data-last form
      expect((yield* Timings.get(pool)).run.count).toBe(0)
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("a pool nobody reads times nothing: jobs before the first read leave the first window empty; one queued across it counts its run, not its wait", () =>
    Effect.gen(function*() {
      const pool = yield* makePool
      const early = yield* Effect.forEach([10, 10], (ms) => Pool.fork(pool, ms))
      yield* settle()
      yield* TestClock.adjust("10 millis")
      yield* Effect.forEach(early, Job.join)
      // Two jobs running and one queued when the first read comes.
      const across = yield* Effect.forEach([20, 20, 5], (ms) => Pool.fork(pool, ms))
      yield* settle()
      expect(yield* Timings.get(pool)).toMatchObject({ windowMs: 0, wait: { count: 0 }, run: { count: 0 }, utilization: 0 })
      yield* TestClock.adjust("25 millis")
      yield* Effect.forEach(across, Job.join)
      const t = yield* Timings.get(pool)
      expect(t.run).toMatchObject({ count: 1, maxMs: 5 }) // the two started before the read are not timed
      expect(t.wait.count).toBe(0) // the third was queued before it: no start of its wait to tell
      // Both workers were busy for the first 20 ms, one for 5 more, of 2 × 25.
      expect(t.utilization).toBeCloseTo(45 / 50, 10)
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("past 20,000 jobs a second, one job in k is timed and counts for k: fewer clock reads, the counts still equal the jobs", () =>
    Effect.gen(function*() {
      // The pool's clock, counting its reads.
      const inner = yield* Clock.clockWith(Effect.succeed)
      let reads = 0
      const counting: Clock.Clock = { ...inner, currentTimeMillisUnsafe: () => (reads++, inner.currentTimeMillisUnsafe()), sleep: (d) => inner.sleep(d) }
      const pool = yield* Pool.make({ handler: (_: number) => Effect.void, minWorkers: 4, maxWorkers: 4, scaling: "fixed", name: "fast" }).pipe(
        Effect.provideService(Clock.Clock, counting)
      )
      const jobs = (n: number) => Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => Pool.submit(pool, i), { concurrency: "unbounded" })
      yield* Timings.reset(pool)
      let before = reads
      yield* jobs(1_024) // each timed: at its submission, start and end; then the rate: 1,024 within a millisecond
      expect((reads - before) / 1_024).toBeCloseTo(3, 1)
      before = reads
      yield* jobs(5_200) // one in 52 timed (1,024,000 a second over 20,000), each standing for 52
      expect((reads - before) / 5_200).toBeLessThan(0.1)
      const t = yield* Timings.get(pool)
      expect(t.run.count).toBe(1_024 + 5_200)
      expect(t.wait.count).toBe(1_024 + 5_200)
      const run = (yield* series("troupe_job_run_ms", "fast")) as Metric.HistogramState
      expect(run.buckets.at(-1)![1]).toBe(1_024 + 5_200)
      // The rate falls: a second later the next timed job looks again, and every job is timed once more.
      yield* TestClock.adjust("2 seconds")
      yield* Timings.reset(pool)
      yield* jobs(52)
      before = reads
      yield* jobs(3)
      expect(reads - before).toBeGreaterThanOrEqual(9) // three each again (and a worker's transition or two)
      expect(reads - before).toBeLessThanOrEqual(12)
      expect((yield* Timings.get(pool)).run.count).toBe(52 + 3)
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("a retried job's wait counts per attempt, from its return to the queue; each attempt's run counts", () =>
    Effect.gen(function*() {
      let attempts = 0
      const pool = yield* Pool.make({
        handler: () => Effect.sleep("5 millis").pipe(Effect.andThen(++attempts < 3 ? Effect.fail("again") : Effect.succeed("done"))),
        retry: { times: 5, schedule: Schedule.spaced("20 millis") },
        maxWorkers: 1
      })
      yield* Timings.reset(pool)
      const job = yield* Pool.fork(pool, 0)
      for (let i = 0; i < 20; i++) {
        yield* settle()
        yield* TestClock.adjust("5 millis")
      }
      expect(yield* Job.join(job)).toBe("done")
      const t = yield* Timings.get(pool)
      expect(t.run).toMatchObject({ count: 3, meanMs: 5 })
      expect(t.wait).toMatchObject({ count: 3, maxMs: 0 }) // the backoff is not queue wait
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))
})
