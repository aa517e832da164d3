// How a worker actor runs one job: on its own fiber (fiberRunner.ts) or on its
// thread (threadRunner.ts). The actor's lanes, mailbox and lifecycle are the same.
import type { Effect } from "effect"
import type { JobRecord } from "../../job/internal/jobRecord.ts"

export interface JobRunner {
  /** Starts; `ready` once jobs can run (a thread: once booted), `died` if it fails on its own. */
  readonly start: (ready: () => void, died: (reason: string) => void) => void
  /** The job's run, as its lane awaits it. It may fail with a `RuntimeEnd`. */
  readonly run: (job: JobRecord) => Effect.Effect<unknown, unknown>
  /** Takes back a job the runner holds but has not started: true if it never will (it may run elsewhere). */
  readonly withdraw: (job: JobRecord) => boolean
  /**
   * A cancelled job settles as soon as it is cancelled, while its lane waits
   * for the runner to let go of it (a thread cannot stop a synchronous job).
   * Otherwise it settles once its lane has stopped (its finalizers have run).
   */
  readonly settlesCancelAtOnce: boolean
  /** A crash or the shutdown deadline: let go of running jobs now. */
  readonly abort: (reason: string) => void
  /** Every lane has ended: release what the runner holds, then call `done`. */
  readonly stop: (done: () => void) => void
  /**
   * How many of the worker's lanes may hold a job at once, when the runner
   * decides (a thread's adaptive window); absent: every lane may.
   */
  readonly gate?: LaneGate | undefined
}

/**
 * A limit on the jobs a worker's lanes hold, below its lanes: a lane looks at
 * it before it takes a job, so a job the runner has no room for stays queued
 * (cancellable, stealable) rather than waiting in the runner.
 */
export interface LaneGate {
  /** True while the lanes hold as many jobs as the runner takes now. */
  readonly full: () => boolean
  /**
   * Waits until a lane may look again: there is room, or the lanes hold no
   * job (so every lane can find the mailbox empty and park: the worker idles).
   */
  readonly wait: Effect.Effect<void>
}

/**
 * A job ended by the runtime rather than by its handler: it outlived its
 * timeout, or the thread under it was terminated (another job's timeout).
 * `withdrawn`: no end at all; the runner took back a job it never started
 * (it waited behind a long one), and the job goes back to dispatch.
 */
export class RuntimeEnd {
  readonly kind: "timedOut" | "lost" | "withdrawn"
  readonly reason: string
  constructor(kind: "timedOut" | "lost" | "withdrawn", reason: string) {
    this.kind = kind
    this.reason = reason
  }
}
