/**
 * A pool: a supervised team of worker actors that run one handler's jobs.
 *
 * Create it as a scoped Effect (`Pool.make`) or a Layer (`Pool.layer`), submit
 * jobs and get their typed results, and close the scope to shut it down.
 *
 * @since 0.1.0
 */
import { Cause, Context, Effect, Exit, Layer, Queue, Stream, type Scope } from "effect"
import type { DeadLetter } from "./engine/DeadLetter.ts"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type { Supervisable } from "./supervision/Supervisor.ts"
import type { WorkerState } from "./actors/WorkerLifecycle.ts"
import type { InspectionEvent } from "./engine/Inspection.ts"
import type { JobHandle } from "./Job.ts"
import type { JobError, JobTimedOut } from "./job/JobError.ts"
import { JobRecord, type JobExit } from "./job/internal/jobRecord.ts"
import * as Assembly from "./engine/internal/assembly.ts"
import type { Engine } from "./engine/internal/engine.ts"
import * as Shutdown from "./engine/internal/shutdown.ts"
import * as Submission from "./engine/internal/submission.ts"
import * as Batch from "./engine/internal/batch.ts"
import * as Durations from "./shared/durations.ts"
import { InvalidInput, InvalidOptions, type MailboxFull, PoolClosed, PoolEscalated } from "./engine/PoolError.ts"
import * as Thread from "./actors/Thread.ts"
import * as PoolOptions from "./engine/PoolOptions.ts"
import type { PoolState } from "./supervision/PoolLifecycle.ts"
import type { Dispatch } from "./strategies/Dispatch.ts"
import type { MailboxKind } from "./strategies/Mailbox.ts"
import type { Scaling } from "./strategies/Scaling.ts"
import { impl, PoolImpl, TypeId } from "./engine/internal/poolImpl.ts"


/**
 * A running pool whose jobs take an `I` and end with an `O`, or fail with `E`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Pool<in I, out O, out E = never> extends Pipeable, Supervisable {
  readonly [TypeId]: {
    readonly _I: (_: I) => void
    readonly _O: O
    readonly _E: E
  }
  readonly name: string
}

/**
 * Pool options with an Effect handler (or a `Thread.handler`). Only `handler`
 * is required.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<I, O, E, R> extends CommonOptions<E> {
  /**
   * Runs one job. Its typed failure `E` reaches the submitter as is; a defect (a throw, `Effect.die`)
   * becomes `JobDefect`. A function runs on the workers' fibers; a `Thread.handler` makes the workers threads.
   */
  readonly handler: ((input: I) => Effect.Effect<O, E, R>) | Thread.Handler<I, O, E>
}

/**
 * Pool options with a handler that knows nothing of Effect: an `async`
 * function (or one returning a Promise, or a plain value). What its Promise
 * rejects with is the job's typed failure, as it is (so `E` is `unknown`);
 * a synchronous throw is a defect (`JobDefect`), as for an Effect handler.
 *
 * A handler that declares a second parameter gets an `AbortSignal`, aborted
 * when its job is cancelled, times out or is interrupted at shutdown. The job
 * ends at once either way; a Promise cannot be stopped from outside, so work
 * that ignores the signal runs on unseen.
 *
 * @category models
 * @since 0.4.0
 */
export interface AsyncOptions<I, O> extends CommonOptions<unknown> {
  readonly handler: (input: I, signal: AbortSignal) => PromiseLike<O> | O
}

/**
 * The options every pool takes, whatever its handler.
 *
 * @category models
 * @since 0.4.0
 */
