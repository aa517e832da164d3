// The adaptive window of a thread worker that was given no `concurrency`: how
// many jobs its lanes keep in flight to its thread. The worker has
// `maxWindow` lanes; this gate lets them hold the running job and, behind it,
// as many as fit in about `budgetMs` of the thread's time, by the mean time
// of its recent jobs (measured on the pool's Clock, from the results'
// arrival). Tiny jobs fill the window, so the thread runs them back to back
// instead of waiting a round trip for each; a job of up to `budgetMs` has the
// next one waiting behind it, so the thread never idles between them; longer
// jobs go one at a time, and the jobs behind them wait in the pool, where any
// worker can take them.
//
// An estimate cannot see a long job coming. So while jobs wait in the window
// the thread is looked at every `stallCheckMs`: if it has neither started
// nor ended a job since the last look, it is stuck on one, and the jobs
// waiting behind it are taken back (withdrawn: never started, so they go back
// to dispatch like a dead thread's). The window then stays at 1 until the
// thread answers. A job waits behind a running one in its thread's window for
// at most about 2 × `stallCheckMs`.
import { type Context, Effect, type Fiber } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import type { LaneGate } from "./jobRunner.ts"

/** Lanes of a thread worker with an adaptive window: the most jobs in flight to its thread. */
export const maxWindow = 32
/**
 * Behind its running job, the window holds about this many milliseconds of the
 * thread's work, by its jobs' mean time: one look's worth. Less, and a thread
 * running jobs of a few ms idles a round trip between them and waits to be
 * woken for each (bench G, 1.2 ms hashes: 2 ms gave 0.94-0.96x poolifier's
 * requests per second, 5 ms 1.00x).
 */
export const budgetMs = 5
/** How often (ms) a thread with jobs waiting in its window is looked at for progress. */
export const stallCheckMs = 5
/** Weight of one result in the mean: one moves it halfway, a batch of two or more replaces it. */
const weight = 0.5

/** What the window reads of its runner and thread. */
export interface WindowHost {
  /** Jobs the lanes hold now (sent to a thread, or being let go of). */
  readonly inFlight: () => number
  /**
   * A number that changes whenever the current thread starts or ends a job;
   * undefined while it has not booted (its boot is no stall).
   */
  readonly progress: () => number | undefined
  /** Whether the current thread has started a job it has not answered, and holds others it has not started. */
  readonly stuck: () => boolean
  /** Takes back the jobs the current thread has not started: they go back to dispatch. */
  readonly withdrawWaiting: () => void
}

export class ThreadWindow implements LaneGate {
  /** The window by the estimate (1 to `max`). */
  size = 1
  /** Mean milliseconds of the thread's time per job; undefined before the first result. */
  meanMs: number | undefined = undefined
  /** The thread was found stuck: the window is 1 until it answers. */
  stalled = false
  /** Stalls found (for tests and measurements). */
  stalls = 0
  private readonly max: number
  private readonly host: WindowHost
  private readonly context: Context.Context<never>
  private readonly dispatcher: SchedulerDispatcher
  private readonly waiters: Array<() => void> = []
  private wakePending = false
  private timer: Fiber.Fiber<void> | undefined = undefined
  /** The thread's progress at the last look. */
  private seen: number | undefined = undefined

  constructor(max: number, host: WindowHost, context: Context.Context<never>, dispatcher: SchedulerDispatcher) {
    this.max = max
    this.host = host
    this.context = context
    this.dispatcher = dispatcher
  }

  /** Jobs the lanes may hold now. */
  get limit(): number {
    return this.stalled ? 1 : this.size
  }

  readonly full = (): boolean => this.host.inFlight() >= this.limit

  readonly wait: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (!this.full()) return resume(Effect.void)
    const wake = () => resume(Effect.void)
    this.waiters.push(wake)
    return Effect.sync(() => {
      const index = this.waiters.indexOf(wake)
      if (index >= 0) this.waiters.splice(index, 1)
    })
  })

  /**
   * The thread answered `n` jobs in `ms` of its time (since it last answered,
   * or was sent work while idle). The window follows the new mean, growing at
   * most twofold per answer.
   */
  measured(ms: number, n: number): void {
    const sample = ms / n
    const mean = this.meanMs
    this.meanMs = mean === undefined ? sample : mean + Math.min(1, n * weight) * (sample - mean)
    // The running job, and behind it as many as fit in `budgetMs` by the mean.
    const target = this.meanMs <= 0 ? this.max : Math.min(this.max, 1 + Math.floor(budgetMs / this.meanMs))
    const before = this.limit
    this.stalled = false
    this.size = target > this.size ? Math.min(target, 2 * this.size) : target
    if (this.limit > before) this.changed()
  }

  /** The lanes may hold another job now, or hold none: wake those waiting (from a scheduler task). */
  changed(): void {
    if (this.waiters.length === 0 || this.wakePending) return
    this.wakePending = true
    this.dispatcher.scheduleTask(this.wakeWaiters, 0)
  }

  // From a task, after the lanes resumed in the same batch have taken their
  // jobs: only the room left wakes lanes. With no job held, every waiting lane
  // wakes, to find the mailbox empty and park, so the worker can idle.
  private readonly wakeWaiters = (): void => {
    this.wakePending = false
    const held = this.host.inFlight()
    let n = held === 0 ? this.waiters.length : Math.min(this.waiters.length, this.limit - held)
    while (n-- > 0) this.waiters.shift()!()
  }

  /** A job was sent: with others in flight it may wait behind them, so watch the thread. */
  sent(): void {
    if (this.timer !== undefined || this.host.inFlight() < 2) return
    this.seen ??= this.host.progress()
    const timer = Effect.runForkWith(this.context)(Effect.sleep(stallCheckMs))
    this.timer = timer
    timer.addObserver(() => {
      if (this.timer === timer) this.look()
    })
  }

  private look(): void {
    this.timer = undefined
    if (this.host.inFlight() < 2) {
      this.seen = undefined
      return
    }
    const now = this.host.progress()
    if (now === undefined || now !== this.seen || !this.host.stuck()) {
      this.seen = now
      return this.sent()
    }
    // A whole interval in which the thread started nothing and answered
    // nothing, with jobs waiting: it is running a long one.
    this.seen = undefined
    this.stalled = true
    this.stalls++
    this.host.withdrawWaiting()
  }

  /** The worker is ending: no more looks. */
  stop(): void {
    const timer = this.timer
    this.timer = undefined
    timer?.interruptUnsafe()
  }
}
