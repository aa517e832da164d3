/**
 * A job type's jobs on Effect Cluster: runner processes, each a troupe pool,
 * that share a database (`effect/cluster`'s SQL storage, PostgreSQL through
 * `@effect/sql-pg`), and clients in any process that submit jobs and await
 * their typed results.
 *
 * A job is one persisted message whose primary key is the job's id: a client
 * that resubmits an id gets the first run's result, and the job does not run
 * again. Jobs with an ordering `key` go to the entity of that key and run one
 * at a time, in the order they arrive; jobs without one are spread over
 * `spread` entities, hence over the runners' shards, and run concurrently,
 * as many at once as the runner's pool allows.
 *
 * @since 0.5.0
 */
import { Cause, type Duration, Effect, Exit, Layer, Schema, type Scope } from "effect"
import { type ClusterError, ClusterSchema, Entity, MessageRetention, type MessageStorage, type Sharding, type ShardingConfig } from "effect/cluster"
import { Rpc } from "effect/rpc"
import { InvalidInput, type InvalidOptions, MailboxFull, PoolClosed, type PoolEscalated } from "../engine/PoolError.ts"
import * as JobError from "../job/JobError.ts"
import * as Pool from "../Pool.ts"
import type { JobType } from "./JobType.ts"

export { make as jobType, type JobType } from "./JobType.ts"

/**
 * Sharding settings for job runners and clients (give them to the cluster
 * layer's `shardingConfig`, with the runner's address). Effect Cluster's
 * defaults fail a dead runner's shards over in ~38 s and poll storage every
 * 10 s; these take ~5 s (a dead runner's lock expires after 5 s, assignments
 * refresh every 0.5 s, health is checked every second) and poll every 200 ms,
 * at the price of more queries. A runner paused longer than the lock expiry
 * (a long GC, a stalled machine) loses its shards and its jobs run elsewhere.
 *
 * @category configuration
 */
export const shardingConfig = {
  entityMessagePollInterval: "200 millis",
  entityReplyPollInterval: "200 millis",
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "5 seconds",
  refreshAssignmentsInterval: "500 millis",
  runnerHealthCheckInterval: "1 second"
} as const satisfies Partial<ShardingConfig.ShardingConfig["Service"]>

/** Entity ids that jobs without a key are spread over. */
export const spread = 64