export interface CommonOptions<E> {
  /** Used in errors, events and metric attributes. Default `"troupe"`. */
  readonly name?: string
  /** Floor of the team (default 1); 0 lets an idle pool scale to zero. */
  readonly minWorkers?: number
  /** Ceiling of the team (default 4). */
  readonly maxWorkers?: number
  /**
   * How the team is sized between the two: `"auto"` (default: grow as soon as jobs wait with no
   * worker free, enough for them at once; retire after 30 seconds idle), `"fixed"` (always
   * `maxWorkers`), or a `Scaling` policy (`Scaling.classic()`: the threshold rule of 50 per worker).
   */
  readonly scaling?: "auto" | "fixed" | Scaling
  /**
   * Jobs one worker runs at once (default 1). For a thread worker: jobs in flight to its thread, a
   * fixed window; left out, each thread's window adapts to its jobs' time (1 to 32 jobs: the running one and
   * about 5 ms of work behind it), and jobs waiting behind a long one are taken back into the pool (docs/threads.md).
   */
  readonly concurrency?: number
  /**
   * How long a job may run before it ends with `JobTimedOut` (default: no limit; a job may set
   * its own). A fiber job is interrupted; a thread job that is running is stopped by terminating
   * its thread, which is replaced under the same worker.
   */
  readonly timeout?: import("effect").Duration.Input
  /**
   * How long a job may wait in the queue before it starts; past it the job ends with
   * `JobQueueTimedOut` and never runs (default: no limit; a job may set its own). Counted from
   * its admission, for its first start only (a retried job has started already).
   */
  readonly queueTimeout?: import("effect").Duration.Input
  /** Retries for every job (a job may set its own): see {@link Retry}. */
  readonly retry?: Retry<E | JobTimedOut>
  /** The dead-letter queue: at most `capacity` dead letters (default 1,000); past it the oldest is dropped and counted. */
  readonly deadLetters?: { readonly capacity?: number }
  /** At most `limit` job starts per `window` (see {@link RateLimitOptions}); change it with `setRateLimit`. */
  readonly rateLimit?: RateLimitOptions
  /** Thread workers only. */
  readonly thread?: {
    /** Replace a thread after it has been sent this many jobs (fresh heap, no leaks carried over). */
    readonly recycleAfterJobs?: number
    /**
     * Replace a thread, between jobs, once its heap and Buffers pass this many MiB (checked after
     * each batch of results). Keep it below `maxHeapMb`.
     */
    readonly recycleAboveHeapMb?: number
    /**
     * The most JavaScript heap a thread may use, in MiB (32 at least): past it the pool terminates
     * the thread, a crash. Buffers are not counted, and the process's survival is not guaranteed
     * (docs/threads.md, "Memory").
     */
    readonly maxHeapMb?: number
  }
  /** Each worker's mailbox: `"fifo"` (default), `"lifo"`, `"priority"` or a `Mailbox` kind. */
  readonly mailbox?: "fifo" | "lifo" | "priority" | MailboxKind
  /**
   * Which worker takes a new job: `"leastLoaded"` (default), `"roundRobin"`, `"workStealing"`
   * (least-loaded, and an idle worker takes half of the longest mailbox) or a `Dispatch`.
   */
  readonly dispatch?: "leastLoaded" | "roundRobin" | "workStealing" | Dispatch
  /** Most jobs waiting to run across the pool (default 10,000), or `"unbounded"`. */
  readonly capacity?: number | "unbounded"
  /** At capacity, `submit` waits for room (`"suspend"`, default) or fails with `MailboxFull` (`"fail"`). */
  readonly onFull?: "suspend" | "fail"
  readonly shutdown?: {
    /** How long running (and, with `"drain"`, queued) jobs get to finish. Default 30 seconds. */
    readonly deadline?: import("effect").Duration.Input
    /**
     * Queued jobs at shutdown: run them (`"drain"`, default), hand them back unrun (`"handBack"`),
     * or put them in the dead letters unrun (`"deadLetter"`).
     */
    readonly queued?: "drain" | "handBack" | "deadLetter"
  }
  /**
   * Restart intensity for crashed workers: at most `intensity` replacements within `period`
   * (default 10 in 10 seconds). One more and the pool gives up: it shuts down, hands its
   * queued jobs back, and its report says why (no respawn storms).
   */
  readonly restart?: { readonly intensity?: number; readonly period?: import("effect").Duration.Input }
  /** Inspection events buffered per subscriber before the oldest are dropped (default 4096). */
  readonly inspectionBuffer?: number
}

/**
 * A rate limit on job starts, counted by Effect's `RateLimiter` (from the
 * pool's context if it provides one, so pools of one name can share a limit
 * through a shared store; else in memory). `algorithm`: `"fixed-window"`
 * (default) or `"token-bucket"`.
 *
 * @category models
 * @since 0.3.0
 */
