// How long jobs wait and run, and how busy the team is: two histograms and
// two time integrals, kept in plain fields (a job's start and end each cost a
// clock read and a bucket increment; nothing else runs until someone reads).
// Everything counts from the window's start, which `reset` moves to now.
// Times are Effect's Clock, in milliseconds.
import type { JobRecord } from "../../job/internal/jobRecord.ts"

/** Bucket bounds in ms: the upper bound of each bucket, the last one open. */
export const bounds: ReadonlyArray<number> = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, Infinity]

/** A histogram over `bounds`. */
export class Histogram {
  private readonly counts = new Array<number>(bounds.length).fill(0)
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity

  record(ms: number): void {
    let i = 0
    while (ms > bounds[i]!) i++ // at most 15 steps, most jobs within the first few
    this.counts[i]!++
    this.count++
    this.sum += ms
    if (ms < this.min) this.min = ms
    if (ms > this.max) this.max = ms
  }

  reset(): void {
    this.counts.fill(0)
    this.count = 0
    this.sum = 0
    this.min = Infinity
    this.max = -Infinity
  }

  /** Cumulative counts per bound, as Effect's histogram state has them. */
  buckets(): Array<[number, number]> {
    let total = 0
    return bounds.map((bound, i) => [bound, (total += this.counts[i]!)])
  }

  /** The bound of the bucket holding the `q` quantile (0 < q ≤ 1); undefined with no samples. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined
    const rank = Math.ceil(q * this.count)
    let seen = 0
    for (let i = 0; i < bounds.length; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(bounds[i]!, this.max)
    }
    return this.max
  }
}

export class Timings {
  readonly wait = new Histogram()
  readonly run = new Histogram()
  private readonly now: () => number
  private since: number
  private last: number
  private busy = 0
  private available = 0
  private busyMs = 0
  private availableMs = 0

  constructor(now: () => number) {
    this.now = now
    this.since = this.last = now()
  }

  /** It entered the queue (submitted, or back for a retry). */
  queued(job: JobRecord): void {
    job.mark = this.now()
  }

  started(job: JobRecord): void {
    const now = this.now()
    this.wait.record(now - job.mark)
    job.mark = now
  }

  /** It ran to an end (any but being taken back unstarted). */
  ended(job: JobRecord): void {
    this.run.record(this.now() - job.mark)
  }

  /** The team changed: `busy` workers running jobs, of `available` that can. */
  workers(busy: number, available: number): void {
    this.accrue(this.now())
    this.busy = busy
    this.available = available
  }

  /** Busy worker time over available worker time since the window began (0 with none). */
  utilization(): number {
    this.accrue(this.now())
    return this.availableMs === 0 ? 0 : this.busyMs / this.availableMs
  }

  /** Milliseconds since the window began. */
  windowMs(): number {
    return this.now() - this.since
  }

  /** Starts a new window: the histograms and the time integrals from zero. */
  reset(): void {
    this.wait.reset()
    this.run.reset()
    this.since = this.last = this.now()
    this.busyMs = this.availableMs = 0
  }

  private accrue(now: number): void {
    this.busyMs += this.busy * (now - this.last)
    this.availableMs += this.available * (now - this.last)
    this.last = now
  }
}
