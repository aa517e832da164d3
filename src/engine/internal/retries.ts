// Retrying a failed job. The job keeps its record (and its id) throughout: it
// waits out its policy's delay off any mailbox, counted as queued and
// cancellable, then goes back to dispatch. When the policy says stop, it ends
// as a dead letter; if the pool shuts down meanwhile, likewise.
import { type Context, Effect, Exit, type Fiber, type Duration } from "effect"
import type { JobExit, JobRecord, JobSite } from "../../job/internal/jobRecord.ts"
import { retryable } from "../../job/internal/retryState.ts"
import type { DeadLetters } from "./deadLetters.ts"
import type { Outcome } from "./counters.ts"

/** What retries need of the engine. */
export interface RetriesHost {
  readonly context: Context.Context<never>
  readonly now: () => number
  readonly isRunning: () => boolean
  readonly settle: (job: JobRecord, outcome: Outcome, exit: JobExit) => boolean
  /** The job waits again (its delay), or stops waiting (exhausted). */
  readonly requeued: () => void
  readonly dequeued: () => void
  /** Its delay is over: count the retry, and send it back to dispatch. */
  readonly retry: (job: JobRecord, attempt: number) => void
}

export class Retries {
  private readonly host: RetriesHost
  private readonly deadLetters: DeadLetters
  /** Jobs waiting out a delay, each with the fiber that waits. */
  private readonly waiting = new Map<JobRecord, Fiber.Fiber<Duration.Duration | undefined>>()
  private readonly site: JobSite = { unqueue: (job) => this.unqueue(job) }

  constructor(host: RetriesHost, deadLetters: DeadLetters) {
    this.host = host
    this.deadLetters = deadLetters
  }

  // A failed job with a retry policy waits its delay and goes back to
  // dispatch; when the policy is exhausted it ends as a dead letter.
  failed(job: JobRecord, outcome: Outcome, exit: JobExit, error: unknown): void {
    const extras = job.extras
    const policy = extras?.retry
    if (policy === undefined || !retryable(policy, error)) return void this.host.settle(job, outcome, exit)
    const retry = job.retries(policy)
    retry.failed(error)
    if (!this.host.isRunning()) return this.deadLetters.put(job, "shutdown", error, exit)
    job.requeue(this.site)
    this.host.requeued()
    const fiber = Effect.runForkWith(this.host.context)(
      retry.nextDelay(error, this.host.now()).pipe(Effect.tap((delay) => (delay === undefined ? Effect.void : Effect.sleep(delay))))
    )
    this.waiting.set(job, fiber)
    fiber.addObserver((delay) => {
      if (this.waiting.get(job) !== fiber) return // cancelled, or dead-lettered at shutdown
      this.waiting.delete(job)
      job.at(undefined)
      if (Exit.isSuccess(delay) && delay.value !== undefined && this.host.isRunning()) {
        retry.retried()
        return this.host.retry(job, job.attempts + 1)
      }
      this.host.dequeued()
      this.deadLetters.put(job, "retriesExhausted", error, exit)
    })
  }

  /** Shutdown: jobs waiting to retry are not retried; they end as dead letters with their last error. */
  abandon(): void {
    for (const job of [...this.waiting.keys()]) {
      this.unqueue(job)
      job.at(undefined)
      this.host.dequeued()
      this.deadLetters.atShutdown(job)
    }
  }

  private unqueue(job: JobRecord): boolean {
    const fiber = this.waiting.get(job)
    if (fiber === undefined) return false
    this.waiting.delete(job)
    fiber.interruptUnsafe()
    return true
  }
}