export interface RateLimitOptions {
  readonly limit: number
  readonly window: import("effect").Duration.Input
  readonly algorithm?: "fixed-window" | "token-bucket"
}

/**
 * A retry policy, as `Effect.retry` takes one. A job that fails with a typed
 * error (or times out while running) runs again after the schedule's delay,
 * keeping its id, as long as `while` allows the error, the schedule goes on
 * and fewer than `times` retries were made. When they run out the job ends
 * with its last error, counted as dead-lettered, and its dead letter is
 * queued. An error `while` refuses fails the job at once (not a dead letter).
 * Defects and crashes are never retried: they may be the job's own doing.
 *
 * @category models
 * @since 0.3.0
 */
export interface Retry<E> {
  /** Delays between attempts; its input is the error. E.g. `Schedule.exponential("100 millis").pipe(Schedule.jittered)`. */
  readonly schedule?: import("effect").Schedule.Schedule<unknown, E>
  /** At most this many retries (attempts = times + 1). */
  readonly times?: number
  /** Which errors may be retried (default: all). */
  readonly while?: (error: E) => boolean
}

/**
 * Per-job options.
 *
 * @category models
 * @since 0.1.0
 */
export interface JobOptions<E = any> {
  /** How long this job may wait in the queue, instead of the pool's `queueTimeout`. */
  readonly queueTimeout?: import("effect").Duration.Input
  /** This job's retry policy, instead of the pool's. */
  readonly retry?: Retry<E | JobTimedOut>
  /** Higher runs first in a priority mailbox. Default 0. */
  readonly priority?: number
  /** This job's timeout, instead of the pool's `timeout`. */
  readonly timeout?: import("effect").Duration.Input
  /**
   * The job's fair-share key (its tenant, its submitter): a `Mailbox.fairShare`
   * mailbox takes jobs round-robin across keys. Jobs without one share a key.
   */
  readonly key?: string | undefined
}

// The option types above are written out for their docs; the compiler holds
// them to the Schemas that decode them: a field added, dropped or typed
// otherwise on either side fails the typecheck.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Holds<T extends true> = T
type OptionsMatchTheirSchemas = [
  Holds<Mutual<Required<CommonOptions<any>>, Required<Omit<typeof PoolOptions.PoolOptions.Encoded, "handler">>>>,
  Holds<Mutual<Required<JobOptions<any>>, Required<typeof PoolOptions.JobOptions.Encoded>>>,
  Holds<Mutual<Required<ShutdownOptions>, Required<typeof PoolOptions.ShutdownOptions.Encoded>>>
]

/**
 * A snapshot of a pool's state and counters.
 *
 * @category models
 * @since 0.1.0
 */
export interface Stats {
  readonly state: PoolState
  /** Workers now in each lifecycle state; `stopped` and `crashed` count all that ever ended so. */
  readonly workers: Readonly<Record<WorkerState, number>>
  readonly queued: number
  readonly running: number
  readonly submitted: number
  readonly completed: number
  /** Ended with the handler's typed failure. */
  readonly failed: number
  readonly defects: number
  readonly cancelled: number
  /** Running on a worker that crashed. */
  readonly crashed: number
  readonly handedBack: number
  readonly interrupted: number
  /** Ran past their run timeout (and were not retried). */
  readonly timedOut: number
  /** Waited past their queue timeout and never started. */
  readonly queueTimedOut: number
  /** Ended as dead letters: retries exhausted, or left unrun at shutdown (`shutdown.queued: "deadLetter"`). */
  readonly deadLettered: number
  /** Retries made (a job retried twice counts two). */
  readonly retried: number
  /** Dead letters dropped, oldest first, from a full dead-letter queue. */
  readonly deadLettersDropped: number
  /** Jobs a handler ran to an end: completed + failed + defects. */
  readonly served: number
  /** Workers started: the initial floor, replacements for crashed ones, and scale-ups. */
  readonly spawned: { readonly initial: number; readonly replacement: number; readonly scaleUp: number }
  /** Workers the scaling policy retired. */
  readonly retired: number
  /** Threads replaced under their workers: after a timeout, or recycled. */
  readonly threadsReplaced: number
  /** Jobs idle workers took from other workers' mailboxes (`dispatch: "workStealing"`). */
  readonly stolen: number
  /** Jobs an aging priority mailbox ran ahead of a higher-priority job (`Mailbox.priority({ aging })`). */
  readonly promoted: number
}

