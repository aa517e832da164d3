// Retrying a failed job. The job keeps its record (and its id) throughout:
// it waits out the policy's delay off any mailbox, then goes back to
// dispatch. A policy that says stop sends it to the dead letters.
import { Duration, Effect, Exit, Schedule } from "effect"

/** A retry policy, checked: at least one of `schedule` and `times`. */
export interface RetryPolicy {
  readonly schedule: Schedule.Schedule<unknown, unknown> | undefined
  /** Retries at most (Infinity: as long as the schedule goes on). */
  readonly times: number
  /** Errors that may be retried; any other fails the job at once. */
  readonly while: ((error: unknown) => boolean) | undefined
}

/** The policy from its decoded options (`PoolOptions.Retry`). */
export const toRetryPolicy = (options: {
  readonly schedule?: unknown
  readonly times?: number
  readonly while?: (error: any) => boolean
}): RetryPolicy => ({
  schedule: options.schedule as Schedule.Schedule<unknown, unknown> | undefined,
  times: options.times ?? Infinity,
  while: options.while
})

type Step = (now: number, input: unknown) => Effect.Effect<readonly [unknown, Duration.Duration], unknown, unknown>

/** Whether `policy` lets `error` be retried at all (it may still be exhausted). */
export const retryable = (policy: RetryPolicy, error: unknown): boolean => policy.while === undefined || policy.while(error)

/** One job's retries, from its first failure: how many were made, its last error, and its schedule's state. */
export class RetryState {
  readonly policy: RetryPolicy
  private made = 0
  private last: unknown = undefined
  private step: Step | undefined = undefined

  constructor(policy: RetryPolicy) {
    this.policy = policy
  }

  /** Retries made so far. */
  get retries(): number {
    return this.made
  }

  /** The error of its last failed attempt. */
  get lastError(): unknown {
    return this.last
  }

  /** An attempt failed with `error`. */
  failed(error: unknown): void {
    this.last = error
  }

  /** A retry is made. */
  retried(): void {
    this.made++
  }

  /**
   * The delay before the next attempt, or undefined when the policy is
   * exhausted: `times` retries done, or the schedule has ended.
   */
  nextDelay(error: unknown, now: number): Effect.Effect<Duration.Duration | undefined> {
    if (this.made >= this.policy.times) return Effect.succeed(undefined)
    const schedule = this.policy.schedule
    if (schedule === undefined) return Effect.succeed(Duration.zero)
    return Effect.suspend(() => {
      const step = this.step === undefined
        ? Effect.map(Schedule.toStep(schedule) as Effect.Effect<Step>, (f) => (this.step = f))
        : Effect.succeed(this.step)
      return Effect.flatMap(step, (f) => Effect.exit(f(now, error)))
    }).pipe(
      // a schedule that ends (or fails) is exhausted
      Effect.map((exit) => (Exit.isSuccess(exit) ? exit.value[1] : undefined))
    ) as Effect.Effect<Duration.Duration | undefined, never, never>
  }
}
