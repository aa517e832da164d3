// The messages a job type's jobs travel in, and the two entities that take
// them. A job alone is a `Run` message whose primary key is the job's id; a
// batch of jobs without an id or key is one `RunBatch` message whose reply
// holds each job's outcome, in order. Each comes persisted (stored in the
// cluster's SQL tables, redelivered after a runner dies) and volatile (sent
// over the runners' sockets only: faster, lost with its runner).
import { Schema } from "effect"
import { ClusterSchema, Entity } from "effect/cluster"
import { Rpc } from "effect/rpc"
import { InvalidInput, MailboxFull, PoolClosed } from "../../engine/PoolError.ts"
import * as JobError from "../../job/JobError.ts"

/** What the messages need of a job type (JobType.ts's `Any`, named here so this folder imports nothing of its parent). */
export interface Any {
  readonly name: string
  readonly input: Schema.Top
  readonly success: Schema.Top
  readonly error: Schema.Top
}

/** How a job ended on its runner other than by its handler: troupe's own errors, as a local pool reports them. */
export const runtimeErrors = [
  JobError.JobDefect,
  JobError.JobCancelled,
  JobError.WorkerCrashed,
  JobError.JobHandedBack,
  JobError.JobInterrupted,
  JobError.JobTimedOut,
  JobError.JobQueueTimedOut,
  JobError.JobDeadLettered,
  PoolClosed,
  MailboxFull,
  InvalidInput
] as const

/** Entity ids that jobs without a key are spread over. */
export const spread = 64

// Payload and result schemas are typed loosely here (Rpc's payload types do
// not resolve over a generic Schema); the client and runner give the job
// type's own types.
const messagesOf = (type: Any) => {
  const input = type.input as typeof Schema.Unknown
  const failure = Schema.Union([type.error as typeof Schema.Unknown, ...runtimeErrors])
  const job = { jobId: Schema.String, input }
  const run = <const Tag extends string>(tag: Tag) => Rpc.make(tag, { payload: job, success: type.success as typeof Schema.Unknown, error: failure, primaryKey: (p) => p.jobId })
  const batch = <const Tag extends string>(tag: Tag) =>
    Rpc.make(tag, {
      payload: { batchId: Schema.String, jobs: Schema.Array(Schema.Struct(job)) },
      success: Schema.Array(Schema.Result(type.success as typeof Schema.Unknown, failure)),
      primaryKey: (p) => p.batchId
    })
  return {
    Run: run("Run").annotate(ClusterSchema.Persisted, true),
    RunVolatile: run("RunVolatile"),
    RunBatch: batch("RunBatch").annotate(ClusterSchema.Persisted, true),
    RunBatchVolatile: batch("RunBatchVolatile")
  }
}

const makeEntities = (type: Any) => {
  const m = messagesOf(type)
  return {
    ordered: Entity.make(`troupe/${type.name}/ordered`, [m.Run, m.RunVolatile]),
    spread: Entity.make(`troupe/${type.name}`, [m.Run, m.RunVolatile, m.RunBatch, m.RunBatchVolatile])
  }
}

// Made once per job type: its messages' schemas and payload classes are built
// then, not on every `client` or `runner` call.
const made = new WeakMap<Any, ReturnType<typeof makeEntities>>()

/** The two entities of a job type: one per ordering key, one per spread id. */
export const entities = (type: Any): ReturnType<typeof makeEntities> => {
  let found = made.get(type)
  if (found === undefined) made.set(type, found = makeEntities(type))
  return found
}

/** FNV-1a over an id: the same id always goes to the same spread entity. */
export const spreadIndex = (id: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % spread
}
