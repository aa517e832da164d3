/**
 * Dead letters: jobs the pool gave up on, kept for you to inspect, replay or
 * log. A job becomes one when its retry policy is exhausted, or when the pool
 * shuts down with `shutdown.queued: "deadLetter"` before it ran. Read them with
 * `Pool.deadLetters` (a Stream) or `Pool.takeDeadLetters` (what is there now).
 *
 * @since 0.3.0
 */

/**
 * @category models
 * @since 0.3.0
 */
export interface DeadLetter<I, E> {
  readonly jobId: number
  readonly input: I
  /** Why the pool gave up on it. */
  readonly reason: "retriesExhausted" | "shutdown"
  /** The last error it failed with (absent for a job that never ran). */
  readonly error?: E | undefined
  /** Times it started. */
  readonly attempts: number
  /**
   * Clock millis when it was submitted. Pools record it when they may need
   * it (a retry policy, `shutdown.queued: "deadLetter"`, an aging mailbox);
   * a job dead-lettered by `Pool.shutdown(pool, { queued: "deadLetter" })` on
   * a pool made without it has none.
   */
  readonly submittedAt: number | undefined
  /** Clock millis when it became a dead letter. */
  readonly deadLetteredAt: number
}
