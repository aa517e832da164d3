// A pool's counters as Effect Metrics. The values live in plain fields on the
// hot path and are read when the metrics are read (Metric.registerUnsafe), so
// running a job never pays for a metric update.
import { Metric, type Context } from "effect"
import type { PoolCore } from "./poolCore.ts"
import { outcomes } from "./counters.ts"

const jobs = Metric.counter("troupe_jobs", { description: "jobs that ended, by outcome" })
const submitted = Metric.counter("troupe_jobs_submitted", { description: "jobs accepted by the pool" })
const queued = Metric.gauge("troupe_jobs_queued", { description: "jobs waiting to run" })
const workers = Metric.gauge("troupe_workers", { description: "workers by lifecycle state" })
const spawned = Metric.counter("troupe_workers_spawned", { description: "workers started, by reason" })
const retired = Metric.counter("troupe_workers_retired", { description: "idle workers retired by the scaling policy" })
const threadsReplaced = Metric.counter("troupe_threads_replaced", {
  description: "threads replaced under their workers (a timeout, or recycling)"
})
const stolen = Metric.counter("troupe_jobs_stolen", { description: "jobs idle workers took from other workers' mailboxes" })
const promoted = Metric.counter("troupe_jobs_promoted", {
  description: "jobs an aging priority mailbox ran ahead of a higher-priority job"
})
const states = ["spawning", "idle", "busy", "draining", "stopped", "crashed"] as const

let nextPoolId = 1

// Series are keyed by name and attributes, so each pool adds a unique
// `pool_id`: two pools with the same name keep separate series.
export const register = (core: PoolCore, context: Context.Context<never>): { readonly remove: () => void } => {
  const pool = core.name
  const poolId = String(nextPoolId++)
  const c = core.counters
  const counter = (get: () => number) => ({ get: () => ({ count: get(), incremental: true }), update: noop, modify: noop })
  const gauge = (get: () => number) => ({ get: () => ({ value: get() }), update: noop, modify: noop })
  const registrations = [
    Metric.registerUnsafe(Metric.withAttributes(submitted, { pool, pool_id: poolId }), context, counter(() => c.submitted)),
    Metric.registerUnsafe(Metric.withAttributes(queued, { pool, pool_id: poolId }), context, gauge(() => core.queued)),
    ...outcomes.map((outcome) =>
      Metric.registerUnsafe(Metric.withAttributes(jobs, { pool, pool_id: poolId, outcome }), context, counter(() => c[outcome]))
    ),
    Metric.registerUnsafe(Metric.withAttributes(retired, { pool, pool_id: poolId }), context, counter(() => c.retired)),
    Metric.registerUnsafe(Metric.withAttributes(threadsReplaced, { pool, pool_id: poolId }), context, counter(() => c.threadsReplaced)),
    Metric.registerUnsafe(Metric.withAttributes(stolen, { pool, pool_id: poolId }), context, counter(() => c.stolen)),
    Metric.registerUnsafe(Metric.withAttributes(promoted, { pool, pool_id: poolId }), context, counter(() => c.promoted)),
    ...(["initial", "replacement", "scaleUp"] as const).map((reason) =>
      Metric.registerUnsafe(Metric.withAttributes(spawned, { pool, pool_id: poolId, reason }), context, counter(() => c.spawned[reason]))
    ),
    ...states.map((state) =>
      Metric.registerUnsafe(Metric.withAttributes(workers, { pool, pool_id: poolId, state }), context, gauge(() => c.workers[state]))
    )
  ]
  return { remove: () => registrations.forEach((r) => r.remove()) }
}

const noop = () => {}