/**
 * What shutdown did with the jobs it did not let finish.
 *
 * @category models
 * @since 0.1.0
 */
export type ShutdownReport<I> = Shutdown.ShutdownReport<I>


/**
 * @category guards
 * @since 0.1.0
 */
export const isPool = (u: unknown): u is Pool<unknown, unknown, unknown> => u instanceof PoolImpl

/**
 * Creates a pool in the current scope. Closing the scope shuts it down (see
 * {@link shutdown}). Options are checked first: a bad one fails with
 * `InvalidOptions` naming the field and the value given.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "troupe"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.make({
 *     handler: (n: number) => Effect.succeed(n * n),
 *     maxWorkers: 4,
 *     mailbox: "priority"
 *   })
 *   return yield* Pool.submit(pool, 7, { priority: 1 }) // 49
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: {
  <I, O, E = never, R = never>(options: Options<I, O, E, R>): Effect.Effect<Pool<I, O, E>, InvalidOptions | PoolEscalated, R | Scope.Scope>
  <I, O>(options: AsyncOptions<I, O>): Effect.Effect<Pool<I, O, unknown>, InvalidOptions | PoolEscalated, Scope.Scope>
} = <I, O, E, R>(
  options: Options<I, O, E, R> | AsyncOptions<I, O>
): Effect.Effect<Pool<I, O, E>, InvalidOptions | PoolEscalated, R | Scope.Scope> =>
  Assembly.make(options) as unknown as Effect.Effect<Pool<I, O, E>, InvalidOptions | PoolEscalated, R | Scope.Scope>

/**
 * A Layer that provides a pool under `key`, shut down when the layer is released.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Pool } from "troupe"
 *
 * class Resizer extends Context.Service<Resizer, Pool.Pool<string, number>>()("app/Resizer") {}
 *
 * const ResizerLive = Pool.layer(Resizer, { handler: (path: string) => Effect.succeed(path.length) })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function layer<Id, I, O, E = never, R = never>(
  key: Context.Key<Id, Pool<I, O, E>>,
  options: Options<I, O, E, R>
): Layer.Layer<Id, InvalidOptions | PoolEscalated, R>
export function layer<Id, I, O>(
  key: Context.Key<Id, Pool<I, O, unknown>>,
  options: AsyncOptions<I, O>
): Layer.Layer<Id, InvalidOptions | PoolEscalated>
export function layer<Id>(
  key: Context.Key<Id, Pool<any, any, any>>,
  options: Options<any, any, any, any> | AsyncOptions<any, any>
): Layer.Layer<Id, InvalidOptions | PoolEscalated, any> {
  return Layer.effect(key, make(options as Options<any, any, any, any>))
}

/**
 * Submits a job and waits for its outcome. Interrupting the waiting fiber
 * cancels the job: it leaves its mailbox if still queued, or is interrupted
 * if running. When the pool is at capacity, waits for room or fails with
 * `MailboxFull`, as the pool's `onFull` says.
 *
 * @category submitting
 * @since 0.1.0
 */
export const submit: {
  <I>(input: I, options?: JobOptions): <O, E>(self: Pool<I, O, E>) => Effect.Effect<O, E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput>
  <I, O, E>(self: Pool<I, O, E>, input: I, options?: JobOptions): Effect.Effect<O, E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput>
} = dual(
  (args) => isPool(args[0]),
  <I, O, E>(self: Pool<I, O, E>, input: I, options?: JobOptions) => {
    const core = impl(self).core
    const checked = Submission.prepare(core, input, options)
    if (Submission.isRefused(checked)) return Exit.fail(checked)
    return Effect.callback<O, E | JobError | PoolClosed | MailboxFull>((resume) =>
      new Submission.Call(core, input, checked, resume as (exit: Exit.Exit<unknown, unknown>) => void).start()
    )
  }
)

