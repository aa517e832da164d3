/**
 * Job handles: what `Pool.fork` returns for a job that runs in the
 * background. Join it for the outcome, poll it, or cancel it.
 *
 * @since 0.1.0
 */
import { Effect, Exit, Option } from "effect"
import type { JobError } from "./job/JobError.ts"
import { HandleTypeId, JobRecord } from "./job/internal/jobRecord.ts"
import * as Submission from "./engine/internal/submission.ts"

/**
 * A handle on one accepted job. Its outcome is settled exactly once.
 *
 * @category models
 * @since 0.1.0
 */
export interface JobHandle<out O, out E = never> {
  readonly [HandleTypeId]: typeof HandleTypeId
  /** Unique within its pool, increasing in submission order. */
  readonly id: number
  /** @internal phantom types */
  readonly "~types"?: { readonly O: O; readonly E: E }
}

/**
 * @category guards
 * @since 0.1.0
 */
export const isJobHandle = (u: unknown): u is JobHandle<unknown, unknown> => u instanceof JobRecord

/**
 * Waits for the job's outcome. Interrupting the waiting fiber does not cancel
 * the job (use {@link cancel}).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Job, Pool } from "troupe"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * 2) })
 *   const handle = yield* Pool.fork(pool, 21)
 *   return yield* Job.join(handle) // 42
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const join = <O, E>(handle: JobHandle<O, E>): Effect.Effect<O, E | JobError> => {
  const job = handle as unknown as JobRecord<unknown, O, E>
  const exit = job.exit
  if (exit !== undefined) return exit
  return Effect.callback<O, E | JobError>((resume) => {
    const unobserve = job.resumeWith(resume)
    return Effect.sync(unobserve)
  })
}

/**
 * The job's outcome if it has settled.
 *
 * @category combinators
 * @since 0.1.0
 */
export const poll = <O, E>(handle: JobHandle<O, E>): Effect.Effect<Option.Option<Exit.Exit<O, E | JobError>>> =>
  Effect.sync(() => Option.fromUndefinedOr((handle as unknown as JobRecord<unknown, O, E>).exit))

/**
 * Cancels the job and waits until it has settled: a queued job leaves its
 * mailbox at once; a running job is interrupted (its finalizers run). Its
 * outcome is `JobCancelled`, unless it settled first.
 *
 * @category combinators
 * @since 0.1.0
 */
export const cancel = <O, E>(handle: JobHandle<O, E>): Effect.Effect<void> => Submission.cancel(handle as unknown as JobRecord)

/**
 * The job's id.
 *
 * @category getters
 * @since 0.1.0
 */
export const id = (handle: JobHandle<unknown, unknown>): number => handle.id

/**
 * Times the job has started so far: 1 once it ran, more after retries (0
 * while it waits for its first start).
 *
 * @category getters
 * @since 0.3.0
 */
export const attempts = (handle: JobHandle<unknown, unknown>): number => (handle as unknown as JobRecord).attempts

