// How long jobs wait and run, and how busy the team is: two histograms and
// two time integrals, kept in plain fields. Nothing is timed until someone
// first reads them (the timings, or the pool's metrics): until then a job
// pays one flag test at its submission, start and end. From then on each
// costs a clock read there and, at its start and end, a bucket increment;
// above `sampledAbove` jobs a second (measured every `checkEvery` timed
// jobs, or every second), one job in k is timed and counts for k, so the clock reads stay a
// few tens of thousands a second whatever the rate. Everything counts from the window's start: the
// first read, then each `reset`. Times are Effect's Clock, in milliseconds.
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

  /** A sample of `ms`, standing for `weight` jobs. */
  record(ms: number, weight = 1): void {
    let i = 0
    while (ms > bounds[i]!) i++ // at most 15 steps, most jobs within the first few
    this.counts[i]! += weight
    this.count += weight
    this.sum += ms * weight
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

/** The team now: workers running jobs, and workers that can (idle, busy or draining). */
export interface Team {
  readonly busy: () => number
  readonly available: () => number
}

/** Jobs a second past which one job in k is timed (k grows with the rate). */
export const sampledAbove = 20_000

/** Timed jobs between two looks at the rate. */
export const checkEvery = 1_024

/** A job's `mark` when it is not timed: queued before timing began, or not in the sample. */
const untimed = -1
const skipped = -2

export class Timings {
  readonly wait = new Histogram()
  readonly run = new Histogram()
  /** Timing since the first read; a job's `mark` is -1 until timed. */
  private on = false
  private readonly now: () => number
  private readonly team: Team
  private since = 0
  private last = 0
  private busy = 0
  private available = 0
  private busyMs = 0
  private availableMs = 0
  /** One job in `every` is timed, standing for `every`; `countdown` to the next. */
  private every = 1
  private countdown = 1
  private timedSinceCheck = 0
  private checkedAt = 0

  /** Whether a high rate may sample (not when every job's times are wanted anyway: a traced pool). */
  private readonly samples: boolean

  constructor(now: () => number, team: Team, samples = true) {
    this.now = now
    this.team = team
    this.samples = samples
  }

  /** It entered the queue (submitted, or back for a retry). */
  queued(job: JobRecord): void {
    if (!this.on) return
    if (--this.countdown > 0) return void (job.mark = skipped)
    this.countdown = this.every
    job.weight = this.every
    job.mark = this.now()
    if ((++this.timedSinceCheck === checkEvery || job.mark - this.checkedAt >= 1_000) && this.samples) this.adapt(job.mark)
  }

  /** `checkEvery` timed jobs (or a second) since the last look, each standing for `every`: the rate sets the next `every`. */
  private adapt(now: number): void {
    const rate = (this.timedSinceCheck * this.every * 1000) / Math.max(1, now - this.checkedAt) // the clock ticks in ms
    this.every = this.countdown = Math.max(1, Math.ceil(rate / sampledAbove))
    this.timedSinceCheck = 0
    this.checkedAt = now
  }

  /** It starts `at` (a clock read its caller already made, if any). */
  started(job: JobRecord, at?: number): void {
    if (!this.on || job.mark === skipped) return
    const now = at ?? this.now()
    if (job.mark !== untimed) this.wait.record(now - job.mark, job.weight) // queued before timing began: no wait to tell
    job.mark = now
  }

  /** It ran to an end (any but being taken back unstarted). */
  ended(job: JobRecord): void {
    if (this.on && job.mark >= 0) this.run.record(this.now() - job.mark, job.weight)
  }

  /** A worker changed state. */
  workers(): void {
    if (!this.on) return
    this.accrue(this.now())
    this.busy = this.team.busy()
    this.available = this.team.available()
  }

  /** Busy worker time over available worker time since the window began (0 with none). */
  utilization(): number {
    this.read()
    this.accrue(this.now())
    return this.availableMs === 0 ? 0 : this.busyMs / this.availableMs
  }

  /** Someone reads: timing starts now if it has not (the first window starts empty). */
  read(): void {
    if (this.on) return
    this.on = true
    this.reset()
    this.checkedAt = this.now()
  }

  /** Milliseconds since the window began. */
  windowMs(): number {
    this.read()
    return this.now() - this.since
  }

  /** Starts a new window (and timing, if it had not started): the histograms and the time integrals from zero. */
  reset(): void {
    this.on = true
    this.wait.reset()
    this.run.reset()
    this.since = this.last = this.now()
    this.busyMs = this.availableMs = 0
    this.busy = this.team.busy()
    this.available = this.team.available()
  }

  private accrue(now: number): void {
    this.busyMs += this.busy * (now - this.last)
    this.availableMs += this.available * (now - this.last)
    this.last = now
  }
}
