// What the dashboard's page is sent: each pool's state now (its counters,
// timings and every live worker's lifecycle state and queue), and the
// team's decisions as they happen. Plain JSON for the page's script.
import type { Pool } from "../../Pool.ts"
import { impl } from "../../engine/internal/poolImpl.ts"
import * as Timings from "../../Timings.ts"
import { Effect } from "effect"

export interface WorkerView {
  readonly id: number
  readonly state: string
  readonly queued: number
  readonly running: number
}

export interface PoolView {
  readonly name: string
  readonly state: string
  readonly queued: number
  readonly running: number
  readonly counts: Record<string, number>
  readonly timings: Timings.Snapshot
  readonly workers: ReadonlyArray<WorkerView>
}

/** One pool now. Reading its timings starts them (timings.ts): a watched pool is timed. */
export const poolView = (pool: Pool<any, any, any>): Effect.Effect<PoolView> =>
  Effect.map(Timings.get(pool), (timings) => {
    const core = impl(pool).core
    const counts = core.counters.snapshot()
    const workers = [...core.team.live].map((w) => ({ id: w.id, state: w.state, queued: w.mailbox.size, running: w.running }))
    const { spawned: _spawned, workers: _byState, ...totals } = counts
    return { name: core.name, state: core.phase, queued: core.admission.queued, running: core.running(), counts: totals, timings, workers }
  })
