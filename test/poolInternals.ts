// Reaches into a pool for fault injection. Fiber workers do not crash on
// their own (a handler's defect is a job outcome), so tests crash them here.
import type { Inspection, Pool } from "../src/index.ts"
import type { PoolImpl } from "../src/engine/internal/poolImpl.ts"

const engineOf = (pool: Pool.Pool<any, any, any>) => (pool as unknown as PoolImpl).core

export const crashWorker = (pool: Pool.Pool<any, any, any>, workerId: number, reason: string): boolean =>
  engineOf(pool).team.crashById(workerId, reason)

/** Ids of the workers that accept jobs now. */
export const liveWorkerIds = (pool: Pool.Pool<any, any, any>): Array<number> => engineOf(pool).team.accepting.map((w) => w.id)

/** Calls `f` synchronously with every inspection event, as the pool publishes it. */
export const onEvent = (pool: Pool.Pool<any, any, any>, f: (event: Inspection.InspectionEvent) => void): void => {
  const core = engineOf(pool) as { publish: (e: Inspection.InspectionEvent) => void }
  const publish = core.publish.bind(core)
  core.publish = (event) => {
    publish(event)
    f(event)
  }
}

export { liveThreads, spawnedThreads } from "../src/actors/internal/threadPort.ts"

/** Each thread worker's adaptive window now (jobs its lanes may hold), by worker; undefined for a fixed window. */
export const threadWindows = (pool: Pool.Pool<any, any, any>): Array<number | undefined> =>
  engineOf(pool).team.accepting.map((w) => (w as unknown as { runner: { gate?: { limit: number } } }).runner.gate?.limit)

/** Jobs the pool's threads have begun (claimed), not merely been sent into their windows. */
export const startedInThreads = (pool: Pool.Pool<any, any, any>): number =>
  engineOf(pool).team.accepting.reduce((n, w) => n + ((w as unknown as { runner: { port?: { startedCount(): number } } }).runner.port?.startedCount() ?? 0), 0)

/** Readers of job-by-job events the pool counts now. */
export const jobWatchers = (pool: Pool.Pool<any, any, any>): number =>
  (engineOf(pool) as unknown as { readonly jobWatchers: number }).jobWatchers

/** Moves each idle worker's `idleSince` `ms` later, as a Clock read just after its idle timer was set can land. */
export const delayIdleSince = (pool: Pool.Pool<any, any, any>, ms: number): void => {
  for (const worker of engineOf(pool).team.accepting) if (worker.idleSince !== undefined) worker.idleSince += ms
}
