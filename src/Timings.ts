/**
 * How long a pool's jobs wait and run, and how busy its team is, over a
 * window that starts at the first read (of these timings or of the pool's
 * metrics: a pool nobody watches times nothing) and again at each `reset`. The same
 * numbers are the pool's `troupe_job_wait_ms` and `troupe_job_run_ms`
 * histograms and its `troupe_utilization` gauge (Effect Metrics), which
 * `reset` restarts too: Effect's metrics cannot be reset, these can.
 *
 * Times come from Effect's `Clock` in milliseconds (so `TestClock` moves
 * them). A job's wait runs from its submission, or its return to the queue
 * for a retry, to its start; its run from its start to its end. A thread
 * job starts when its thread's window takes it.
 *
 * @since 0.6.0
 */
import { dual } from "effect/Function"
import { Effect } from "effect"
import { impl } from "./engine/internal/poolImpl.ts"
import type { Histogram, Timings } from "./engine/internal/timings.ts"
import { isPool, type Pool } from "./Pool.ts"

/** One histogram, summed up. Quantiles are the upper bound of the bucket they fall in (1, 2, 5, 10, 25 … ms), at most the max. */
export interface Summary {
  readonly count: number
  readonly meanMs: number | undefined
  readonly minMs: number | undefined
  readonly maxMs: number | undefined
  readonly p50Ms: number | undefined
  readonly p90Ms: number | undefined
  readonly p99Ms: number | undefined
}

/** @category models */
export interface Snapshot {
  /** How long the window has run, ms. */
  readonly windowMs: number
  readonly wait: Summary
  readonly run: Summary
  /** Busy worker time over available worker time (idle, busy or draining workers) in the window, 0 to 1. */
  readonly utilization: number
}

const summary = (h: Histogram): Summary => ({
  count: h.count,
  meanMs: h.count === 0 ? undefined : h.sum / h.count,
  minMs: h.count === 0 ? undefined : h.min,
  maxMs: h.count === 0 ? undefined : h.max,
  p50Ms: h.quantile(0.5),
  p90Ms: h.quantile(0.9),
  p99Ms: h.quantile(0.99)
})

const snapshotOf = (timings: Timings): Snapshot => ({
  windowMs: timings.windowMs(), // first: a first read starts the window, empty
  wait: summary(timings.wait),
  run: summary(timings.run),
  utilization: timings.utilization()
})

/**
 * The pool's timings since its window began.
 *
 * @category getters
 */
export const get = (pool: Pool<any, any, any>): Effect.Effect<Snapshot> =>
  Effect.sync(() => snapshotOf(impl(pool).core.observe.timings))

/**
 * Starts a new window: the histograms and utilization count from now. With
 * `{ read: true }`, returns the window that ends (read and reset at once, so
 * no job falls between the two).
 *
 * @category mutations
 */
export const reset: {
  (options?: { readonly read?: false }): (pool: Pool<any, any, any>) => Effect.Effect<void>
  (options: { readonly read: true }): (pool: Pool<any, any, any>) => Effect.Effect<Snapshot>
  (pool: Pool<any, any, any>, options?: { readonly read?: false }): Effect.Effect<void>
  (pool: Pool<any, any, any>, options: { readonly read: true }): Effect.Effect<Snapshot>
} = dual(
  (args) => isPool(args[0]),
  (pool: Pool<any, any, any>, options?: { readonly read?: boolean }) =>
    Effect.sync(() => {
      const timings = impl(pool).core.observe.timings
      const ended = options?.read === true ? snapshotOf(timings) : undefined
      timings.reset()
      return ended
    })
) as never