/**
 * Submits a batch of jobs and waits for all their results, in input order:
 * the fast way to run many jobs. The batch costs one fiber, not one per job:
 * it admits jobs while the pool has room and waits for room as one submitter,
 * so it holds at most the pool's `capacity` of them queued. Like
 * `Effect.forEach`, the first failure ends it (the jobs still queued or
 * running are cancelled), and so does interrupting it. Every job takes
 * `options`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "troupe"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * n), maxWorkers: 4 })
 *   return yield* Pool.submitAll(pool, [1, 2, 3]) // [1, 4, 9]
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category submitting
 * @since 0.4.0
 */
export const submitAll: {
  <I>(inputs: Iterable<I>, options?: JobOptions): <O, E>(self: Pool<I, O, E>) => Effect.Effect<Array<O>, E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput>
  <I, O, E>(self: Pool<I, O, E>, inputs: Iterable<I>, options?: JobOptions): Effect.Effect<Array<O>, E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput>
} = dual(
  (args) => isPool(args[0]),
  <I, O, E>(self: Pool<I, O, E>, inputs: Iterable<I>, options?: JobOptions) =>
    Effect.callback<Array<O>, E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput>((resume) => {
      const list = Array.isArray(inputs) ? inputs : Array.from(inputs)
      const cancel = Batch.run<O>(impl(self).core, list, options, resume as (exit: Exit.Exit<Array<O>, unknown>) => void)
      return Effect.sync(cancel)
    })
)

/**
 * Runs a stream's elements through the pool, emitting each result in the
 * stream's order, with at most `concurrency` jobs submitted and not yet
 * emitted (default 1,024). The stream waits while they are in flight (back
 * pressure); the pool's own capacity applies too. Elements go to the pool as
 * they come, in batches (`submitAll`) of the stream's own chunks, at most
 * half of `concurrency` each, two at a time, so workers do not wait between
 * batches. The first failure ends the stream, and ending the stream early
 * cancels the jobs in flight.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Pool } from "troupe"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * 2) })
 *   return yield* Stream.range(1, 5).pipe(Pool.stream(pool), Stream.runCollect) // [2, 4, 6, 8, 10]
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category submitting
 * @since 0.4.0
 */
export const stream = <I, O, E>(self: Pool<I, O, E>, options?: JobOptions & { readonly concurrency?: number | undefined }) =>
  <E2, R>(elements: Stream.Stream<I, E2, R>): Stream.Stream<O, E | E2 | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput, R> => {
    const { concurrency = 1_024, ...jobOptions } = options ?? {}
    const size = Math.max(1, Math.ceil(concurrency / 2))
    const job = Object.keys(jobOptions).length === 0 ? undefined : jobOptions
    return elements.pipe(
      Stream.chunks,
      Stream.flatMap((chunk) => Stream.fromIterable(slices(chunk, size))),
      Stream.mapEffect((batch) => submitAll(self, batch, job), { concurrency: 2 }),
      Stream.flattenIterable
    )
  }

const slices = <A>(chunk: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  if (chunk.length <= size) return [chunk]
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < chunk.length; i += size) out.push(chunk.slice(i, i + size))
  return out
}

/**
 * Submits a job to run in the background and returns its handle at once (or,
 * at capacity, once there is room). Join, poll or cancel it with `Job`.
 *
 * @category submitting
 * @since 0.1.0
 */
