/**
 * Inspection events: every lifecycle transition of a pool and its workers,
 * and every decision of its supervisor, as a typed, namespaced union. Read
 * them with `Pool.events`.
 *
 * @since 0.1.0
 */
import type { WorkerState } from "../actors/WorkerLifecycle.ts"
import type { PoolState } from "../supervision/PoolLifecycle.ts"

/**
 * A worker's lifecycle machine changed state.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerTransition {
  readonly type: "@troupe.worker.transition"
  readonly pool: string
  readonly workerId: number
  readonly from: WorkerState
  readonly to: WorkerState
  /** The XState event that caused it (`READY`, `BUSY`, `IDLE`, `DRAIN`, `CRASH`, ...). */
  readonly event: string
  readonly at: number
}

/**
 * The pool's lifecycle machine changed state.
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolTransition {
  readonly type: "@troupe.pool.transition"
  readonly pool: string
  readonly from: PoolState
  readonly to: PoolState
  readonly event: string
  readonly at: number
}

/**
 * The supervisor started a worker.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerSpawned {
  readonly type: "@troupe.worker.spawned"
  readonly pool: string
  readonly workerId: number
  /** `initial`: the team's floor at start; `replacement`: for a crashed worker; `scaleUp`: the scaling policy asked. */
  readonly reason: "initial" | "replacement" | "scaleUp"
  /** For a replacement, the id of the crashed worker it replaces. */
  readonly replaces: number | undefined
  /** For a scale-up, the policy's reason. */
  readonly detail: string | undefined
  readonly at: number
}

/**
 * The scaling policy retired an idle worker; its queued jobs (if any) went
 * back to dispatch.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerRetired {
  readonly type: "@troupe.worker.retired"
  readonly pool: string
  readonly workerId: number
  readonly reason: string
  readonly at: number
}

/**
 * A thread worker's thread was replaced under it: a job it was running timed
 * out, or it was recycled (after `thread.recycleAfterJobs` jobs, or above
 * `thread.recycleAboveHeapMb`). The worker and its mailbox stay.
 *
 * @category models
 * @since 0.2.0
 */
export interface ThreadReplaced {
  readonly type: "@troupe.worker.threadReplaced"
  readonly pool: string
  readonly workerId: number
  readonly reason: string
  readonly at: number
}

/**
 * A worker crashed; its running jobs settle with `WorkerCrashed` and its
 * queued jobs go back to the dispatcher.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerCrashed {
  readonly type: "@troupe.worker.crashed"
  readonly pool: string
  readonly workerId: number
  readonly reason: string
  /** How many of its queued jobs were dispatched again. */
  readonly redispatched: number
  readonly at: number
}

/**
 * Workers crashed faster than the pool's restart intensity allows; the pool
 * gave up and shuts down, handing its queued jobs back.
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolEscalated {
  readonly type: "@troupe.pool.escalated"
  readonly pool: string
  /** The worker whose crash was one too many. */
  readonly workerId: number
  readonly reason: string
  /** The intensity that was exceeded. */
  readonly restarts: number
  readonly at: number
}

// The tree supervisors' events are defined with the trees (supervision/Supervisor.ts).
export type { ChildExited, SupervisorTransition, TreeEvent } from "../supervision/Supervisor.ts"

/**
 * @category models
 * @since 0.1.0
 */
/**
 * A failed job goes back to dispatch for another attempt (its retry policy allowed it).
 *
 * @category models
 * @since 0.3.0
 */
export interface JobRetried {
  readonly type: "@troupe.job.retried"
  readonly pool: string
  readonly jobId: number
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number
  readonly at: number
}

/**
 * A worker started a job (its first attempt, or a retry). Published only
 * while someone reads `Pool.events(pool, { jobs: true })`: a pool nobody
 * watches job by job pays nothing for them.
 *
 * @category models
 * @since 0.4.0
 */
export interface JobStarted {
  readonly type: "@troupe.job.started"
  readonly pool: string
  readonly jobId: number
  readonly workerId: number
  /** 1 for the first attempt. */
  readonly attempt: number
  readonly at: number
}

/**
 * A worker stopped running a job: `success` or `failure` (the handler's exit;
 * a failure may still be retried), or why it let go (`cancel`, `shutdown`,
 * `crash`, `requeue`: handed back unstarted). Published as `JobStarted` is.
 *
 * @category models
 * @since 0.4.0
 */
export interface JobFinished {
  readonly type: "@troupe.job.finished"
  readonly pool: string
  readonly jobId: number
  readonly workerId: number
  readonly result: "success" | "failure" | "cancel" | "shutdown" | "crash" | "requeue"
  readonly at: number
}

/**
 * Back pressure: the pool's queue reached its capacity (`saturated`: submitters
 * now wait or fail), or the pool has nothing left to do (`drained`).
 *
 * @category models
 * @since 0.3.0
 */
export interface PoolPressure {
  readonly type: "@troupe.pool.saturated" | "@troupe.pool.drained"
  readonly pool: string
  readonly queued: number
  readonly at: number
}

export type InspectionEvent =
  | JobStarted
  | JobFinished
  | JobRetried
  | PoolPressure
  | WorkerTransition
  | PoolTransition
  | WorkerSpawned
  | WorkerRetired
  | WorkerCrashed
  | ThreadReplaced
  | PoolEscalated
