/**
 * The ways a job can end other than with its handler's own success or typed
 * failure. Each carries the job's id; `JobError` is their union.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The handler died (threw, or `Effect.die`d) while running the job. The pool
 * and the worker carry on.
 *
 * @category errors
 * @since 0.1.0
 */
export class JobDefect extends Schema.TaggedError<JobDefect>()("JobDefect", {
  jobId: Schema.Number,
  defect: Schema.Unknown
}) {
  override get message(): string {
    return `job ${this.jobId} died with a defect: ${describe(this.defect)}`
  }
}

/**
 * The job was cancelled (its awaiting fiber was interrupted, or its handle
 * cancelled) before it finished.
 *
 * @category errors
 * @since 0.1.0
 */
export class JobCancelled extends Schema.TaggedError<JobCancelled>()("JobCancelled", {
  jobId: Schema.Number
}) {
  override get message(): string {
    return `job ${this.jobId} was cancelled`
  }
}

/**
 * The worker running the job crashed. The job may or may not have had side
 * effects; resubmit it only if it is safe to run twice.
 *
 * @category errors
 * @since 0.1.0
 */
export class WorkerCrashed extends Schema.TaggedError<WorkerCrashed>()("WorkerCrashed", {
  jobId: Schema.Number,
  workerId: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `job ${this.jobId} was running on worker ${this.workerId}, which crashed: ${this.reason}`
  }
}

/**
 * The pool shut down before the job started; it never ran. The shutdown report
 * lists it with its input so the caller can run it elsewhere.
 *
 * @category errors
 * @since 0.1.0
 */
export class JobHandedBack extends Schema.TaggedError<JobHandedBack>()("JobHandedBack", {
  jobId: Schema.Number
}) {
  override get message(): string {
    return `job ${this.jobId} was not run: the pool shut down and handed it back`
  }
}

/**
 * The job was still running when the pool's shutdown deadline passed, so it
 * was interrupted. The shutdown report lists it.
 *
 * @category errors
 * @since 0.1.0
 */
export class JobInterrupted extends Schema.TaggedError<JobInterrupted>()("JobInterrupted", {
  jobId: Schema.Number
}) {
  override get message(): string {
    return `job ${this.jobId} was interrupted: it outlived the pool's shutdown deadline, or interrupted itself`
  }
}

/**
 * The job outlived its timeout (option `timeout`, per pool or per job). On a
 * fiber it was interrupted; on a thread that was running it, the thread was
 * terminated and replaced (jobs queued behind it run on the replacement).
 *
 * @category errors
 * @since 0.2.0
 */
export class JobTimedOut extends Schema.TaggedError<JobTimedOut>()("JobTimedOut", {
  jobId: Schema.Number,
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    return `job ${this.jobId} timed out after ${this.timeoutMillis} ms`
  }
}

/**
 * @category models
 * @since 0.1.0
 */
/**
 * The job waited in the queue longer than its `queueTimeout` and never started.
 *
 * @category errors
 * @since 0.3.0
 */
export class JobQueueTimedOut extends Schema.TaggedError<JobQueueTimedOut>()("JobQueueTimedOut", {
  jobId: Schema.Number,
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    return `job ${this.jobId} waited ${this.timeoutMillis} ms in the queue without starting`
  }
}

/**
 * The pool shut down before the job ran, and (by `shutdown.queued:
 * "deadLetter"`) put it in its dead-letter queue.
 *
 * @category errors
 * @since 0.3.0
 */
export class JobDeadLettered extends Schema.TaggedError<JobDeadLettered>()("JobDeadLettered", {
  jobId: Schema.Number
}) {
  override get message(): string {
    return `job ${this.jobId} never ran: the pool shut down and put it in its dead letters`
  }
}

export type JobError =
  | JobDefect
  | JobCancelled
  | WorkerCrashed
  | JobHandedBack
  | JobInterrupted
  | JobTimedOut
  | JobQueueTimedOut
  | JobDeadLettered

const describe = (defect: unknown): string =>
  defect instanceof Error ? defect.message : typeof defect === "string" ? defect : String(defect)
