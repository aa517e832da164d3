/**
 * Errors of the pool's front door: options, admission and lifecycle.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The pool no longer accepts jobs: it is shutting down or has shut down.
 *
 * @category errors
 * @since 0.1.0
 */
export class PoolClosed extends Schema.TaggedError<PoolClosed>()("PoolClosed", {
  pool: Schema.String
}) {
  override get message(): string {
    return `pool "${this.pool}" is closed: submit before its scope closes, or create a new pool`
  }
}

/**
 * The pool is at capacity and was told to fail fast (`onFull: "fail"`)
 * rather than wait for room.
 *
 * @category errors
 * @since 0.1.0
 */
export class MailboxFull extends Schema.TaggedError<MailboxFull>()("MailboxFull", {
  pool: Schema.String,
  capacity: Schema.Number
}) {
  override get message(): string {
    return `pool "${this.pool}" already holds ${this.capacity} queued jobs: retry later, or use onFull: "suspend" to wait for room`
  }
}

/**
 * A pool's workers crashed faster than its restart intensity allows, so its
 * team stopped. Alone, the pool then shuts down; under a supervision tree
 * (`Supervisor.pool`), this is the child's failure and the tree decides,
 * while the pool's queued jobs wait for the team to come back.
 *
 * @category errors
 * @since 0.1.0
 */
export class PoolEscalated extends Schema.TaggedError<PoolEscalated>()("PoolEscalated", {
  pool: Schema.String,
  workerId: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `pool "${this.pool}" gave up: its workers crashed faster than its restart intensity allows (last: worker ${this.workerId}, ${this.reason})`
  }
}

/**
 * An option given to the pool, or to one job, is invalid. `field` is the path
 * of the first offending option, `value` what was given there, and `issues`
 * every problem found.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidOptions extends Schema.TaggedError<InvalidOptions>()("InvalidOptions", {
  field: Schema.String,
  value: Schema.Unknown,
  issues: Schema.Array(Schema.Struct({ field: Schema.String, message: Schema.String }))
}) {
  override get message(): string {
    return this.issues.map((i) => `${i.field}: ${i.message}`).join("; ")
  }
}

/**
 * A job's input does not encode with the thread handler's `input` schema, so
 * it cannot cross to a thread. The job was not accepted.
 *
 * @category errors
 * @since 0.2.0
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  pool: Schema.String,
  input: Schema.Unknown,
  issue: Schema.String
}) {
  override get message(): string {
    return `pool "${this.pool}": the job's input does not encode with the handler's input schema: ${this.issue}`
  }
}
