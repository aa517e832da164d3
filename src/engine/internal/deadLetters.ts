// Dead letters: jobs the pool gave up on, kept in a bounded queue for the
// user to read (`Pool.deadLetters`). A job becomes one when its retries run
// out, or at shutdown with `queued: "deadLetter"` before it ran. Past the
// capacity the oldest is dropped, and counted.
import { Exit, Queue } from "effect"
import { JobDeadLettered } from "../../job/JobError.ts"
import type { JobExit, JobRecord } from "../../job/internal/jobRecord.ts"
import type { DeadLetter } from "../DeadLetter.ts"
import type { Outcome } from "./counters.ts"

/** What dead letters need of the engine. */
export interface DeadLettersHost {
  readonly capacity: number
  readonly now: () => number
  /** The one place a job ends: false when it had ended already. */
  readonly settle: (job: JobRecord, outcome: Outcome, exit: JobExit) => boolean
  readonly dropped: () => void
}

export class DeadLetters {
  private readonly host: DeadLettersHost
  readonly queue: Queue.Queue<DeadLetter<unknown, unknown>>

  constructor(host: DeadLettersHost, queue: Queue.Queue<DeadLetter<unknown, unknown>>) {
    this.host = host
    this.queue = queue
  }

  /** Ends a job as a dead letter: with its last error (retries exhausted) or unrun (shutdown). */
  put(job: JobRecord, reason: DeadLetter<unknown, unknown>["reason"], error: unknown, exit: JobExit): void {
    const attempts = job.attempts // read while its state still tells whether it ever started
    if (!this.host.settle(job, "deadLettered", exit)) return
    if (Queue.sizeUnsafe(this.queue) >= this.host.capacity) this.host.dropped()
    const now = this.host.now()
    Queue.offerUnsafe(this.queue, { jobId: job.id, input: job.input, reason, error, attempts, submittedAt: job.submittedAt, deadLetteredAt: now })
  }

  // A job queued again for a retry ends with its last error; one that never ran, with JobDeadLettered.
  atShutdown(job: JobRecord): void {
    const retry = job.extras?.retryState
    if (retry !== undefined) return this.put(job, "shutdown", retry.lastError, Exit.fail(retry.lastError))
    this.put(job, "shutdown", undefined, Exit.fail(new JobDeadLettered({ jobId: job.id })))
  }
}
