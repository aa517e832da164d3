// Scenario D: work stealing on a skewed workload. 1,000 I/O-like jobs (each
// sleeps its duration on the real clock), 90% short and 10% fifty times
// longer, in one fixed shuffled order, on 8 fiber workers: troupe with each
// built-in dispatch, and p-queue (one shared queue, the greedy ideal).
import { Effect } from "effect"
import PQueue from "p-queue"
import { Pool } from "../src/index.ts"
import { childName, gc } from "./lib/harness.ts"

export const JOBS = 1_000
export const WORKERS = 8
export const SHORT_MS = 2
export const LONG_MS = 100
export const LONG_JOBS = JOBS / 10
const SEED = 0x7e57_ab1e
export const WARM_UP_JOBS = 80

/** Marsaglia's xorshift32: a small seeded generator, so every process shuffles alike. */
const xorshift32 = (seed: number) => {
  let x = seed | 0 || 1
  return (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

/** The job durations in submission order: LONG_JOBS long ones among short ones, Fisher–Yates shuffled. */
export const durations: ReadonlyArray<number> = (() => {
  const out = Array.from({ length: JOBS }, (_, i): number => (i < LONG_JOBS ? LONG_MS : SHORT_MS))
  const random = xorshift32(SEED)
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
})()

export const TOTAL_MS = durations.reduce((a, b) => a + b, 0)
/** No schedule on WORKERS workers can finish sooner: the work spread evenly, or the longest job. */
export const BOUND_MS = Math.max(TOTAL_MS / WORKERS, LONG_MS)

export const dispatches = ["roundRobin", "leastLoaded", "workStealing"] as const
export const contenders = [...dispatches.map((d) => `troupe-${d}`), "p-queue"] as const

/** What one timed batch saw: its makespan, and each job's start and end (for the diagnostics). */
interface Batch {
  readonly makespanMs: number
  readonly spans: ReadonlyArray<{ readonly start: number; readonly end: number; readonly runner: number }>
  readonly t0: number
}

const troupe = (dispatch: (typeof dispatches)[number]) =>
  Effect.gen(function*() {
    let spans: Array<{ start: number; end: number; runner: number }> = []
    // With `concurrency` 1 a worker has one lane, and its handler runs on that lane's
    // fiber: the fiber id tells which worker ran a job (diagnostics only).
    const pool = yield* Pool.make({
      handler: (ms: number) =>
        Effect.withFiber((fiber) => {
          const start = performance.now()
          return Effect.sleep(ms).pipe(
            Effect.map(() => {
              spans.push({ start, end: performance.now(), runner: fiber.id })
              return ms
            })
          )
        }),
      maxWorkers: WORKERS,
      minWorkers: WORKERS,
      scaling: "fixed",
      dispatch,
      capacity: "unbounded"
    })
    const batch = (jobs: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        spans = []
        const t0 = performance.now()
        const results = yield* Effect.forEach(jobs, (ms) => Pool.submit(pool, ms), { concurrency: "unbounded" })
        const makespanMs = performance.now() - t0
        check(jobs, results)
        return { makespanMs, spans, t0 } satisfies Batch
      })
    yield* batch(durations.slice(0, WARM_UP_JOBS)) // warm-up: every worker up, the code paths seen
    gc()
    const stolenBefore = Pool.statsUnsafe(pool).stolen
    const measured = yield* batch(durations)
    return { ...measured, stolen: Pool.statsUnsafe(pool).stolen - stolenBefore }
  }).pipe(Effect.scoped)

const pQueue = async () => {
  const queue = new PQueue({ concurrency: WORKERS })
  let spans: Array<{ start: number; end: number; runner: number }> = []
  const sleep = (ms: number) =>
    new Promise<number>((resolve) => {
      const start = performance.now()
      setTimeout(() => {
        spans.push({ start, end: performance.now(), runner: 0 })
        resolve(ms)
      }, ms)
    })
  const batch = async (jobs: ReadonlyArray<number>): Promise<Batch> => {
    spans = []
    const t0 = performance.now()
    const results = await Promise.all(jobs.map((ms) => queue.add(() => sleep(ms))))
    const makespanMs = performance.now() - t0
    check(jobs, results)
    return { makespanMs, spans, t0 }
  }
  await batch(durations.slice(0, WARM_UP_JOBS))
  gc()
  return { ...(await batch(durations)), stolen: undefined }
}

const check = (jobs: ReadonlyArray<number>, results: ReadonlyArray<number>): void => {
  for (let i = 0; i < jobs.length; i++) if (results[i] !== jobs[i]) throw new Error(`wrong result at ${i}`)
}

/**
 * Diagnostics from the job spans: the handlers' measured time (the nominal
 * sleeps plus the timers' lateness), when the last job started, and, for
 * troupe, the busiest and least busy worker's summed job time.
 */
const diagnose = ({ spans, t0 }: Batch) => {
  const workMs = spans.reduce((sum, s) => sum + (s.end - s.start), 0)
  const lastStartMs = Math.max(...spans.map((s) => s.start)) - t0
  const busy = new Map<number, number>()
  for (const s of spans) busy.set(s.runner, (busy.get(s.runner) ?? 0) + s.end - s.start)
  const perWorker = [...busy.values()]
  return {
    workMs,
    lastStartMs,
    runners: busy.size,
    maxBusyMs: Math.max(...perWorker),
    minBusyMs: Math.min(...perWorker)
  }
}

const child = childName()
if (child !== undefined) {
  const run = child === "p-queue" ? await pQueue() : await Effect.runPromise(troupe(child.slice("troupe-".length) as (typeof dispatches)[number]))
  const d = diagnose(run)
  console.log(JSON.stringify({
    makespanMs: run.makespanMs,
    ...(run.stolen === undefined ? {} : { stolen: run.stolen }),
    workMs: d.workMs,
    lastStartMs: d.lastStartMs,
    ...(child === "p-queue" ? {} : { workers: d.runners, maxBusyMs: d.maxBusyMs, minBusyMs: d.minBusyMs })
  }))
}
