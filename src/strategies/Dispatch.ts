/**
 * Dispatch: which worker's mailbox a new job goes to.
 *
 * A dispatch strategy is a pure function of the job's envelope and the loads
 * of the workers that accept jobs. Troupe ships `leastLoaded` (the default)
 * and `roundRobin`; users can build their own with {@link make}.
 *
 * @since 0.1.0
 */
import type { Envelope } from "./Mailbox.ts"

const TypeId = "~troupe/Dispatch" as const

/**
 * What dispatch may read of a worker.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerLoad {
  readonly id: number
  /** Jobs waiting in the worker's mailbox. */
  readonly queued: number
  /** Jobs the worker is running now. */
  readonly running: number
}

/**
 * @category models
 * @since 0.1.0
 */
export interface Dispatch {
  readonly [TypeId]: typeof TypeId
  readonly name: string
  /**
   * Returns the index in `workers` of the worker that takes `job`. `workers`
   * is never empty. An index out of range wraps around.
   */
  readonly select: (job: Envelope, workers: ReadonlyArray<WorkerLoad>) => number
  /**
   * With work stealing: the index of the worker an idle `thief` (an index in
   * `workers`) takes half the queued jobs of, or -1 for none. Asked when one of
   * the thief's lanes finds its mailbox empty.
   */
  readonly steal?: ((thief: number, workers: ReadonlyArray<WorkerLoad>) => number) | undefined
  /**
   * With work stealing: the most jobs a worker's own mailbox holds. A job for
   * a full one waits in the pool's shared queue, which idle workers take from
   * before they steal, and every worker checks every {@link sharedQueueInterval}
   * jobs, so nothing waits there forever. Default: unlimited.
   */
  readonly localCapacity?: number | undefined
}

/**
 * A worker takes from the shared queue before its own mailbox once every this
 * many jobs (Tokio checks its global queue every 61 ticks, for the same reason).
 *
 * @category constants
 * @since 0.2.0
 */
export const sharedQueueInterval = 61

/**
 * @category guards
 * @since 0.1.0
 */
export const isDispatch = (u: unknown): u is Dispatch => typeof u === "object" && u !== null && TypeId in u

/**
 * A dispatch strategy of your own.
 *
 * **Example**
 *
 * ```ts
 * import { Dispatch } from "troupe"
 *
 * // everything to the first worker (a strict global order, one at a time)
 * const first = Dispatch.make("first", () => 0)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  name: string,
  select: Dispatch["select"],
  steal?: Dispatch["steal"],
  options?: { readonly localCapacity?: number | undefined }
): Dispatch => ({
  [TypeId]: TypeId,
  name,
  select,
  steal,
  localCapacity: options?.localCapacity
})

/**
 * The worker with the fewest queued plus running jobs; ties rotate with the
 * job's sequence number so equal workers share the load.
 *
 * @category constructors
 * @since 0.1.0
 */
export const leastLoaded = (): Dispatch =>
  make("leastLoaded", (job, workers) => {
    const n = workers.length
    const start = job.seq % n
    let best = start
    let bestLoad = Infinity
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n
      const w = workers[i]!
      const load = w.queued + w.running
      if (load < bestLoad) {
        best = i
        bestLoad = load
        if (load === 0) break
      }
    }
    return best
  })

/**
 * Each job to the next worker in turn, by submission sequence.
 *
 * @category constructors
 * @since 0.1.0
 */
export const roundRobin = (): Dispatch => make("roundRobin", (job, workers) => job.seq % workers.length)

/**
 * Least-loaded placement, and an idle worker steals: when one of its lanes
 * finds its mailbox empty, it takes half of the longest mailbox, from the end
 * its owner takes from last (see each mailbox kind). A job stuck behind a
 * slow one on a busy worker then runs on the first worker free, as from a
 * shared queue, while each worker keeps a queue of its own.
 *
 * With `localCapacity`, a worker's mailbox holds at most that many jobs; the
 * rest wait in the pool's shared queue (see {@link Dispatch.localCapacity}).
 *
 * @category constructors
 * @since 0.2.0
 */
export const workStealing = (options?: { readonly localCapacity?: number }): Dispatch => {
  const localCapacity = options?.localCapacity
  if (localCapacity !== undefined && !(Number.isInteger(localCapacity) && localCapacity >= 1)) {
    throw new RangeError(`Dispatch.workStealing: localCapacity must be an integer of 1 or more, got ${String(localCapacity)}`)
  }
  return make("workStealing", leastLoaded().select, longestMailbox, { localCapacity })
}

/** The victim with the most queued jobs, other than the thief; -1 when every other mailbox is empty. */
const longestMailbox = (thief: number, workers: ReadonlyArray<WorkerLoad>): number => {
    let victim = -1
    let most = 0
    for (let i = 0; i < workers.length; i++) {
      const queued = workers[i]!.queued
      if (i !== thief && queued > most) {
        victim = i
        most = queued
      }
    }
    return victim
  }

/**
 * Resolves a dispatch option: a strategy's name or a strategy value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromOption = (option: "leastLoaded" | "roundRobin" | "workStealing" | Dispatch): Dispatch =>
  typeof option !== "string"
    ? option
    : option === "leastLoaded"
    ? leastLoaded()
    : option === "roundRobin"
    ? roundRobin()
    : workStealing()
