// Scheduling properties under simulated time (TestClock): each job sleeps its
// duration on the clock, so a run of thousands of simulated milliseconds takes
// a few real ones, and every bound below is checked against exact times.
//   - equal jobs spread evenly over the workers;
//   - work stealing meets the list-scheduling bound: makespan <= total/W + longest;
//   - aging: a low-priority job under a stream of higher ones waits within its bound;
//   - fair share: a key flooding the pool cannot starve another key.
import { Clock, Effect, Exit, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import { fc, test } from "@fast-check/vitest"
import { expect } from "vitest"
import { Dispatch, Job, Mailbox, Pool, Worker } from "../src/index.ts"

interface SimJob {
  readonly duration: number
  /** Clock millis at which it is submitted (default 0). */
  readonly at?: number
  readonly priority?: number
  readonly key?: string
}

interface Ran {
  readonly submitted: number
  start: number
  end: number
  worker: number
  runs: number
}

interface SimConfig {
  readonly workers: number
  readonly concurrency?: number
  readonly dispatch: NonNullable<Pool.Options<number, number, never, never>["dispatch"]>
  readonly mailbox?: NonNullable<Pool.Options<number, number, never, never>["mailbox"]>
}

/**
 * Runs `jobs` on a fixed team under TestClock: each job sleeps its duration.
 * Returns when and where each ran, and the pool's final stats.
 */
const simulate = async (config: SimConfig, jobs: ReadonlyArray<SimJob>) => {
  const runtime = ManagedRuntime.make(TestClock.layer())
  const ran: Array<Ran> = jobs.map((job) => ({ submitted: job.at ?? 0, start: -1, end: -1, worker: -1, runs: 0 }))
  const handler = (i: number) =>
    Effect.gen(function*() {
      const record = ran[i]!
      record.runs++
      record.start = yield* Clock.currentTimeMillis
      record.worker = (yield* Worker.CurrentWorkerId)!
      yield* Effect.sleep(jobs[i]!.duration)
      record.end = yield* Clock.currentTimeMillis
      return i
    })
  const order = jobs.map((_, i) => i).sort((a, b) => (jobs[a]!.at ?? 0) - (jobs[b]!.at ?? 0) || a - b)
  const horizon = jobs.reduce((sum, job) => sum + job.duration, 0) + Math.max(0, ...jobs.map((job) => job.at ?? 0)) + 1
  try {
    return await runtime.runPromise(
      Effect.gen(function*() {
        const pool = yield* Pool.make({
          handler,
          minWorkers: config.workers,
          maxWorkers: config.workers,
          scaling: "fixed",
          concurrency: config.concurrency ?? 1,
          dispatch: config.dispatch,
          mailbox: config.mailbox ?? "fifo",
          capacity: "unbounded"
        })
        // The producer submits each job at its time, on the same clock.
        const handles: Array<Job.JobHandle<number, never>> = []
        const producer = Effect.forEach(order, (i) =>
          Effect.gen(function*() {
            const wait = (jobs[i]!.at ?? 0) - (yield* Clock.currentTimeMillis)
            if (wait > 0) yield* Effect.sleep(wait)
            handles[i] = yield* Pool.fork(pool, i, { priority: jobs[i]!.priority ?? 0, key: jobs[i]!.key })
          }), { discard: true })
        yield* Effect.forkChild(producer)
        yield* TestClock.adjust(horizon)
        const exits = yield* Effect.forEach(handles, (handle) => Effect.exit(Job.join(handle)))
        for (const exit of exits) expect(Exit.isSuccess(exit)).toBe(true)
        return { ran, stats: Pool.statsUnsafe(pool) }
      }).pipe(Effect.scoped)
    )
  } finally {
    await runtime.dispose()
  }
}

const durationsArb = (max: number) => fc.array(fc.integer({ min: 1, max }), { minLength: 1, maxLength: 120 })
const kindArb = fc.constantFrom<"fifo" | "lifo" | "priority">("fifo", "lifo", "priority")

test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 200 }), kindArb], { numRuns: 40 })(
  "equal jobs with work stealing: completed counts per worker differ by at most one",
  async (workers, n, mailbox) => {
    const { ran } = await simulate({ workers, dispatch: "workStealing", mailbox }, Array.from({ length: n }, () => ({ duration: 10 })))
    const perWorker = new Map<number, number>()
    for (const job of ran) perWorker.set(job.worker, (perWorker.get(job.worker) ?? 0) + 1)
    const counts = [...perWorker.values()]
    if (perWorker.size < Math.min(workers, n)) counts.push(0) // a worker that ran nothing
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
  }
)

