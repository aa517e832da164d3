/**
 * A client's part of a distributed troupe: submit a job type's jobs from any
 * process of the cluster and await their typed results.
 *
 * @since 0.5.0
 */
import { Cause, Duration, Effect, Exit, Fiber, Option, Schema } from "effect"
import type { ClusterError } from "effect/cluster"
import { InvalidInput } from "../engine/PoolError.ts"
import * as Batcher from "./internal/batcher.ts"
import * as Messages from "./internal/messages.ts"
import type { JobType } from "./JobType.ts"

/** How a job can end on its runner besides its handler's success or failure. */
export type RuntimeError = InstanceType<(typeof Messages.runtimeErrors)[number]>

/** @category models */
export interface SubmitOptions {
  /** The job's id, its message's primary key: the same id submitted again gets the same result, and runs once. Default: a random UUID. */
  readonly id?: string | undefined
  /** Jobs with the same key run one at a time, in the order they arrive. Default: none (spread, concurrent). */
  readonly key?: string | undefined
  /** How long to await the result (default: the client's `timeout`): then `ResultTimedOut`, and the job goes on. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * No result came within the submit's `timeout`. The job was not cancelled:
 * it runs (or waits for a runner) as before, and submitting its id again
 * awaits the same result.
 *
 * @category errors
 */
export class ResultTimedOut extends Schema.TaggedError<ResultTimedOut>()("ResultTimedOut", {
  jobType: Schema.String,
  jobId: Schema.optional(Schema.String),
  timeout: Schema.String
}) {
  override get message() {
    return `${this.jobType} job ${this.jobId ?? "(in a batch)"}: no result within ${this.timeout}; the job goes on, and its id submitted again awaits its result`
  }
}

/** What a cluster send can fail with besides the job's own outcome (storage, routing). */
export type ClusterFailure =
  | ClusterError.MailboxFull
  | ClusterError.AlreadyProcessingMessage
  | ClusterError.PersistenceError
  | ClusterError.EntityNotAssignedToRunner

/** @category models */
export interface Client<I, O, E> {
  /** Submits a job and awaits its outcome. Interrupting it cancels the job. */
  readonly submit: (input: I, options?: SubmitOptions) => Effect.Effect<O, E | RuntimeError | ClusterFailure | ResultTimedOut>
  /** Submits a job and returns at once with its handle, as `Pool.fork` does: join, poll or cancel it later. */
  readonly fork: (input: I, options?: SubmitOptions) => Effect.Effect<ClusterJob<O, E | RuntimeError | ClusterFailure | ResultTimedOut>>
}

/**
 * A job submitted with `fork`: its outcome, awaited (`join`) or looked at
 * (`poll`), and `cancel`, which interrupts it on its runner if it has not
 * ended (a job in a batch that has left runs on).
 *
 * @category models
 */
export interface ClusterJob<O, E> {
  readonly join: Effect.Effect<O, E>
  readonly poll: Effect.Effect<Option.Option<Exit.Exit<O, E>>>
  readonly cancel: Effect.Effect<void>
}

/** @category models */
export interface ClientOptions {
  /**
   * Stored messages (default), redelivered to another runner when theirs
   * dies; or `false`: sent over the runners' sockets only, several times
   * faster, and lost (`ClusterFailure`) with the runner that had them.
   */
  readonly persisted?: boolean | undefined
  /**
   * Jobs submitted with no `id` and no `key` go in batches of at most this
   * many (default 256): those submitted before the event loop's next turn
   * leave as one message. `false`: a message per job.
   */
  readonly batch?: number | false | undefined
  /**
   * How long each submit awaits its result (default: as long as it takes:
   * through a runner's death and fail-over). Past it, `ResultTimedOut`.
   * Interrupting a submit instead cancels its job.
   */
  readonly timeout?: Duration.Input | undefined
}

/**
 * A client's view of a job type: submit a job and await its result, from any
 * process with a sharding layer (a runner's, or `clientOnly: true`).
 *
 * @category constructors
 */
export const client = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R>(
  type: JobType<Name, In, Out, Err, R>,
  options: ClientOptions = {}
) =>
  Effect.gen(function*() {
    const { ordered, spread: spreadEntity } = Messages.entities(type)
    const orderedClient = yield* ordered.client
    const spreadClient = yield* spreadEntity.client
    const persisted = options.persisted ?? true
    const clientTimeout = options.timeout
    const timedOut = (jobId: string | undefined, timeout: Duration.Input) =>
      Effect.fail(new ResultTimedOut({ jobType: type.name, jobId, timeout: Duration.format(Duration.fromInputUnsafe(timeout)) }))
    const context = yield* Effect.context<never>()
    const batched = options.batch === false ? undefined : Batcher.make<In["Type"]>(
      (batchId, jobs) => {
        const to = spreadClient(`s${Messages.spreadIndex(batchId)}`)
        return (persisted ? to.RunBatch : to.RunBatchVolatile)({ batchId, jobs })
      },
      options.batch ?? 256,
      Effect.runForkWith(context)
    )
    // An input its Schema cannot encode would not cross: refused here, with the issue, before anything is sent.
    const encode = Schema.encodeUnknownExit(type.input as unknown as typeof Schema.Unknown)
    const submit = (input: In["Type"], options: SubmitOptions = {}) => {
      const encoded = encode(input)
      if (Exit.isFailure(encoded)) {
        const issue = encoded.cause.reasons.find(Cause.isFailReason)?.error.message ?? Cause.pretty(encoded.cause)
        return Effect.fail(new InvalidInput({ pool: type.name, input, issue }))
      }
      const timeout = options.timeout ?? clientTimeout
      if (batched !== undefined && options.id === undefined && options.key === undefined) {
        const outcome = batched(input) as Effect.Effect<Out["Type"], Err["Type"] | RuntimeError | ClusterFailure>
        // Once its batch has left, a submitter that stops waiting leaves its job running.
        return timeout === undefined ? outcome : Effect.timeoutOrElse(outcome, { duration: timeout, orElse: () => timedOut(undefined, timeout) })
      }
      const jobId = options.id ?? crypto.randomUUID()
      const to = options.key !== undefined ? orderedClient(options.key) : spreadClient(`s${Messages.spreadIndex(jobId)}`)
      const sent = (persisted ? to.Run : to.RunVolatile)({ jobId, input }) as Effect.Effect<Out["Type"], Err["Type"] | RuntimeError | ClusterFailure>
      return timeout === undefined ? sent : awaitWithin(sent, timeout, () => timedOut(jobId, timeout))
    }
    const fork = (input: In["Type"], options?: SubmitOptions) =>
      Effect.map(Effect.forkDetach(submit(input, options)), (fiber) => ({
        join: Fiber.join(fiber),
        poll: Effect.sync(() => Option.fromUndefinedOr(fiber.pollUnsafe())),
        cancel: Effect.asVoid(Fiber.interrupt(fiber))
      }))
    return { submit, fork } satisfies Client<In["Type"], Out["Type"], Err["Type"]>
  })

/**
 * `sent`'s outcome, or `orElse` once `timeout` has passed. The send runs on a
 * fiber of its own, so the timeout leaves it be (interrupting a cluster send
 * interrupts its job); interrupting the submitter interrupts it (cancels).
 */
const awaitWithin = <A, E, E2>(sent: Effect.Effect<A, E>, timeout: Duration.Input, orElse: () => Effect.Effect<never, E2>) =>
  Effect.flatMap(Effect.forkDetach(sent), (fiber) =>
    Effect.timeoutOrElse(Fiber.join(fiber), { duration: timeout, orElse }).pipe(Effect.onInterrupt(() => Fiber.interrupt(fiber))))