export const fork: {
  <I>(input: I, options?: JobOptions): <O, E>(self: Pool<I, O, E>) => Effect.Effect<JobHandle<O, E>, PoolClosed | MailboxFull | InvalidOptions | InvalidInput>
  <I, O, E>(self: Pool<I, O, E>, input: I, options?: JobOptions): Effect.Effect<JobHandle<O, E>, PoolClosed | MailboxFull | InvalidOptions | InvalidInput>
} = dual(
  (args) => isPool(args[0]),
  <I, O, E>(self: Pool<I, O, E>, input: I, options?: JobOptions): Effect.Effect<JobHandle<O, E>, PoolClosed | MailboxFull | InvalidOptions | InvalidInput> => {
    const core = impl(self).core
    const checked = Submission.prepare(core, input, options)
    if (Submission.isRefused(checked)) return Exit.fail(checked)
    return Effect.suspend(() => {
      const admission = core.admission.tryAdmit(input, checked[0], checked[1])
      if (admission instanceof JobRecord) return Exit.succeed(admission as unknown as JobHandle<O, E>)
      if (admission !== undefined) return Exit.fail(admission)
      return Effect.callback<JobHandle<O, E>, PoolClosed>((resume) => {
        const pending = core.admission.wait({
          input,
          priority: checked[0],
          extras: checked[1],
          admitted: (job) => resume(Exit.succeed(job as unknown as JobHandle<O, E>)),
          rejected: (error) => resume(Exit.fail(error))
        })
        return Effect.sync(() => core.admission.withdraw(pending))
      })
    })
  }
)

/**
 * The pool's state and counters now.
 *
 * @category getters
 * @since 0.1.0
 */
export const stats = (self: Pool<any, any, any>): Effect.Effect<Stats> => Effect.sync(() => statsUnsafe(self))

/**
 * The pool's state and counters, read synchronously.
 *
 * @category getters
 * @since 0.1.0
 */
export const statsUnsafe = (self: Pool<any, any, any>): Stats => {
  const core = impl(self).core
  return { state: core.phase, queued: core.admission.queued, running: core.running(), ...core.counters.snapshot() }
}

/**
 * Inspection events from now on: worker and pool lifecycle transitions and
 * supervisor decisions. The stream ends when the pool has stopped. A
 * subscriber that falls more than `inspectionBuffer` events behind loses the
 * oldest ones; the pool never waits for it.
 *
 * With `jobs: true` the stream also carries `@troupe.job.started` and
 * `@troupe.job.finished`, each naming the worker: the pool publishes them
 * only while such a stream is read. Meanwhile they pass through every
 * reader's buffer (other readers drop them as they read), so size
 * `inspectionBuffer` for two events per job a slow reader may fall behind by.
 *
 * @category observability
 * @since 0.1.0
 */
export const events = (self: Pool<any, any, any>, options?: { readonly jobs?: boolean | undefined }): Stream.Stream<InspectionEvent> =>
  Stream.suspend(() => {
    const core = impl(self).core
    if (core.phase === "stopped") return Stream.empty
    const all = Stream.fromPubSub(core.hub).pipe(
      Stream.takeUntil((event) => event.type === "@troupe.pool.transition" && event.to === "stopped")
    )
    if (options?.jobs !== true) return Stream.filter(all, (event) => !isJobRun(event))
    const watching = Effect.acquireRelease(Effect.sync(() => core.watchJobs()), (release) => Effect.sync(release))
    return Stream.unwrap(Effect.as(watching, all))
  })

const isJobRun = (event: InspectionEvent): boolean =>
  event.type === "@troupe.job.started" || event.type === "@troupe.job.finished"

/**
 * Waits until the pool has nothing to do: no job queued, running or waiting
 * to retry. Returns at once if so now. Pair it with `awaitQueuedBelow` to
 * pace a producer; the `@troupe.pool.drained` event says the same to
 * observers.
 *
 * @category back pressure
 * @since 0.3.0
 */
export const awaitIdle = (self: Pool<any, any, any>): Effect.Effect<void> =>
  awaitLoad(self, (core) => core.admission.outstanding === 0)

/**
 * Waits until fewer than `n` jobs are queued (waiting to start, or to retry).
 * A producer that submits in bursts can wait here between bursts instead of
 * holding many suspended submits. `n` is an integer of 1 or more (below 1 it
 * could never return): anything else fails with `InvalidOptions`.
 *
 * @category back pressure
 * @since 0.3.0
 */
export const awaitQueuedBelow: {
  (n: number): (self: Pool<any, any, any>) => Effect.Effect<void, InvalidOptions>
  (self: Pool<any, any, any>, n: number): Effect.Effect<void, InvalidOptions>
} = dual(2, (self: Pool<any, any, any>, n: number): Effect.Effect<void, InvalidOptions> =>
  Number.isInteger(n) && n >= 1
    ? awaitLoad(self, (core) => core.admission.queued < n)
    : Exit.fail(Submission.invalidOption("n", n, `Expected an integer of 1 or more, got ${Submission.describe(n)}`)))

