// Queue-wait timeouts: a job that has not started by its deadline is taken
// out of its queue and ends with JobQueueTimedOut. One timer per pool, set for
// the earliest deadline, not one per job. With one timeout for every job the
// deadlines come in order: they queue in a deque (no allocation, O(1)); only
// a deadline earlier than the last one (a job's own, shorter timeout) goes
// to a heap.
import { type Context, Effect, Exit, type Fiber } from "effect"
import { BinaryHeap } from "../../strategies/internal/binaryHeap.ts"
import { RingDeque } from "../../strategies/internal/ringDeque.ts"
import type { JobRecord } from "../../job/internal/jobRecord.ts"

interface Deadline {
  readonly at: number
  readonly job: JobRecord
}

export class QueueDeadlines {
  private readonly heap = new BinaryHeap<Deadline>((a, b) => a.at < b.at)
  /** Deadlines in order, and their jobs (two deques: no object per job). */
  private readonly ats = new RingDeque<number>()
  private readonly jobs = new RingDeque<JobRecord>()
  private lastAt = -Infinity
  private timer: Fiber.Fiber<void> | undefined = undefined
  private timerAt = Infinity
  private readonly context: Context.Context<never>
  private readonly now: () => number
  /** Ends a job still waiting at its deadline (a no-op for one that started or ended). */
  private readonly expire: (job: JobRecord) => void

  constructor(context: Context.Context<never>, now: () => number, expire: (job: JobRecord) => void) {
    this.context = context
    this.now = now
    this.expire = expire
  }

  add(job: JobRecord, at: number): void {
    // Jobs start roughly in deadline order: dropping the started ones from
    // the front keeps the deque near the count of jobs still waiting.
    while (this.jobs.size > 0 && this.jobs.peekFront()!.state !== "queued") {
      this.jobs.popFront()
      this.ats.popFront()
    }
    if (at >= this.lastAt) {
      this.lastAt = at
      this.ats.pushBack(at)
      this.jobs.pushBack(job)
    } else this.heap.push({ at, job })
    if (at < this.timerAt) this.arm(at)
  }

  /** The earliest deadline waiting, in either structure. */
  private earliest(): number | undefined {
    const inOrder = this.ats.peekFront()
    const other = this.heap.peek()?.at
    return inOrder === undefined ? other : other === undefined ? inOrder : Math.min(inOrder, other)
  }

  /** Stops the timer (the pool has stopped); pending deadlines no longer matter. */
  close(): void {
    const timer = this.timer
    this.timer = undefined
    this.timerAt = -Infinity // nothing arms it again
    timer?.interruptUnsafe()
  }

  // The new timer is in place before the old one is interrupted: an
  // interrupted timer's observer may run at once, and must see it is stale.
  private arm(at: number): void {
    const previous = this.timer
    this.timerAt = at
    const timer = Effect.runForkWith(this.context)(Effect.sleep(Math.max(0, at - this.now())))
    this.timer = timer
    timer.addObserver((exit) => {
      if (this.timer === timer && Exit.isSuccess(exit)) this.fire()
    })
    previous?.interruptUnsafe()
  }

  private fire(): void {
    this.timer = undefined
    this.timerAt = Infinity
    const now = this.now()
    while (this.ats.size > 0 && this.ats.peekFront()! <= now) {
      this.ats.popFront()
      this.expire(this.jobs.popFront()!)
    }
    for (let next = this.heap.peek(); next !== undefined && next.at <= now; next = this.heap.peek()) this.expire(this.heap.pop()!.job)
    const next = this.earliest()
    if (next !== undefined) this.arm(next)
  }
}
