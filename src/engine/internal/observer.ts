// What a pool observes of each job, for whoever watches: its timings
// (timings.ts, once read) and its spans (tracing.ts, with a tracer
// installed). The engine tells it when a job is queued, starts and ends.
import type { Clock, Context, Exit } from "effect"
import type { JobRecord } from "../../job/internal/jobRecord.ts"
import { type Team, Timings } from "./timings.ts"
import { Tracing } from "./tracing.ts"

export class Observer {
  readonly timings: Timings
  /** Undefined with no tracer installed. */
  readonly tracing: Tracing | undefined
  private readonly now: () => number

  constructor(context: Context.Context<never>, clock: Clock.Clock, pool: string, now: () => number, team: Team) {
    this.now = now
    this.tracing = Tracing.of(context, clock, pool)
    this.timings = new Timings(now, team, this.tracing === undefined) // a traced job's times are read anyway: no sampling
  }

  /** It entered the queue (submitted, or back for a retry). */
  queued(job: JobRecord): void {
    if (this.tracing !== undefined) job.mark = this.now()
    else this.timings.queued(job)
  }

  started(job: JobRecord, workerId: number): void {
    if (this.tracing === undefined) return this.timings.started(job)
    const now = this.now() // one read for the span's wait and the timings
    const waitMs = job.mark >= 0 ? now - job.mark : -1
    this.timings.started(job, now)
    job.mark = now
    this.tracing.started(job, workerId, job.extras?.starts ?? 1, waitMs)
  }

  /** It ran to an end (any but being taken back unstarted): its exit, or how troupe ended it. */
  ended(job: JobRecord, outcome: Exit.Exit<unknown, unknown> | string): void {
    this.timings.ended(job)
    this.tracing?.ended(job, outcome)
  }

  /** A worker changed state. */
  workers(): void {
    this.timings.workers()
  }
}