const awaitLoad = (self: Pool<any, any, any>, ready: (core: Engine) => boolean): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const core = impl(self).core
    const cancel = core.admission.whenLoad(() => ready(core), () => resume(Effect.void))
    return Effect.sync(cancel)
  })

/**
 * Changes the team's ceiling of a running pool. Raised, the scaling policy
 * may grow into it at once; lowered, idle workers retire first, then busy
 * ones drain (their running jobs finish, their queued ones move to the
 * others). Fails with `InvalidOptions` below 1 or below `minWorkers`, and
 * with `PoolClosed` once the pool is shutting down.
 *
 * @category reconfiguration
 * @since 0.3.0
 */
export const setMaxWorkers: {
  (n: number): (self: Pool<any, any, any>) => Effect.Effect<void, InvalidOptions | PoolClosed>
  (self: Pool<any, any, any>, n: number): Effect.Effect<void, InvalidOptions | PoolClosed>
} = dual(2, (self: Pool<any, any, any>, n: number): Effect.Effect<void, InvalidOptions | PoolClosed> =>
  Effect.suspend((): Effect.Effect<void, InvalidOptions | PoolClosed> => {
    const { core } = impl(self)
    const floor = Math.max(1, core.config.options.minWorkers)
    if (!Number.isInteger(n) || n < floor) {
      return invalidOption("maxWorkers", n, `Expected an integer of at least ${floor} (1, and minWorkers), got ${Submission.describe(n)}`)
    }
    if (core.phase !== "running") return Exit.fail(new PoolClosed({ pool: core.name }))
    core.team.resize(n)
    return Effect.void
  }))

/**
 * Sets, changes or (with `undefined`) lifts a running pool's rate limit: at
 * most `limit` job starts per `window`. The new limit counts afresh from now
 * (permits reserved under the old one are forgotten), and lanes waiting for a
 * permit ask again under it (or start at once without one). Fails with
 * `InvalidOptions` for a bad limit, and with `PoolClosed` once the pool is
 * shutting down.
 *
 * @category reconfiguration
 * @since 0.3.0
 */
export const setRateLimit: {
  (limit: RateLimitOptions | undefined): (self: Pool<any, any, any>) => Effect.Effect<void, InvalidOptions | PoolClosed>
  (self: Pool<any, any, any>, limit: RateLimitOptions | undefined): Effect.Effect<void, InvalidOptions | PoolClosed>
} = dual(2, (self: Pool<any, any, any>, limit: RateLimitOptions | undefined): Effect.Effect<void, InvalidOptions | PoolClosed> =>
  Effect.suspend((): Effect.Effect<void, InvalidOptions | PoolClosed> => {
    const core = impl(self).core
    if (core.phase !== "running") return Exit.fail(new PoolClosed({ pool: core.name }))
    if (limit === undefined) return Effect.sync(() => core.rateLimit.set(undefined))
    const decoded = decodeRateLimit(limit)
    return Exit.isFailure(decoded) ? decoded : Effect.sync(() => core.rateLimit.set(decoded.value))
  }))

const decodeRateLimit = PoolOptions.decoder(PoolOptions.RateLimit, "rateLimit")

/**
 * The pool's dead letters as a Stream: those already queued, then each new one
 * as it comes. Each dead letter is delivered to one reader. The stream goes on
 * after the pool stops (take what you need, or read with a timeout).
 *
 * @category dead letters
 * @since 0.3.0
 */
export const deadLetters = <I, E>(self: Pool<I, any, E>): Stream.Stream<DeadLetter<I, E | JobTimedOut>> =>
  Stream.fromQueue(impl(self).core.deadLetters.queue) as Stream.Stream<DeadLetter<I, E | JobTimedOut>>

/**
 * Takes every dead letter queued now (none: an empty array); never waits.
 *
 * @category dead letters
 * @since 0.3.0
 */
export const takeDeadLetters = <I, E>(self: Pool<I, any, E>): Effect.Effect<Array<DeadLetter<I, E | JobTimedOut>>> =>
  Queue.clear(impl(self).core.deadLetters.queue) as Effect.Effect<Array<DeadLetter<I, E | JobTimedOut>>>