/** How a job ended on its runner other than by its handler: troupe's own errors, as a local pool reports them. */
const runtimeErrors = [
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

/** How a job can end on its runner besides its handler's success or failure. */
export type RuntimeError = InstanceType<(typeof runtimeErrors)[number]>

/**
 * A job's message: its id (the primary key) and its input. Typed loosely
 * here (Rpc's payload types do not resolve over a generic Schema); `client`
 * and `runner` give the job type's own types.
 */
const runOf = (type: JobType<string, Schema.Top, Schema.Top, Schema.Top, any>) =>
  Rpc.make("Run", {
    payload: { jobId: Schema.String, input: type.input as typeof Schema.Unknown },
    success: type.success as typeof Schema.Unknown,
    error: Schema.Union([type.error as typeof Schema.Unknown, ...runtimeErrors]),
    primaryKey: (payload) => payload.jobId
  }).annotate(ClusterSchema.Persisted, true)

/** The two entities of a job type: one per ordering key, one per spread id. */
export const entities = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R>(
  type: JobType<Name, In, Out, Err, R>
) => {
  const made = madeEntities.get(type)
  if (made !== undefined) return made as ReturnType<typeof makeEntities>
  const fresh = makeEntities(type as unknown as JobType<string, Schema.Top, Schema.Top, Schema.Top, any>)
  madeEntities.set(type, fresh)
  return fresh
}

// Made once per job type: its message's schemas and payload class are built
// then, not on every `client` or `runner` call.
const madeEntities = new WeakMap<object, unknown>()

const makeEntities = (type: JobType<string, Schema.Top, Schema.Top, Schema.Top, any>) => {
  const run = runOf(type)
  return {
    ordered: Entity.make(`troupe/${type.name}/ordered`, [run]),
    spread: Entity.make(`troupe/${type.name}`, [run])
  }
}

/** @category models */
export interface RunnerOptions {
  /** The runner's troupe pool: a local pool's options, but for the handler, which is the job type's. */
  readonly pool?: Omit<Pool.Options<any, any, any, any>, "handler"> | undefined
  /**
   * How long a finished job's stored message and result are kept (default
   * one day): a job id resubmitted within it gets the stored result; after it,
   * the job runs again. Without a limit the tables grow with every job.
   */
  readonly retention?: Duration.Input | undefined
  /** How often finished jobs past `retention` are deleted (default one minute). */
  readonly retentionInterval?: Duration.Input | undefined
}

/**
 * A runner's part: the job type's entities, backed by one troupe pool (made
 * with `options.pool`, released with the layer), and the deletion of finished
 * jobs past `options.retention`. Provide it with a sharding layer, e.g.
 * `NodeClusterSocket.layer({ storage: "sql" })` and a SQL client.
 *
 * @category layers
 */
export const runner = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R>(
  type: JobType<Name, In, Out, Err, R>,
  options: RunnerOptions = {}
): Layer.Layer<never, InvalidOptions | PoolEscalated, Sharding.Sharding | MessageStorage.MessageStorage | Exclude<R, Scope.Scope>> => {
  const { ordered, spread: spreadEntity } = entities(type)
  const retention = options.retention ?? "1 day"
  const interval = options.retentionInterval
  return Layer.unwrap(Effect.gen(function*() {
    const pool = yield* Pool.make<In["Type"], Out["Type"], Err["Type"], R>({ ...options.pool, handler: type.handler })
    const handlers = {
      Run: ({ payload }: { readonly payload: { readonly input: In["Type"] } }) => Pool.submit(pool, payload.input)
    }
    return Layer.mergeAll(
      ordered.toLayer(ordered.of(handlers as never)),
      spreadEntity.toLayer(spreadEntity.of(handlers as never), { concurrency: "unbounded" }),
      MessageRetention.make({ entity: ordered, retention, interval }),
      MessageRetention.make({ entity: spreadEntity, retention, interval })
    )
  }))
}

/** @category models */
export interface SubmitOptions {
  /** The job's id, its message's primary key: the same id submitted again gets the same result, and runs once. Default: a random UUID. */
  readonly id?: string | undefined
  /** Jobs with the same key run one at a time, in the order they arrive. Default: none (spread, concurrent). */
  readonly key?: string | undefined
}

/** What a cluster send can fail with besides the job's own outcome (storage, routing). */
export type ClusterFailure =
  | ClusterError.MailboxFull
  | ClusterError.AlreadyProcessingMessage
  | ClusterError.PersistenceError
  | ClusterError.EntityNotAssignedToRunner

/** @category models */
export interface Client<I, O, E> {
  readonly submit: (input: I, options?: SubmitOptions) => Effect.Effect<O, E | RuntimeError | ClusterFailure>
}

/**
 * A client's view of a job type: submit a job and await its result, from any
 * process with a sharding layer (a runner's, or `clientOnly: true`).
 *
 * @category constructors
 */
export const client = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R>(
  type: JobType<Name, In, Out, Err, R>
) =>
  Effect.gen(function*() {
    const { ordered, spread: spreadEntity } = entities(type)
    const orderedClient = yield* ordered.client
    const spreadClient = yield* spreadEntity.client
    // An input its Schema cannot encode would not cross: refused here, with the issue, before anything is sent.
    const encode = Schema.encodeUnknownExit(type.input as unknown as typeof Schema.Unknown)
    const submit = (input: In["Type"], options: SubmitOptions = {}) => {
      const encoded = encode(input)
      if (Exit.isFailure(encoded)) {
        const issue = encoded.cause.reasons.find(Cause.isFailReason)?.error.message ?? Cause.pretty(encoded.cause)
        return Effect.fail(new InvalidInput({ pool: type.name, input, issue }))
      }
      const jobId = options.id ?? crypto.randomUUID()
      const to = options.key !== undefined ? orderedClient(options.key) : spreadClient(`s${spreadIndex(jobId)}`)
      return to.Run({ jobId, input }) as Effect.Effect<Out["Type"], Err["Type"] | RuntimeError | ClusterFailure>
    }
    return { submit } satisfies Client<In["Type"], Out["Type"], Err["Type"]>
  })


// FNV-1a over the id: the same id always goes to the same spread entity.
const spreadIndex = (id: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % spread
}
