// Queue-wait timeouts: a job that has not started by its deadline is taken
// out of its queue and ends with JobQueueTimedOut. One timer per pool, set for
// the earliest deadline (a heap of them), not one per job: with one timeout
// for every job the deadlines come in order and the timer is rarely reset.
import { type Context, Effect, Exit, type Fiber } from "effect"
import { BinaryHeap } from "../strategies/internal/binaryHeap.ts"
import type { JobRecord } from "./jobRecord.ts"

interface Deadline {
  readonly at: number
  readonly job: JobRecord
}

export class QueueDeadlines {
  private readonly heap = new BinaryHeap<Deadline>((a, b) => a.at < b.at)
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
    // the top keeps the heap near the count of jobs still waiting.
    for (let top = this.heap.peek(); top !== undefined && top.job.state !== "queued"; top = this.heap.peek()) this.heap.pop()
    this.heap.push({ at, job })
    if (at < this.timerAt) this.arm(at)
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
    for (let next = this.heap.peek(); next !== undefined && next.at <= now; next = this.heap.peek()) this.expire(this.heap.pop()!.job)
    const next = this.heap.peek()
    if (next !== undefined) this.arm(next.at)
  }
}
