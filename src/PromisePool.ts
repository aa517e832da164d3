/**
 * A Promise façade over a pool, for code that does not use Effect: `await
 * pool.run(input)` resolves with the job's result or rejects with the same
 * tagged error an Effect caller would get (`error._tag` tells which), and
 * `await pool.close()` shuts it down.
 *
 * **Example**
 *
 * ```ts
 * import { PromisePool } from "troupe"
 * import { Effect } from "effect"
 *
 * const pool = await PromisePool.make({ handler: (n: number) => Effect.succeed(n * 2), maxWorkers: 2 })
 * console.log(await pool.run(21)) // 42
 * await pool.close()
 * ```
 *
 * @since 0.3.0
 */
import { Cause, Effect, Exit, Scope } from "effect"
import type { JobError } from "./JobError.ts"
import * as Pool from "./Pool.ts"
import type { InvalidInput, InvalidOptions, MailboxFull, PoolClosed, PoolEscalated } from "./PoolError.ts"

/**
 * @category models
 * @since 0.3.0
 */
export interface PromisePool<I, O, E> {
  /** The pool, for code that does use Effect. */
  readonly pool: Pool.Pool<I, O, E>
  /**
   * Runs one job. Rejects with the handler's typed failure, a `JobError`, or
   * `PoolClosed` / `MailboxFull` / `InvalidOptions` / `InvalidInput`; a
   * defect rejects with `JobDefect`.
   */
  readonly run: (input: I, options?: Pool.JobOptions<E>) => Promise<O>
  /** Resolves once nothing is queued, running or waiting to retry. */
  readonly idle: () => Promise<void>
  readonly stats: () => Pool.Stats
  /** Shuts the pool down (see `Pool.shutdown`) and resolves with the report; later calls return the same. */
  readonly close: () => Promise<Pool.ShutdownReport<I>>
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
export const make = async <I, O, E = never>(options: Pool.Options<I, O, E, never>): Promise<PromisePool<I, O, E>> => {
  const scope = Effect.runSync(Scope.make())
  const pool = await settle<Pool.Pool<I, O, E>, InvalidOptions | PoolEscalated>(Pool.make(options).pipe(Scope.provide(scope)))
  let closing: Promise<Pool.ShutdownReport<I>> | undefined
  return {
    pool,
    run: (input, runOptions) => settle(Pool.submit(pool, input, runOptions)),
    idle: () => Effect.runPromise(Pool.awaitIdle(pool)),
    stats: () => Pool.statsUnsafe(pool),
    close: () =>
      (closing ??= Effect.runPromise(
        Pool.shutdown(pool).pipe(Effect.tap(() => Scope.close(scope, Exit.void)))
      ))
  }
}

// Rejects with the typed error itself (not a wrapper), so `error._tag` and
// `instanceof` work; a defect rejects with what died, an interruption with
// the squashed cause.
const settle = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromiseExit(effect).then((exit) => {
    if (Exit.isSuccess(exit)) return exit.value
    const failure = exit.cause.reasons.find(Cause.isFailReason)
    throw failure !== undefined ? failure.error : Cause.squash(exit.cause)
  })
