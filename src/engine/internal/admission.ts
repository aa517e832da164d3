// The pool's front door: a job is admitted while there is room under the
// pool's capacity, and made one record that travels its whole path. Past it,
// submitters wait their turn (first come, first admitted) or are told the
// pool is full. Admission keeps the pool's load (jobs queued, jobs not yet
// ended) and wakes whoever waits on it: producers pacing themselves, and the
// saturated / drained signals.
import type { Tracer } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import { JobRecord, type JobExtras, type JobOwner } from "../../job/internal/jobRecord.ts"
import { RingDeque } from "../../strategies/internal/ringDeque.ts"
import type { PoolPressure } from "../Inspection.ts"
import { MailboxFull, PoolClosed } from "../PoolError.ts"
import type { Tracing } from "./tracing.ts"

/** A submission waiting for room under `onFull: "suspend"`. */
export interface PendingSubmit {
  readonly input: unknown
  readonly priority: number
  readonly extras: JobExtras | undefined
  readonly admitted: (job: JobRecord) => void
  readonly rejected: (error: PoolClosed) => void
  /** With a tracer installed: the submitter's span, taken when it began to wait. */
  parent?: Tracer.AnySpan | undefined
}

/** What admission needs of the engine. */
export interface AdmissionHost {
  readonly name: string
  readonly capacity: number
  /** At capacity: fail (`onFull: "fail"`) rather than wait. */
  readonly failWhenFull: boolean
  readonly dispatcher: SchedulerDispatcher
  /** The owner of the records it makes (cancels and settles them). */
  readonly owner: JobOwner
  /** With a tracer installed: each record carries its submitter's span (taken on the submitter's fiber). */
  readonly tracing: Tracing | undefined
  readonly isRunning: () => boolean
  /** A job was admitted: count it, route it. */
  readonly admitted: (job: JobRecord) => void
  readonly pressure: (type: PoolPressure["type"], queued: number) => void
  /** Nothing is left to do (every admitted job has ended). */
  readonly drained: () => void
}

export class Admission {
  private waiting = 0
  private unsettled = 0
  private readonly host: AdmissionHost
  private readonly producers = new RingDeque<PendingSubmit>()
  private readonly waiters: Array<{ readonly ready: () => boolean; readonly resume: () => void }> = []
  private nextSeq = 1
  private admitPending = false
  private saturated = false

  constructor(host: AdmissionHost) {
    this.host = host
  }

  /** Jobs waiting to run: in a mailbox, the shared queue, or a retry's delay. */
  get queued(): number {
    return this.waiting
  }

  /** Jobs admitted and not yet ended. */
  get outstanding(): number {
    return this.unsettled
  }

  /** Admits a job now; `undefined` means the pool is full and the caller may wait. */
  tryAdmit(input: unknown, priority: number, extras: JobExtras | undefined): JobRecord | PoolClosed | MailboxFull | undefined {
    const host = this.host
    if (!host.isRunning()) return new PoolClosed({ pool: host.name })
    if (this.waiting < host.capacity && this.producers.size === 0 && !this.admitPending) {
      return this.accept(input, priority, extras, host.tracing?.parentSpan())
    }
    if (!this.saturated) {
      this.saturated = true
      host.pressure("@troupe.pool.saturated", this.waiting)
    }
    return host.failWhenFull ? new MailboxFull({ pool: host.name, capacity: host.capacity }) : undefined
  }

  /** Queues a submission until there is room (one object per waiting submitter). */
  wait<P extends PendingSubmit>(pending: P): P {
    if (this.host.tracing !== undefined) pending.parent = this.host.tracing.parentSpan()
    this.producers.pushBack(pending)
    return pending
  }

  withdraw(pending: PendingSubmit): void {
    this.producers.remove(pending)
  }

  /** Intake stops: every waiting submitter is told the pool is closed (after the caller has settled its state). */
  closeDoor(): () => void {
    const waiting = this.producers.drain()
    const closed = new PoolClosed({ pool: this.host.name })
    return () => waiting.forEach((pending) => pending.rejected(closed))
  }

  // ---- the load ---------------------------------------------------------------

  /** A queued job left the queue to run, or was taken out of it: room for another. */
  dequeued(): void {
    this.waiting--
    this.roomOpened()
  }

  /** A job went back to waiting (it never started, or waits out a retry's delay). */
  requeued(): void {
    this.waiting++
  }

  /** Jobs taken out of the queue by shutdown (no room to open: intake is closed). */
  handedBack(n: number): void {
    this.waiting -= n
  }

  /** A job ended. */
  settled(): void {
    if (--this.unsettled > 0) return
    this.saturated = false
    this.checkWaiters()
    this.host.pressure("@troupe.pool.drained", 0)
    this.host.drained()
  }

  /** Calls `resume` (from a scheduler task) once `ready` holds; at once if it does now. Returns a cancel. */
  whenLoad(ready: () => boolean, resume: () => void): () => void {
    if (ready()) return resume(), noop
    const waiter = { ready, resume }
    this.waiters.push(waiter)
    return () => {
      const index = this.waiters.indexOf(waiter)
      if (index >= 0) this.waiters.splice(index, 1)
    }
  }

  private accept(input: unknown, priority: number, extras: JobExtras | undefined, parent: Tracer.AnySpan | undefined): JobRecord {
    const job = new JobRecord(this.nextSeq++, input, priority, extras, this.host.owner)
    if (this.host.tracing !== undefined) job.trace = { parent, span: undefined }
    this.unsettled++
    this.waiting++
    this.host.admitted(job)
    return job
  }

  // Waiting producers are admitted from a scheduler task, not on the worker's
  // stack: by then the workers have taken a batch, so a resumed producer
  // submits a batch instead of one job per resume.
  private roomOpened(): void {
    if (this.waiters.length > 0) this.checkWaiters()
    if (this.producers.size === 0 || this.admitPending) return
    this.admitPending = true
    this.host.dispatcher.scheduleTask(this.admitWaiting, 0)
  }

  private readonly admitWaiting = (): void => {
    this.admitPending = false
    while (this.waiting < this.host.capacity && this.producers.size > 0) {
      const pending = this.producers.popFront()!
      pending.admitted(this.accept(pending.input, pending.priority, pending.extras, pending.parent))
    }
  }

  private checkWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!
      if (!waiter.ready()) continue
      this.waiters.splice(i, 1)
      this.host.dispatcher.scheduleTask(waiter.resume, 0)
    }
  }
}

const noop = () => {}