test.prop([fc.integer({ min: 1, max: 8 }), durationsArb(100), kindArb, fc.integer({ min: 1, max: 2 })], { numRuns: 60 })(
  "work stealing meets the list-scheduling bound: makespan <= total / W + longest",
  async (workers, durations, mailbox, concurrency) => {
    const lanes = workers * concurrency
    const { ran } = await simulate(
      { workers, concurrency, dispatch: "workStealing", mailbox },
      durations.map((duration) => ({ duration }))
    )
    const makespan = Math.max(...ran.map((job) => job.end))
    const total = durations.reduce((a, b) => a + b, 0)
    expect(makespan).toBeLessThanOrEqual(total / lanes + Math.max(...durations))
    for (const job of ran) expect(job.runs).toBe(1)
  }
)

// A stream of priority-10 jobs slightly faster than the team can run them
// keeps every mailbox full; one priority-0 job arrives among them. It goes
// ahead of every job submitted more than DELTA after it, so once DELTA has
// passed only the jobs queued then stand before it, each done within DMAX.
test.prop(
  [
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 40 }), // aging: ms of waiting per priority step
    fc.integer({ min: 0, max: 200 }), // when the low job arrives
    fc.array(fc.integer({ min: 5, max: 20 }), { minLength: 300, maxLength: 300 }),
    fc.constantFrom<SimConfig["dispatch"]>("leastLoaded", "workStealing")
  ],
  { numRuns: 20 }
)("aging: a low-priority job waits at most (P - p) x aging plus the jobs queued by then", async (workers, aging, lowAt, durations, dispatch) => {
  const DMAX = 20
  const HIGH = 10
  const gap = (12.5 / workers) * 0.9 // mean duration / W, 10% faster: the backlog grows
  const stream: Array<SimJob> = durations.map((duration, i) => ({ duration, at: Math.floor(i * gap), priority: HIGH }))
  const low = stream.length
  const jobs = [...stream, { duration: 1, at: lowAt, priority: 0 }]
  const { ran, stats } = await simulate({ workers, dispatch, mailbox: Mailbox.priority({ aging }) }, jobs)
  const delta = HIGH * aging
  const after = lowAt + delta
  // jobs queued at lowAt + DELTA: submitted by then, not started by then (the low one included)
  const queued = ran.filter((job) => job.submitted <= after && job.start > after).length
  const wait = ran[low]!.start - lowAt
  expect(wait).toBeLessThanOrEqual(delta + queued * DMAX)
  // One worker, one mailbox: the low job was promoted iff a high one waited
  // when it started (one submitted at that very instant may or may not have).
  const start = ran[low]!.start
  const waiting = (submittedBy: (at: number) => boolean) =>
    ran.slice(0, low).some((job) => submittedBy(job.submitted) && job.start > start) ? 1 : 0
  if (workers === 1) {
    expect(stats.promoted).toBeGreaterThanOrEqual(waiting((at) => at < start))
    expect(stats.promoted).toBeLessThanOrEqual(waiting((at) => at <= start))
  }
})

// Key "a" floods the pool with 30 jobs per worker; key "b" then submits a few.
// Taken round-robin across keys, b's k-th job in a mailbox runs within 2k
// takes there, so all of b's jobs end within (2m + 1) job lengths.
test.prop(
  [
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 8 }),
    fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 200, maxLength: 200 }),
    fc.constantFrom<SimConfig["dispatch"]>("leastLoaded", "workStealing", "roundRobin"),
    fc.constantFrom(Mailbox.fifo(), Mailbox.priority())
  ],
  { numRuns: 40 }
)("fair share: with one key flooding, the other key's m jobs all end within (2m + 1) x the longest job", async (workers, m, durations, dispatch, inner) => {
  const DMAX = 10
  const flood = durations.slice(0, 30 * workers).map((duration): SimJob => ({ duration, key: "a" }))
  const few = Array.from({ length: m }, (_, i): SimJob => ({ duration: durations[199 - i]!, key: "b" }))
  const { ran } = await simulate({ workers, dispatch, mailbox: Mailbox.fairShare(inner) }, [...flood, ...few])
  const lastB = Math.max(...ran.slice(flood.length).map((job) => job.end))
  expect(lastB).toBeLessThanOrEqual((2 * m + 1) * DMAX)
})

test("Dispatch.workStealing rejects a local capacity below one", () => {
  expect(() => Dispatch.workStealing({ localCapacity: 0 })).toThrow(/localCapacity/)
})
