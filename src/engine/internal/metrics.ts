// A pool's counters as Effect Metrics. The values live in plain fields on the
// hot path and are read when the metrics are read (Metric.registerUnsafe), so
// running a job never pays for a metric update. Every series comes from the
// counters' own lists (counters.ts).
import { type Context, Metric } from "effect"
import { type Counters, outcomes, spawnReasons, tallies, type Tally, workerStates } from "./counters.ts"
import { bounds, type Histogram, type Timings } from "./timings.ts"

const jobs = Metric.counter("troupe_jobs", { description: "jobs that ended, by outcome" })
const queuedJobs = Metric.gauge("troupe_jobs_queued", { description: "jobs waiting to run" })
const workers = Metric.gauge("troupe_workers", { description: "workers by lifecycle state" })
const spawned = Metric.counter("troupe_workers_spawned", { description: "workers started, by reason" })
const waitMs = Metric.histogram("troupe_job_wait_ms", { description: "how long jobs waited in the queue before they started, ms (since the window began)", boundaries: bounds })
const runMs = Metric.histogram("troupe_job_run_ms", { description: "how long jobs ran, ms (since the window began)", boundaries: bounds })
const utilization = Metric.gauge("troupe_utilization", { description: "busy worker time over available worker time since the window began, 0 to 1" })
const tallyMetrics = Object.fromEntries(
  Object.entries(tallies).map(([key, { description, metric }]) => [key, Metric.counter(metric, { description })])
) as Record<Tally, Metric.Counter<number>>

let nextPoolId = 1

// Series are keyed by name and attributes, so each pool adds a unique
// `pool_id`: two pools with the same name keep separate series.
export const register = (
  pool: string,
  counters: Counters,
  timings: Timings,
  queued: () => number,
  context: Context.Context<never>
): { readonly remove: () => void } => {
  const attributes = { pool, pool_id: String(nextPoolId++) }
  const counter = (get: () => number) => ({ get: () => ({ count: get(), incremental: true }), update: noop, modify: noop })
  const gauge = (get: () => number) => ({ get: () => ({ value: get() }), update: noop, modify: noop })
  const at = <M extends Metric.Metric<any, any>>(metric: M, more?: Record<string, string>) =>
    Metric.withAttributes(metric, more === undefined ? attributes : { ...attributes, ...more })
  // Reading them starts the pool's timing (timings.ts): a pool nobody watches times nothing.
  const histogram = (h: Histogram) => ({
    get: () => {
      timings.read()
      return { buckets: h.buckets(), count: h.count, min: h.count === 0 ? 0 : h.min, max: h.count === 0 ? 0 : h.max, sum: h.sum }
    },
    update: noop,
    modify: noop
  })
  const registrations = [
    Metric.registerUnsafe(at(queuedJobs), context, gauge(queued)),
    Metric.registerUnsafe(at(waitMs), context, histogram(timings.wait)),
    Metric.registerUnsafe(at(runMs), context, histogram(timings.run)),
    Metric.registerUnsafe(at(utilization), context, gauge(() => timings.utilization())),
    ...outcomes.map((outcome) => Metric.registerUnsafe(at(jobs, { outcome }), context, counter(() => counters.outcome(outcome)))),
    ...(Object.keys(tallies) as Array<Tally>).map((tally) =>
      Metric.registerUnsafe(at(tallyMetrics[tally]), context, counter(() => counters.get(tally)))
    ),
    ...spawnReasons.map((reason) => Metric.registerUnsafe(at(spawned, { reason }), context, counter(() => counters.spawnedFor(reason)))),
    ...workerStates.map((state) => Metric.registerUnsafe(at(workers, { state }), context, gauge(() => counters.workersIn(state))))
  ]
  return { remove: () => registrations.forEach((r) => r.remove()) }
}

const noop = () => {}
