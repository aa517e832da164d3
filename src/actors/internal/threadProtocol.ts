// What the pool and a thread worker's thread say to each other (see threadEntry.ts).

/** What a thread is started with. */
export interface ThreadData {
  /** URL of the module that exports the handler. */
  readonly module: string
  readonly exportName: string
  /** Claim slots (Int32), one per job in flight: see `claimTag`. */
  readonly claims: SharedArrayBuffer
  /** Past this heap size the thread asks to be replaced. */
  readonly heapLimitBytes: number | undefined
}

/** How a job ended, in a result entry `[id, tag, value]`. */
export const Tag = {
  success: 0,
  failure: 1,
  defect: 2,
  interrupted: 3,
  /** Not a job: `[-1, recycle]` asks the pool for a fresh thread (heap over its limit). */
  recycle: 4
} as const
export type Tag = (typeof Tag)[keyof typeof Tag]

/** A job attempt's span, with a tracer installed in the pool: the handler's spans in the thread join its trace. */
export type Trace = readonly [traceId: string, spanId: string, sampled: boolean]

/**
 * Pool to thread: `[id, slot, input]` runs a job (claiming its slot first),
 * `[id]` interrupts it. `[id, slot, input, 1]` runs a job with a timeout: the
 * thread reports around it at once rather than at the end of its batch, so a
 * job stuck behind it in the batch cannot hold its result back (and be taken
 * for the stuck one), nor it theirs. `[id, slot, input, 0 | 1, trace]`: the
 * same, with its attempt's span.
 */
export type JobEntry =
  | readonly [number, number, unknown]
  | readonly [number, number, unknown, 0 | 1]
  | readonly [number, number, unknown, 0 | 1, Trace]
  | readonly [number]

/** Thread to pool. */
export type ResultEntry = readonly [number, Tag, unknown?]

/**
 * A job's claim slot holds +claimTag(k) while the job waits, -claimTag(k) once
 * the thread has started it, 0 once the pool has withdrawn it. Tags are never
 * 0 and tell apart the jobs a slot serves over time.
 */
export const claimTag = (k: number): number => (k & 0x3fffffff) + 1
