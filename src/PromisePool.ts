/**
 * A Promise façade over a pool, for code that does not use Effect. Its
 * handler can be a plain `async` function: `await pool.run(input)` resolves
 * with the job's result, or rejects with what the handler's Promise rejected
 * with (the same object), or with a tagged troupe error (`error._tag` tells
 * which: `JobTimedOut`, `PoolClosed`, …). `await pool.close()` shuts it down.
 *
 * **Example**
 *
 * ```ts
 * import { PromisePool } from "troupe"
 *
 * const pool = await PromisePool.make({ handler: async (n: number) => n * 2, maxWorkers: 2 })
 * console.log(await pool.run(21)) // 42
 * await pool.close()
 * ```
 *
 * @since 0.3.0
 */
import { Cause, Effect, Exit, Scope, Stream } from "effect"
import type { InspectionEvent } from "./engine/Inspection.ts"
import type { JobError } from "./job/JobError.ts"
import { impl } from "./engine/internal/poolImpl.ts"
import * as Submission from "./engine/internal/submission.ts"
import * as Batch from "./engine/internal/batch.ts"
import { type JobExit, type JobExtras, JobRecord } from "./job/internal/jobRecord.ts"
import type { PendingSubmit } from "./engine/internal/admission.ts"
import * as Pool from "./Pool.ts"
import type { InvalidInput, InvalidOptions, MailboxFull, PoolClosed, PoolEscalated } from "./engine/PoolError.ts"

/**
 * @category models
 * @since 0.3.0
 */
export interface PromisePool<I, O, E> {
  /** The pool, for code that does use Effect. */
  readonly pool: Pool.Pool<I, O, E>
  /**
   * Runs one job. Rejects with the handler's own failure, a `JobError`, or
   * `PoolClosed` / `MailboxFull` / `InvalidOptions` / `InvalidInput`; a
   * defect (a synchronous throw, `Effect.die`) rejects with `JobDefect`.
   * At capacity (`onFull: "suspend"`) it waits for room: pace a producer
   * with {@link PromisePool.awaitQueuedBelow} rather than holding many.
   */
  readonly run: (input: I, options?: Pool.JobOptions<E>) => Promise<O>
  /**
   * Runs a batch and resolves with every result, in input order (see
   * `Pool.submitAll`): the fast way to run many jobs, one Promise for all.
   * Rejects with the first failure; the batch's other jobs are then cancelled.
   */
  readonly runAll: (inputs: Iterable<I>, options?: Pool.JobOptions<E>) => Promise<Array<O>>
  /** Resolves once nothing is queued, running or waiting to retry. */
  readonly idle: () => Promise<void>
  /**
   * Resolves once fewer than `n` jobs are queued (at once if so now); rejects
   * with `InvalidOptions` unless `n` is an integer of 1 or more.
   */
  readonly awaitQueuedBelow: (n: number) => Promise<void>
  /**
   * Calls `listener` each time the pool becomes saturated (a submission found
   * it at capacity) or drained (nothing left to do). Returns an unsubscribe.
   */
  readonly on: (event: "saturated" | "drained", listener: () => void) => () => void
  readonly stats: () => Pool.Stats
  /**
   * Shuts the pool down (see `Pool.shutdown`, and its options to override the
   * pool's own) and resolves with the report. A later call waits for the same
   * shutdown (its deadline applies if earlier); without options it returns
   * the same Promise.
   */
  readonly close: (options?: Pool.ShutdownOptions) => Promise<Pool.ShutdownReport<I>>
}

/**
 * What a `run` may reject with.
 *
 * @category models
 * @since 0.3.0
 */
export type RunError<E> = E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput

/**
 * Starts a pool. Rejects with `InvalidOptions` (naming the bad field) or
 * `PoolEscalated` (thread workers that cannot boot).
 *
 * @category constructors
 * @since 0.3.0
 */
