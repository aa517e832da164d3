// The rate limit on job starts: a lane takes a permit before it takes a job,
// so a job waiting for one stays queued (cancellable, stealable). Permits
// come from Effect's RateLimiter: the pool context's (a shared store lets
// pools of one name share a limit) or one in memory.
import { Deferred, Duration, Effect, Exit } from "effect"
import type * as RateLimiter from "effect/persistence/RateLimiter"

/** At most `limit` job starts per `window` (millis). */
export interface Limit {
  readonly limit: number
  readonly window: number
  readonly algorithm?: "fixed-window" | "token-bucket" | undefined
}

export class RateLimit {
  private current: Limit | undefined
  private readonly limiter: RateLimiter.RateLimiter
  private readonly pool: string
  /** Completed when lanes waiting for a permit must look again. */
  private changed = Deferred.makeUnsafe<void>()
  /** Counts limit changes: a changed limit counts afresh, under a key of its own. */
  private epoch = 0

  constructor(pool: string, limit: Limit | undefined, limiter: RateLimiter.RateLimiter) {
    this.pool = pool
    this.current = limit
    this.limiter = limiter
  }

  /** True while starts wait for permits. */
  get limited(): boolean {
    return this.current !== undefined
  }

  set(limit: Limit | undefined): void {
    this.current = limit
    this.epoch++
    this.wake()
  }

  /** Lanes waiting for a permit look again (the limit changed, or their worker is closing). */
  wake(): void {
    const changed = this.changed
    this.changed = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(changed, Exit.void)
  }

  /**
   * Waits for a start permit: true once granted, false when woken meanwhile
   * (ask again). The limiter reserves a permit (a later window's, when this
   * one is used up) and says how long to wait. Should the limiter fail (a
   * shared store down), the start goes ahead: a rate limit must not stop the
   * pool.
   */
  take(): Effect.Effect<boolean> {
    const limit = this.current
    if (limit === undefined) return Effect.succeed(true)
    const woken = Deferred.await(this.changed).pipe(Effect.as(false))
    // Keyed by the pool's name: pools of one name share a limit through a shared limiter.
    const key = this.epoch === 0 ? `troupe/${this.pool}` : `troupe/${this.pool}/${this.epoch}`
    return this.limiter.consume({ ...limit, key, onExceeded: "delay" }).pipe(
      Effect.flatMap(({ delay }) => (Duration.isZero(delay) ? Effect.succeed(true) : Effect.raceFirst(Effect.sleep(delay).pipe(Effect.as(true)), woken))),
      Effect.catch(() => Effect.succeed(true))
    )
  }
}
