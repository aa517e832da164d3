// What a worker needs from the pool that owns it, and what it tells that pool:
// the one contract fiber and thread workers share (they differ only in their
// runner). One setup object per pool, shared by its workers.
import type { Context, Effect, Exit } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import type { JobRecord } from "../../job/internal/jobRecord.ts"
import type { MailboxEvents, MailboxKind } from "../../strategies/Mailbox.ts"
import type * as WorkerLifecycle from "../WorkerLifecycle.ts"
import type { JobRunner } from "./jobRunner.ts"
import type { Lifecycles } from "./lifecycles.ts"
import type { AbortReason, WorkerActor } from "./workerActor.ts"

/** How a pool's workers are made: one object per pool, shared by its workers. */
export interface WorkerSetup {
  readonly context: Context.Context<never>
  /** How this worker runs its jobs: on its fibers, or on its thread. */
  readonly makeRunner: (worker: WorkerActor) => JobRunner
  readonly concurrency: number
  readonly mailboxKind: MailboxKind
  /** What mailboxes report (aging promotions). */
  readonly mailboxEvents: MailboxEvents
  /** Runs deferred wake-ups after the current batch of fiber work. */
  readonly dispatcher: SchedulerDispatcher
  /** Makes each worker's lifecycle actor: the machine with the pool's actions and idle timeout, in systems shared by its workers. */
  readonly lifecycles: Lifecycles
  readonly now: () => number
  /** The rate limit on job starts: while it limits, each start waits for a permit. */
  readonly permits: Permits
  /** With work stealing: where an idle lane finds work beyond its own mailbox. */
  readonly elsewhere: Elsewhere | undefined
  /** What the worker reports to the pool that owns it. */
  readonly events: WorkerEvents
}

/**
 * What a worker tells the pool that owns it: five events, each a call (the
 * two per job are on the hot path, where an event object per call would be
 * an allocation per job).
 */
export interface WorkerEvents {
  /** A job left the worker's mailbox to run. */
  readonly started: (worker: WorkerActor, job: JobRecord) => void
  /** A job ended: with the handler's exit, or with the reason its lane was interrupted. */
  readonly finished: (worker: WorkerActor, job: JobRecord, outcome: Exit.Exit<unknown, unknown> | AbortReason) => void
  readonly transition: (worker: WorkerActor, from: WorkerLifecycle.WorkerState, to: WorkerLifecycle.WorkerState, event: string) => void
  /** The worker must be treated as crashed: a lane died outside any handler, or its runner (thread) exited. */
  readonly died: (worker: WorkerActor, reason: string) => void
  /** Every lane has ended after a drain, a retirement or a crash. */
  readonly ended: (worker: WorkerActor) => void
}

/** Work stealing: the pool's shared queue and the other workers' mailboxes. */
export interface Elsewhere {
  /** Jobs from the shared queue or another worker for an idle lane of `thief`: the first to run now, the rest queued to it. */
  readonly steal: (thief: WorkerActor) => JobRecord | undefined
  /** A job from the pool's shared queue, if it holds one (work stealing's regular look there). */
  readonly takeShared: (worker: WorkerActor) => JobRecord | undefined
  /** Jobs queued across the pool (a hint: is there anything to steal?). */
  readonly queued: number
}

/** Start permits under a rate limit. */
export interface Permits {
  readonly limited: boolean
  /** True once granted; false when woken meanwhile (ask again). */
  readonly take: () => Effect.Effect<boolean>
}