export function make<I, O>(options: Pool.AsyncOptions<I, O>): Promise<PromisePool<I, O, unknown>>
export function make<I, O, E = never>(options: Pool.Options<I, O, E, never>): Promise<PromisePool<I, O, E>>
export async function make<I, O, E>(options: Pool.Options<I, O, E, never> | Pool.AsyncOptions<I, O>): Promise<PromisePool<I, O, E>> {
  const scope = Effect.runSync(Scope.make())
  const made = Pool.make(options as Pool.Options<I, O, E, never>).pipe(Scope.provide(scope))
  const pool = await settle<Pool.Pool<I, O, E>, InvalidOptions | PoolEscalated>(made)
  const core = impl(pool).core
  const closed = Scope.close(scope, Exit.void)
  let closing: Promise<Pool.ShutdownReport<I>> | undefined
  return {
    pool,
    run: (input, runOptions) => {
      const checked = Submission.prepare(core, input, runOptions)
      if (Submission.isRefused(checked)) return Promise.reject(checked)
      const admission = core.admission.tryAdmit(input, checked[0], checked[1])
      if (admission instanceof JobRecord) return new Promise<O>((resolve, reject) => void admission.observe(outcome(resolve, reject)))
      if (admission !== undefined) return Promise.reject(admission)
      // Waiting for room: one small object per run, besides its Promise.
      const { promise, resolve, reject } = Promise.withResolvers<O>()
      core.admission.wait(new PendingRun(input, checked, resolve, reject))
      return promise
    },
    runAll: (inputs, runOptions) =>
      new Promise<Array<O>>((resolve, reject) =>
        void Batch.run<O>(core, Array.isArray(inputs) ? inputs : Array.from(inputs), runOptions, (exit) =>
          Exit.isSuccess(exit) ? resolve(exit.value) : reject(failureOf(exit.cause)))
      ),
    idle: () => Effect.runPromise(Pool.awaitIdle(pool)),
    awaitQueuedBelow: (n) => settle(Pool.awaitQueuedBelow(pool, n)),
    on: (event, listener) => listen(pool, `@troupe.pool.${event}`, listener),
    stats: () => Pool.statsUnsafe(pool),
    close: (closeOptions) => {
      if (closeOptions !== undefined) return settle(Pool.shutdown(pool, closeOptions).pipe(Effect.tap(() => closed)))
      return (closing ??= settle(Pool.shutdown(pool).pipe(Effect.tap(() => closed))))
    }
  }
}

// No fiber per run: the job record settles the Promise itself.
const outcome = <O>(resolve: (value: O) => void, reject: (error: unknown) => void) => (exit: JobExit) =>
  Exit.isSuccess(exit) ? resolve(exit.value as O) : reject(failureOf(exit.cause))

class PendingRun<O> implements PendingSubmit {
  readonly input: unknown
  readonly priority: number
  readonly extras: JobExtras | undefined
  readonly resolve: (value: O) => void
  readonly reject: (error: unknown) => void
  constructor(input: unknown, checked: Submission.Checked, resolve: (value: O) => void, reject: (error: unknown) => void) {
    this.input = input
    this.priority = checked[0]
    this.extras = checked[1]
    this.resolve = resolve
    this.reject = reject
  }
  admitted(job: JobRecord): void {
    job.observe(outcome(this.resolve, this.reject))
  }
  rejected(error: PoolClosed): void {
    this.reject(error)
  }
}

const listen = (pool: Pool.Pool<any, any, any>, type: InspectionEvent["type"], listener: () => void): () => void => {
  const fiber = Effect.runFork(
    Stream.runForEach(Pool.events(pool), (event) => (event.type === type ? Effect.sync(listener) : Effect.void))
  )
  return () => fiber.interruptUnsafe()
}

// Rejects with the typed error itself (not a wrapper), so `error._tag` and
// `instanceof` work; a defect rejects with what died, an interruption with
// the squashed cause.
const settle = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromiseExit(effect).then((exit) => {
    if (Exit.isSuccess(exit)) return exit.value
    throw failureOf(exit.cause)
  })

const failureOf = (cause: Cause.Cause<unknown>): unknown => {
  const failure = cause.reasons.find(Cause.isFailReason)
  return failure !== undefined ? failure.error : Cause.squash(cause)
}
