// Reaches into a pool for fault injection. Fiber workers do not crash on
// their own (a handler's defect is a job outcome), so tests crash them here.
import type { Pool } from "../src/index.ts"
import type { Supervisor } from "../src/supervision/internal/supervisor.ts"

export const crashWorker = (pool: Pool.Pool<any, any, any>, workerId: number, reason: string): boolean =>
  (pool as unknown as { readonly supervisor: Supervisor }).supervisor.crashById(workerId, reason)

/** Ids of the workers that accept jobs now. */
export const liveWorkerIds = (pool: Pool.Pool<any, any, any>): Array<number> =>
  (pool as unknown as { readonly core: { readonly accepting: ReadonlyArray<{ readonly id: number }> } }).core.accepting.map(
    (w) => w.id
  )
