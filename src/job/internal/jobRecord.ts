// The one record that travels a job's whole path, from admission to its one
// outcome. Everything that can end a job goes through `settle`, which takes
// effect once; later calls are no-ops. The record is also the user's handle.
import type { Exit, Tracer } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import type { JobError } from "../JobError.ts"
import { type RetryPolicy, RetryState } from "./retryState.ts"

export type JobState = "queued" | "running" | "settled"

/** Where a job sits (a worker's mailbox, or the overflow), so it can be cancelled there. */
export interface JobSite {
  /** Removes a queued job; false when it is not queued here. */
  readonly unqueue: (job: JobRecord) => boolean
  /** Interrupts a job running here; it settles once its fiber has stopped. */
  readonly cancelRunning?: (job: JobRecord) => void
}

/** The pool, as seen by a job: it knows how to cancel and settle one. */
export interface JobOwner {
  readonly cancel: (job: JobRecord) => void
  readonly dispatcher: SchedulerDispatcher
}

/** What only some jobs carry: kept out of the record unless a job has it, so a plain job stays small. */
export interface JobExtras {
  /** What is sent to a thread: the input, encoded by the handler's schema. */
  readonly payload: unknown
  /** Clock millis the job may run; Infinity: no limit. */
  readonly timeoutMs: number
  /** Clock millis at submission, in pools whose mailbox ages jobs. */
  readonly submittedAt: number | undefined
  /** The fair-share key. */
  readonly key: string | undefined
  /** Its retry policy (shared by the pool's jobs). */
  readonly retry: RetryPolicy | undefined
  /** Times it started. */
  starts: number
  /** Its retries so far: made at its first failure, so a job that never fails costs nothing more. */
  retryState: RetryState | undefined
  /** Clock millis it may wait in the queue before it starts; Infinity: no limit. */
  readonly queueTimeoutMs: number
}

export type JobExit<O = unknown, E = unknown> = Exit.Exit<O, E | JobError>
type Observer = (exit: JobExit<any, any>) => void

export const HandleTypeId = "~troupe/JobHandle" as const

export class JobRecord<I = unknown, O = unknown, E = unknown> {
  declare readonly [HandleTypeId]: typeof HandleTypeId
  readonly seq: number
  readonly input: I
  readonly priority: number
  readonly extras: JobExtras | undefined
  readonly owner: JobOwner
  private now: JobState = "queued"
  private where: JobSite | undefined = undefined
  exit: JobExit<O, E> | undefined = undefined
  /** When (Clock ms) it last entered a queue, or started, for the pool's timings; -1, -2: not timed. */
  mark = -1
  /** How many jobs its timings stand for (one in k is timed at high rates). */
  weight = 1
  /** With a tracer installed: the submitter's span, and the running attempt's. */
  trace: { readonly parent: Tracer.AnySpan | undefined; span: Tracer.Span | undefined } | undefined = undefined
  private observers: Observer | Array<Observer> | undefined = undefined

  constructor(seq: number, input: I, priority: number, extras: JobExtras | undefined, owner: JobOwner) {
    this.seq = seq
    this.input = input
    this.priority = priority
    this.extras = extras
    this.owner = owner
  }

  get id(): number {
    return this.seq
  }

  get state(): JobState {
    return this.now
  }

  /** Where the job is queued, or the worker running it; undefined while it is in hand. */
  get site(): JobSite | undefined {
    return this.where
  }

  /** It is queued at `site` now (a mailbox, the shared queue, a retry's delay), or held by the worker `site`; undefined: in hand. */
  at(site: JobSite | undefined): void {
    this.where = site
  }

  /** It leaves its queue to run (one more start). */
  start(): void {
    if (this.extras !== undefined) this.extras.starts++
    this.now = "running"
  }

  /** It waits again, at `site`: it never started after all, or it waits out a retry's delay. */
  requeue(site: JobSite | undefined): void {
    this.now = "queued"
    this.where = site
  }

  /** Its runner took it back before it ran (a dead thread's, or one behind a long job): in hand, its start not counted. */
  unstart(): void {
    if (this.extras !== undefined) this.extras.starts--
    this.requeue(undefined)
  }

  /** Its retries under `policy`, made at its first failure. */
  retries(policy: RetryPolicy): RetryState {
    return (this.extras!.retryState ??= new RetryState(policy))
  }

  /** Clock millis the job may run; Infinity: no limit. */
  get timeoutMs(): number {
    return this.extras === undefined ? Infinity : this.extras.timeoutMs
  }

  get submittedAt(): number | undefined {
    return this.extras?.submittedAt
  }

  get key(): string | undefined {
    return this.extras?.key
  }

  /** Times the job started (counted for jobs that carry extras; a plain job: 1 once started). */
  get attempts(): number {
    const extras = this.extras
    return extras !== undefined ? extras.starts : this.state === "queued" ? 0 : 1
  }

  /** What is sent to a thread: the input, encoded by the handler's schema when it has one. */
  get payload(): unknown {
    return this.extras === undefined ? this.input : this.extras.payload
  }

  /** Completes the job once; returns false when it was already settled. */
  settle(exit: JobExit<O, E>): boolean {
    if (this.exit !== undefined) return false
    this.exit = exit
    this.now = "settled"
    this.where = undefined
    const observers = this.observers
    this.observers = undefined
    if (typeof observers === "function") observers(exit)
    else if (observers !== undefined) for (const observer of observers) observer(exit)
    return true
  }

  /** Calls `observer` with the outcome (at once if already settled); returns an unsubscribe. */
  observe(observer: (exit: JobExit<O, E>) => void): () => void {
    if (this.exit !== undefined) {
      observer(this.exit)
      return noop
    }
    const current = this.observers
    if (current === undefined) this.observers = observer
    else if (typeof current === "function") this.observers = [current, observer]
    else current.push(observer)
    return () => this.unobserve(observer)
  }

  /**
   * Resumes a waiting fiber with the outcome from a scheduler task, not on the
   * settling worker's stack: under load a waiter then wakes to a batch of
   * settled jobs instead of switching fibers once per job.
   */
  resumeWith(resume: (exit: JobExit<O, E>) => void): () => void {
    const dispatcher = this.owner.dispatcher
    return this.observe((exit) => dispatcher.scheduleTask(() => resume(exit), 0))
  }

  /** Stops calling `observer` (a waiter that stopped waiting). */
  unobserve(observer: Observer): void {
    const current = this.observers
    if (current === observer) this.observers = undefined
    else if (Array.isArray(current)) {
      const index = current.indexOf(observer)
      if (index >= 0) current.splice(index, 1)
    }
  }
}

// On the prototype, not on each of possibly millions of records.
Object.defineProperty(JobRecord.prototype, HandleTypeId, { value: HandleTypeId })

const noop = () => {}
