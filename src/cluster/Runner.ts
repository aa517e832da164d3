/**
 * A runner's part of a distributed troupe: a job type's entities on Effect
 * Cluster, backed by one troupe pool, and the settings that tune a runner's
 * failure detection.
 *
 * @since 0.5.0
 */
import { Config, Context, Duration, Effect, Layer, Option, Schema, type Scope } from "effect"
import { MessageRetention, type MessageStorage, RunnerAddress, type Sharding, type ShardingConfig } from "effect/cluster"
import * as Thread from "../actors/Thread.ts"
import type { InvalidOptions, PoolEscalated } from "../engine/PoolError.ts"
import * as Pool from "../Pool.ts"
import * as Deliveries from "./internal/deliveries.ts"
import * as Messages from "./internal/messages.ts"
import type { JobType } from "./JobType.ts"

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

/**
 * A runner's sharding settings from configuration: its address from
 * `TROUPE_RUNNER_HOST` and `TROUPE_RUNNER_PORT`, both required (Effect
 * Cluster's own defaults would read stray `HOST` and `PORT` variables, or
 * fall back to localhost:34431), with `shardingConfig`'s failure detection.
 * For `NodeClusterSocket.layer({ storage: "sql", shardingConfig })`.
 *
 * @category configuration
 */
export const runnerConfig: Config.Config<Partial<ShardingConfig.ShardingConfig["Service"]>> = Config.all({
  host: Config.String("TROUPE_RUNNER_HOST"),
  port: Config.Port("TROUPE_RUNNER_PORT")
}).pipe(Config.map(({ host, port }) => ({ ...shardingConfig, runnerAddress: Option.some(RunnerAddress.make(host, port)) })))

/**
 * The delivery of the job a handler runs: `attempt` is 1, or more when the
 * job's message was started before on a runner that died before storing its
 * result (at-least-once: see docs/distributed.md). A fiber handler reads it
 * with `yield* Cluster.Delivery`; in a local pool, and for a thread handler's
 * jobs, it reads 1.
 *
 * @category models
 */
export const Delivery = Context.Reference<{ readonly attempt: number }>("troupe/Cluster/Delivery", { defaultValue: () => ({ attempt: 1 }) })

/**
 * A runner's layer cannot start as set up: what is missing, in words.
 *
 * @category errors
 */
export class RunnerSetupError extends Schema.TaggedError<RunnerSetupError>()("RunnerSetupError", { message: Schema.String }) {}

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
 * `NodeClusterSocket.layer({ storage: "sql" })`, and that layer's SQL client
 * (`Layer.provideMerge`: the runner counts each job's attempts in the same
 * database), or with Effect's in-memory `TestRunner.layer`.
 *
 * @category layers
 */
export const runner = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R>(
  type: JobType<Name, In, Out, Err, R>,
  options: RunnerOptions = {}
): Layer.Layer<never, InvalidOptions | PoolEscalated | RunnerSetupError, Sharding.Sharding | MessageStorage.MessageStorage | Exclude<R, Scope.Scope>> => {
  const { ordered, spread: spreadEntity } = Messages.entities(type)
  const retention = options.retention ?? "1 day"
  const interval = options.retentionInterval
  return Layer.unwrap(Effect.gen(function*() {
    const deliveries = yield* Deliveries.make(Duration.fromInputUnsafe(retention), Duration.fromInputUnsafe(interval ?? "1 minute"))
    if (deliveries === undefined) {
      return yield* new RunnerSetupError({
        message: `Cluster.runner(${type.name}): no SqlClient in its context, to count each job's attempts: ` +
          "provide the cluster's SQL layer with Layer.provideMerge (not Layer.provide) under the sharding layer"
      })
    }
    // A fiber handler sees its job's attempt through `Delivery`; a thread handler's jobs cross as they are.
    const fiberHandler = Thread.isHandler(type.handler) ? undefined : type.handler as (input: In["Type"]) => Effect.Effect<Out["Type"], Err["Type"], R>
    const pool = yield* Pool.make<unknown, Out["Type"], Err["Type"], R>({
      ...options.pool,
      handler: fiberHandler === undefined
        ? type.handler as Thread.Handler<unknown, Out["Type"], Err["Type"]>
        : (job: unknown) => {
          const { input, attempt } = job as { readonly input: In["Type"]; readonly attempt: number }
          return Effect.provideService(fiberHandler(input), Delivery, { attempt })
        }
    })
    const submit = (input: In["Type"], attempt: number) => Pool.submit(pool, fiberHandler === undefined ? input : { input, attempt })
    type Job = { readonly jobId: string; readonly input: In["Type"] }
    const run = ({ payload }: { readonly payload: Job }) => Effect.flatMap(deliveries.next(`${type.name}/${payload.jobId}`), (n) => submit(payload.input, n))
    // Volatile messages are never redelivered: always a first attempt.
    const runVolatile = ({ payload }: { readonly payload: Job }) => submit(payload.input, 1)
    // A batch's jobs run at once, as the pool allows; its reply waits for the last. Its attempt is the batch's.
    const batchOf = (payload: { readonly jobs: ReadonlyArray<Job> }, attempt: number) =>
      Effect.forEach(payload.jobs, (job) => Effect.result(submit(job.input, attempt)), { concurrency: "unbounded" })
    const runBatch = ({ payload }: { readonly payload: { readonly batchId: string; readonly jobs: ReadonlyArray<Job> } }) =>
      Effect.flatMap(deliveries.next(`${type.name}/${payload.batchId}`), (n) => batchOf(payload, n))
    const runBatchVolatile = ({ payload }: { readonly payload: { readonly jobs: ReadonlyArray<Job> } }) => batchOf(payload, 1)
    const handlers = { Run: run, RunVolatile: runVolatile, RunBatch: runBatch, RunBatchVolatile: runBatchVolatile }
    return Layer.mergeAll(
      ordered.toLayer(ordered.of({ Run: run, RunVolatile: runVolatile } as never)),
      spreadEntity.toLayer(spreadEntity.of(handlers as never), { concurrency: "unbounded" }),
      MessageRetention.make({ entity: ordered, retention, interval }),
      MessageRetention.make({ entity: spreadEntity, retention, interval })
    )
  }))
}