/**
 * What one shutdown does, instead of the pool's own `shutdown` option: a
 * `deadline` (finite) for running and draining jobs, and what happens to
 * queued jobs (`queued`).
 *
 * @category models
 * @since 0.4.0
 */
export interface ShutdownOptions {
  readonly deadline?: import("effect").Duration.Input
  readonly queued?: "drain" | "handBack" | "deadLetter"
}

/**
 * Shuts the pool down: new submissions fail with `PoolClosed` at once; queued
 * jobs are run, handed back or dead-lettered (`queued`); running jobs get
 * until the `deadline`, after which they are interrupted. Returns what was
 * handed back or interrupted. Options left out are the pool's `shutdown`
 * option; closing the pool's scope shuts it down with those.
 *
 * It never hangs: it ends by the deadline (plus up to a second for
 * interrupted jobs to stop). Interrupting it (a timeout around it, say)
 * brings the deadline to now: running jobs are interrupted and reported to
 * their submitters, and the interruption completes once they have stopped.
 *
 * A second shutdown waits for the first and returns its report. Its deadline
 * applies if earlier, and it may turn a drain into a hand-back (its `queued`
 * then applies to the jobs still queued).
 *
 * **Example** (a SIGTERM handler with a 5 second budget)
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "troupe"
 *
 * const onSigterm = (pool: Pool.Pool<string, void>) =>
 *   Pool.shutdown(pool, { deadline: "5 seconds", queued: "handBack" }).pipe(
 *     Effect.tap((report) => Effect.log(`${report.handedBack.length} jobs to run elsewhere`))
 *   )
 * ```
 *
 * **Gotchas**
 *
 * Called from inside one of the pool's own jobs, it waits for that job too,
 * so it reaches the deadline and reports the job as interrupted. Fork it
 * (`Effect.forkDetach`) from the job instead.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const shutdown: {
  (options: ShutdownOptions): <I>(self: Pool<I, any, any>) => Effect.Effect<ShutdownReport<I>, InvalidOptions>
  <I>(self: Pool<I, any, any>): Effect.Effect<ShutdownReport<I>>
  <I>(self: Pool<I, any, any>, options: ShutdownOptions): Effect.Effect<ShutdownReport<I>, InvalidOptions>
} = dual(
  (args) => isPool(args[0]),
  <I>(self: Pool<I, any, any>, options?: ShutdownOptions): Effect.Effect<ShutdownReport<I>, InvalidOptions> =>
    Effect.suspend((): Effect.Effect<ShutdownReport<I>, InvalidOptions> => {
      const pool = impl(self)
      if (options === undefined) return pool.shutdownWith(pool.defaultTerms()) as Effect.Effect<ShutdownReport<I>>
      const given = PoolOptions.decodeShutdown(options)
      if (Exit.isFailure(given)) return Exit.fail(given.cause.reasons.find(Cause.isFailReason)!.error)
      const defaults = pool.defaultTerms()
      const terms = {
        deadlineMs: given.value.deadline === undefined ? defaults.deadlineMs : Durations.toMillis(given.value.deadline)!,
        queued: given.value.queued ?? defaults.queued
      }
      return pool.shutdownWith(terms) as Effect.Effect<ShutdownReport<I>>
    })
)

/**
 * Runs for as long as the pool's team does, for a supervision tree to watch
 * (`Supervisor.pool` uses it). Fails with `PoolEscalated` when the workers
 * crash faster than the restart intensity allows; when interrupted (the tree
 * restarts or stops this child), the team stops. Queued jobs stay in the
 * pool either way, and the team comes back when this runs again: a subtree
 * restart loses no job. Jobs still queued when the pool itself shuts down
 * are in its report.
 *
 * @category supervision
 * @since 0.1.0
 */
export const supervise = (self: Pool<any, any, any>): Effect.Effect<never, PoolEscalated | PoolClosed> => impl(self).supervise

const invalidOption = (field: string, value: unknown, message: string) =>
  Exit.fail(Submission.invalidOption(field, value, message))
