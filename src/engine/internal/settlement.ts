// How a job ended, read as the outcome it settles with. Pure: from the Exit
// its lane saw (or why its lane was interrupted), or from how it left the
// queue unrun, to an outcome and the exit its waiters get. The one place a
// job is settled is the engine's `settle`; this only says what with.
import { Cause, Exit } from "effect"
import type { AbortReason } from "../../actors/internal/workerActor.ts"
import { RuntimeEnd } from "../../actors/internal/jobRunner.ts"
import {
  JobCancelled,
  JobDefect,
  JobHandedBack,
  JobInterrupted,
  JobQueueTimedOut,
  JobTimedOut,
  WorkerCrashed
} from "../../job/JobError.ts"
import type { JobExit, JobRecord } from "../../job/internal/jobRecord.ts"
import type { Outcome } from "./counters.ts"

/** What a job's end settles it with. `retryable`: a failure a retry policy may take (a typed one, or a run timeout). */
export interface Verdict {
  readonly outcome: Outcome
  readonly exit: JobExit
  readonly retryable: boolean
  /** The error a retry policy is asked about. */
  readonly error?: unknown
}

/** How a queued job can end without running. */
export type Removed = "cancelled" | "handedBack" | "queueTimedOut"

/**
 * The runner took the job back before it started (a thread's window withdrew
 * it from behind a long job): no end, the job goes back to dispatch.
 */
export const isWithdrawn = (ending: Exit.Exit<unknown, unknown> | AbortReason): boolean => {
  if (typeof ending === "string" || Exit.isSuccess(ending)) return false
  const reason = ending.cause.reasons[0]
  return reason !== undefined && Cause.isFailReason(reason) && reason.error instanceof RuntimeEnd && reason.error.kind === "withdrawn"
}

/** A job's end after it started: its handler's exit, or why its lane was interrupted (not `requeue`: that is no end). */
export const ofRun = (
  job: JobRecord,
  ending: Exit.Exit<unknown, unknown> | Exclude<AbortReason, "requeue">,
  worker: { readonly id: number; readonly crashReason: string }
): Verdict => {
  if (typeof ending === "string") return ofAbort(job, ending, worker)
  if (Exit.isSuccess(ending)) return { outcome: "completed", exit: ending, retryable: false }
  const cause = ending.cause
  if (Cause.hasFails(cause)) {
    const error = cause.reasons.find(Cause.isFailReason)!.error
    if (!(error instanceof RuntimeEnd)) return { outcome: "failed", exit: ending, retryable: true, error }
    if (error.kind === "timedOut") {
      const timedOut = new JobTimedOut({ jobId: job.id, timeoutMillis: job.timeoutMs })
      return { outcome: "timedOut", exit: Exit.fail(timedOut), retryable: true, error: timedOut }
    }
    return crashed(job, worker.id, error.reason)
  }
  if (Cause.hasDies(cause)) {
    const defect = cause.reasons.find(Cause.isDieReason)?.defect
    return { outcome: "defects", exit: Exit.fail(new JobDefect({ jobId: job.id, defect })), retryable: false }
  }
  return interrupted(job)
}

/** A job that left the queue without running. */
export const ofRemoval = (job: JobRecord, removed: Removed): Verdict => {
  const jobId = job.id
  const error = removed === "cancelled"
    ? new JobCancelled({ jobId })
    : removed === "handedBack"
    ? new JobHandedBack({ jobId })
    : new JobQueueTimedOut({ jobId, timeoutMillis: job.extras!.queueTimeoutMs })
  return { outcome: removed, exit: Exit.fail(error), retryable: false }
}

/** A job running at the shutdown deadline. */
export const interrupted = (job: JobRecord): Verdict => ({
  outcome: "interrupted",
  exit: Exit.fail(new JobInterrupted({ jobId: job.id })),
  retryable: false
})

const ofAbort = (job: JobRecord, reason: "cancel" | "crash" | "shutdown", worker: { readonly id: number; readonly crashReason: string }): Verdict =>
  reason === "cancel"
    ? { outcome: "cancelled", exit: Exit.fail(new JobCancelled({ jobId: job.id })), retryable: false }
    : reason === "shutdown"
    ? interrupted(job)
    : crashed(job, worker.id, worker.crashReason)

const crashed = (job: JobRecord, workerId: number, reason: string): Verdict => ({
  outcome: "crashed",
  exit: Exit.fail(new WorkerCrashed({ jobId: job.id, workerId, reason })),
  retryable: false
})
