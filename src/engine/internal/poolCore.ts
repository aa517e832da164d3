// The pool's core: admission under capacity, dispatch, and the one place a job
// is settled. The team of workers is kept by the supervisor (supervision/),
// shutdown is a procedure of its own (shutdown.ts); both work on this state.
import { Cause, Clock, Context, Duration, Effect, Exit, type Fiber, PubSub, Queue, Schema } from "effect"
import * as Scheduler from "effect/Scheduler"
import type { SchedulerDispatcher } from "effect/Scheduler"
import { createActor, type Actor } from "xstate"
import type { WorkerActor, WorkerHost, AbortReason } from "../../actors/internal/workerActor.ts"
import * as FiberRunner from "../../actors/internal/fiberRunner.ts"
import { type JobRunner, RuntimeEnd } from "../../actors/internal/jobRunner.ts"
import { makeOptions as makeThreadOptions, type ThreadOptions, ThreadRunner } from "../../actors/internal/threadRunner.ts"
import type * as Thread from "../../actors/Thread.ts"
import * as WorkerLifecycle from "../../actors/WorkerLifecycle.ts"
import type { InspectionEvent } from "../Inspection.ts"
import {
  JobCancelled,
  JobDeadLettered,
  JobDefect,
  JobHandedBack,
  JobInterrupted,
  JobQueueTimedOut,
  JobTimedOut,
  WorkerCrashed
} from "../../job/JobError.ts"
import { MailboxFull, PoolClosed } from "../PoolError.ts"
import type { Decoded } from "../PoolOptions.ts"
import * as Dispatch from "../../strategies/Dispatch.ts"
import * as Mailbox from "../../strategies/Mailbox.ts"
import * as Scaling from "../../strategies/Scaling.ts"
import { RingDeque } from "../../strategies/internal/ringDeque.ts"
import * as PoolLifecycle from "../../supervision/PoolLifecycle.ts"
import { onStateChange } from "../../shared/stateChanges.ts"
import * as XStateClock from "../../shared/xstateClock.ts"
import { JobRecord, type JobExit, type JobOwner, type JobExtras, type JobSite } from "../../job/internal/jobRecord.ts"
import { Counters, type Outcome } from "./counters.ts"
import { QueueDeadlines } from "./queueDeadlines.ts"
import { type RetryPolicy, retryable, RetryState, toRetryPolicy } from "../../job/internal/retryState.ts"
import type { DeadLetter } from "../DeadLetter.ts"
import { StartPermits } from "./rateLimit.ts"

/** How a queued job can end without running. */
type Removed = "cancelled" | "handedBack" | "queueTimedOut"

/** A submission waiting for room under `onFull: "suspend"`. */
export interface PendingSubmit {
  readonly input: unknown
  readonly priority: number
  readonly extras: JobExtras | undefined
  readonly admitted: (job: JobRecord) => void
  readonly rejected: (error: PoolClosed) => void
}

/** A pool of thread workers: its handler, and the name its module exports it under. */
export interface ThreadSetup {
  readonly handler: Thread.Handler<unknown, unknown, unknown>
  readonly exportName: string
}

/** The team hooks the core calls into; implemented by the supervisor. */
export interface Team {
  readonly crashed: (worker: WorkerActor, reason: string) => void
  readonly ended: (worker: WorkerActor) => void
  /** Jobs were admitted while the team could still grow. */
  readonly loadChanged: () => void
  /** A worker has been idle for the policy's idle timeout. */
  readonly idleTimedOut: () => void
}

export class PoolCore implements JobOwner, WorkerHost {
  readonly name: string
  readonly options: Decoded
  readonly context: Context.Context<never>
  readonly concurrency: number
  readonly mailboxKind: Mailbox.MailboxKind
  readonly dispatch: Dispatch.Dispatch
  readonly capacity: number
  readonly scaling: Scaling.Scaling
  readonly idleTimeoutMs: number
  /** A job's timeout unless it sets its own (Infinity: none). */
  readonly timeoutMs: number
  /** Encodes a job's input for its thread, by the handler's input schema. */
  readonly encodeInput: ((input: unknown) => Exit.Exit<unknown, Schema.SchemaError>) | undefined
  /** Work stealing is on: an idle lane may take jobs from another worker's mailbox. */
  readonly steals: boolean
  /** The team's ceiling: `maxWorkers`, changed at run time by `Pool.setMaxWorkers`. */
  maxWorkers: number
  /** The rate limit on job starts (`rateLimit`, changed by `Pool.setRateLimit`). */
  readonly permits: StartPermits
  /** A job's queue-wait limit unless it sets its own (Infinity: none). */
  readonly queueTimeoutMs: number
  /** Every job's retry policy unless it sets its own. */
  readonly retryPolicy: RetryPolicy | undefined
  /** Jobs carry their submission time (aging reads it; dead letters report it). */
  readonly timesJobs: boolean
  /** Every job carries extras (a default timeout, an encoded input, a submission time): no fast path for plain jobs. */
  readonly jobsCarryExtras: boolean
  readonly workerMachine: typeof WorkerLifecycle.machine
  readonly dispatcher: SchedulerDispatcher
  readonly hub: PubSub.PubSub<InspectionEvent>
  readonly lifecycle: Actor<typeof PoolLifecycle.machine>
  readonly counters = new Counters()
  /** Workers that take new jobs, in dispatch order. */
  readonly accepting: Array<WorkerActor> = []
  /** Every worker whose lanes have not all ended yet. */
  readonly live = new Set<WorkerActor>()
  /**
   * The shared queue: jobs waiting for a worker while none accepts (all
   * crashed, or none yet), or, with work stealing, while every worker's own
   * mailbox is at `localCapacity`. Ordered by the pool's mailbox kind.
   */
  readonly overflow: Mailbox.Mailbox<JobRecord>
  /** With work stealing, the most jobs one worker's mailbox holds (Infinity: no limit). */
  readonly localCapacity: number
  readonly mailboxEvents: Mailbox.MailboxEvents = { promoted: () => void this.counters.promoted++ }
  readonly producers = new RingDeque<PendingSubmit>()
  team: Team | undefined = undefined
  /** Set when workers crashed faster than the restart intensity allows: why the pool gave up. */
  escalation: { readonly workerId: number; readonly reason: string } | undefined = undefined
  /** What an escalation does: shut the pool down, or tell its supervision tree (wired by Pool). */
  escalate: () => void = () => {}
  /** Set while a supervision tree supervises this pool (`Pool.supervise`). */
  supervisedBy: ((escalation: { readonly workerId: number; readonly reason: string }) => void) | undefined = undefined
  phase: PoolLifecycle.PoolState = "starting"
  queued = 0
  outstanding = 0
  /** Readers of job-by-job events (`Pool.events(pool, { jobs: true })`): none, none are published. */
  jobWatchers = 0
  private nextSeq = 1
  private admitPending = false
  private readonly clock: Clock.Clock
  private readonly overflowSite: JobSite = { unqueue: (job) => this.overflow.remove(job) }
  private readonly quiet: Array<() => void> = []
  private readonly fiberRunner: JobRunner | undefined
  /** What every thread runner of this pool shares (a pool of thread workers). */
  private readonly threadOptions: ThreadOptions | undefined

  constructor(
    options: Decoded,
    context: Context.Context<never>,
    hub: PubSub.PubSub<InspectionEvent>,
    thread: ThreadSetup | undefined
  ) {
    this.options = options
    this.name = options.name
    this.context = context
    this.timeoutMs = options.timeout === undefined ? Infinity : Duration.toMillis(Duration.fromInputUnsafe(options.timeout))
    const inputSchema = thread?.handler.schemas.input
    this.encodeInput = inputSchema && Schema.encodeUnknownExit(inputSchema)
    this.fiberRunner = thread === undefined ? FiberRunner.make(options.handler as FiberRunner.FiberHandler) : undefined
    this.concurrency = options.concurrency
    this.mailboxKind = Mailbox.fromOption(options.mailbox)
    this.maxWorkers = options.maxWorkers
    this.permits = new StartPermits(options.name, options.rateLimit)
    this.queueTimeoutMs = options.queueTimeout === undefined ? Infinity : Duration.toMillis(Duration.fromInputUnsafe(options.queueTimeout))
    this.retryPolicy = options.retry && toRetryPolicy(options.retry)
    this.queuedAtShutdown = options.shutdown.queued
    this.timesJobs = this.mailboxKind.timesJobs === true || this.retryPolicy !== undefined || options.shutdown.queued === "deadLetter"
    this.jobsCarryExtras = this.encodeInput !== undefined || this.timeoutMs !== Infinity || this.timesJobs ||
      this.queueTimeoutMs !== Infinity
    this.dispatch = Dispatch.fromOption(options.dispatch)
    this.steals = this.dispatch.steal !== undefined
    this.localCapacity = this.steals ? this.dispatch.localCapacity ?? Infinity : Infinity
    this.overflow = this.mailboxKind.make<JobRecord>(this.mailboxEvents)
    this.capacity = options.capacity === "unbounded" ? Infinity : options.capacity
    this.scaling = Scaling.fromOption(options.scaling)
    this.idleTimeoutMs = this.scaling.idleTimeout === undefined ? Infinity : Duration.toMillis(this.scaling.idleTimeout)
    this.workerMachine = WorkerLifecycle.machine.provide({
      actions: { idleTimedOut: () => this.team?.idleTimedOut() }
    })
    this.hub = hub
    this.clock = Context.getUnsafe(context, Clock.Clock)
    this.dispatcher = Context.getUnsafe(context, Scheduler.Scheduler).makeDispatcher()
    this.threadOptions = thread && this.makeThreadOptions(thread)
    this.lifecycle = createActor(PoolLifecycle.machine, {
      clock: XStateClock.fromContext(context),
      inspect: onStateChange(() => this.lifecycle, () => this.phase, (from, to, event) => {
        this.phase = to
        this.publish({ type: "@troupe.pool.transition", pool: this.name, from, to, event, at: this.now() })
      })
    })
  }

  now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  publish(event: InspectionEvent): void {
    PubSub.publishUnsafe(this.hub, event)
  }

  // ---- admission -----------------------------------------------------------

  /** Admits a job now; `undefined` means the pool is full and the caller may wait. */
  tryAdmit(input: unknown, priority: number, extras: JobExtras | undefined): JobRecord | PoolClosed | MailboxFull | undefined {
    if (this.phase !== "running") return new PoolClosed({ pool: this.name })
    if (this.queued < this.capacity && this.producers.size === 0 && !this.admitPending) return this.accept(input, priority, extras)
    if (!this.saturated) this.saturate()
    if (this.options.onFull === "fail") return new MailboxFull({ pool: this.name, capacity: this.capacity })
    return undefined
  }

  /** Queues a submission until there is room; first come, first admitted. */
  waitForRoom(
    input: unknown,
    priority: number,
    extras: JobExtras | undefined,
    admitted: PendingSubmit["admitted"],
    rejected: PendingSubmit["rejected"]
  ): PendingSubmit {
    return this.wait({ input, priority, extras, admitted, rejected })
  }

  /** Queues a submission the caller made (one object per waiting submitter: see PromisePool). */
  wait<P extends PendingSubmit>(pending: P): P {
    this.producers.pushBack(pending)
    return pending
  }

  withdraw(pending: PendingSubmit): void {
    this.producers.remove(pending)
  }

  private accept(input: unknown, priority: number, extras: JobExtras | undefined): JobRecord {
    const job = new JobRecord(this.nextSeq++, input, priority, extras, this)
    this.counters.submitted++
    this.outstanding++
    this.queued++
    if (extras !== undefined && extras.queueTimeoutMs !== Infinity) this.queueDeadlines().add(job, this.now() + extras.queueTimeoutMs)
    this.route(job)
    if (this.accepting.length < this.maxWorkers) this.team?.loadChanged()
    return job
  }

  private admitWaiting(): void {
    while (this.queued < this.capacity && this.producers.size > 0) {
      const pending = this.producers.popFront()!
      pending.admitted(this.accept(pending.input, pending.priority, pending.extras))
    }
  }

  /** Sends a queued job to a worker's mailbox, or to the shared queue when none has room. */
  route(job: JobRecord): void {
    const workers = this.accepting
    const n = workers.length
    if (n === 0) return this.share(job)
    const pick = n === 1 ? 0 : this.dispatch.select(job, workers)
    const worker = workers[Number.isInteger(pick) ? ((pick % n) + n) % n : 0]!
    if (worker.queued < this.localCapacity) return worker.enqueue(job)
    this.share(job)
    // A worker with an idle lane takes it now (custom dispatch may pass it by).
    for (const w of workers) w.nudge()
  }

  private share(job: JobRecord): void {
    job.site = this.overflowSite
    this.overflow.offer(job)
  }

  /** Routes the shared queue's jobs again (a worker has become available); each once. */
  flushOverflow(): void {
    // Routing can wake a lane that takes from the shared queue itself: re-read it each time.
    for (let n = this.overflow.size; n > 0 && this.accepting.length > 0; n--) {
      const job = this.overflow.take()
      if (job === undefined) return
      this.route(job)
    }
  }

  /**
   * A job from the shared queue for `worker` (work stealing): a lane's regular
   * look there, so nothing waits in it forever behind full mailboxes.
   */
  takeShared(worker: WorkerActor): JobRecord | undefined {
    const job = this.phase === "running" ? this.overflow.take() : undefined
    if (job !== undefined) job.site = worker
    return job
  }

  // ---- the worker host -------------------------------------------------------

  /**
   * An idle lane of `thief` asks for work: its share of the shared queue, or
   * half the victim's queued jobs (from the end the victim would take from
   * last) move to the thief, which runs the first at once.
   */
  steal(thief: WorkerActor): JobRecord | undefined {
    const workers = this.accepting
    const self = workers.indexOf(thief)
    // Only a worker that takes jobs steals: not one still spawning (its thread
    // booting) or not yet in the team; it is nudged once it is.
    if (this.phase !== "running" || self < 0 || thief.state === "spawning") return undefined
    if (this.overflow.size > 0) return this.fromShared(thief)
    const index = this.dispatch.steal!(self, workers)
    const victim = workers[index]
    if (victim === undefined || victim === thief) return undefined
    const jobs = victim.giveUp(Math.ceil(victim.queued / 2))
    if (jobs.length === 0) return undefined
    this.counters.stolen += jobs.length
    return this.handOver(thief, jobs)
  }

  // Before stealing, an idle lane takes its share of the shared queue: as many
  // as each worker's even share, up to half its mailbox's capacity.
  private fromShared(thief: WorkerActor): JobRecord | undefined {
    const share = Math.ceil(this.overflow.size / this.accepting.length)
    const n = Math.min(share, Math.max(1, Math.floor(this.localCapacity / 2)))
    const jobs: Array<JobRecord> = []
    for (let job = this.overflow.take(); job !== undefined; job = jobs.length < n ? this.overflow.take() : undefined) jobs.push(job)
    return this.handOver(thief, jobs)
  }

  /** The first job runs on the thief's idle lane now; the rest queue in its mailbox. */
  private handOver(thief: WorkerActor, jobs: ReadonlyArray<JobRecord>): JobRecord | undefined {
    for (let i = 1; i < jobs.length; i++) thief.enqueue(jobs[i]!)
    if (jobs[0] !== undefined) jobs[0].site = thief
    return jobs[0]
  }

  makeRunner(worker: WorkerActor): JobRunner {
    if (this.threadOptions === undefined) return this.fiberRunner!
    return new ThreadRunner(this.threadOptions, (reason) => {
      this.counters.threadsReplaced++
      this.publish({ type: "@troupe.worker.threadReplaced", pool: this.name, workerId: worker.id, reason, at: this.now() })
    })
  }

  private makeThreadOptions({ exportName, handler }: ThreadSetup): ThreadOptions {
    const { recycleAfterJobs, recycleAboveHeapMb, maxHeapMb } = this.options.thread
    const spec = {
      module: handler.module,
      exportName,
      heapLimitBytes: recycleAboveHeapMb === undefined ? undefined : recycleAboveHeapMb * 1024 * 1024,
      maxHeapMb,
      window: this.concurrency,
      context: this.context,
      dispatcher: this.dispatcher
    }
    return makeThreadOptions(spec, handler.schemas, recycleAfterJobs ?? Infinity)
  }

  started(job: JobRecord, worker: WorkerActor): void {
    const extras = job.extras
    if (extras !== undefined) extras.starts++
    job.state = "running"
    this.queued--
    this.roomOpened()
    if (this.jobWatchers > 0) {
      const attempt = extras?.starts ?? 1
      this.publish({ type: "@troupe.job.started", pool: this.name, jobId: job.id, workerId: worker.id, attempt, at: this.now() })
    }
  }

  // Waiting producers are admitted from a scheduler task, not on the worker's
  // stack: by then the workers have taken a batch, so a resumed producer
  // submits a batch instead of one job per resume.
  private roomOpened(): void {
    if (this.pressure.length > 0) this.checkPressure()
    if (this.producers.size === 0 || this.admitPending) return
    this.admitPending = true
    this.dispatcher.scheduleTask(this.admitScheduled, 0)
  }

  private readonly admitScheduled = (): void => {
    this.admitPending = false
    this.admitWaiting()
  }

  finished(job: JobRecord, outcome: Exit.Exit<unknown, unknown> | AbortReason, worker: WorkerActor): void {
    // A thread settles a cancelled job at once and its lane reports it again when it lets go: one event.
    if (this.jobWatchers > 0 && job.state === "running") this.publishFinished(job, outcome, worker)
    if (typeof outcome !== "string") return this.settleExit(job, outcome, worker)
    if (outcome === "requeue") return this.requeue(job)
    if (outcome === "cancel") return void this.settle(job, "cancelled", Exit.fail(new JobCancelled({ jobId: job.id })))
    if (outcome === "shutdown") return void this.settle(job, "interrupted", Exit.fail(new JobInterrupted({ jobId: job.id })))
    this.settle(job, "crashed", Exit.fail(new WorkerCrashed({ jobId: job.id, workerId: worker.id, reason: worker.crashReason })))
  }

  private publishFinished(job: JobRecord, outcome: Exit.Exit<unknown, unknown> | AbortReason, worker: WorkerActor): void {
    const result = typeof outcome === "string" ? outcome : Exit.isSuccess(outcome) ? "success" : "failure"
    this.publish({ type: "@troupe.job.finished", pool: this.name, jobId: job.id, workerId: worker.id, result, at: this.now() })
  }

  transition(worker: WorkerActor, from: WorkerLifecycle.WorkerState, to: WorkerLifecycle.WorkerState, event: string): void {
    this.counters.workerTransition(from, to)
    if (from === "spawning" && to === "idle") this.teamUpSettled(undefined)
    this.publish({ type: "@troupe.worker.transition", pool: this.name, workerId: worker.id, from, to, event, at: this.now() })
  }

  laneDied(worker: WorkerActor, cause: Cause.Cause<unknown>): void {
    this.team?.crashed(worker, Cause.pretty(cause))
  }

  runnerDied(worker: WorkerActor, reason: string): void {
    this.team?.crashed(worker, reason)
  }

  /** A job its worker held but never started goes back to dispatch (or is handed back, after shutdown began). */
  private requeue(job: JobRecord): void {
    job.state = "queued"
    this.queued++
    if (this.phase === "running") this.route(job)
    else this.handBack([job])
  }

  ended(worker: WorkerActor): void {
    this.live.delete(worker)
    // A worker ends with an empty mailbox; should one ever not, its jobs move on.
    const left = worker.takeAll()
    if (left.length > 0) this.phase === "running" ? left.forEach((job) => this.route(job)) : this.handBack(left)
    this.team?.ended(worker)
    this.checkQuiet()
  }

  // ---- settling ----------------------------------------------------------------

  private settleExit(job: JobRecord, exit: Exit.Exit<unknown, unknown>, worker: WorkerActor): void {
    if (Exit.isSuccess(exit)) return void this.settle(job, "completed", exit)
    const cause = exit.cause
    if (Cause.hasFails(cause)) {
      const error = cause.reasons.find(Cause.isFailReason)!.error
      if (!(error instanceof RuntimeEnd)) return this.failed(job, "failed", exit, error)
      if (error.kind === "timedOut") {
        const timedOut = new JobTimedOut({ jobId: job.id, timeoutMillis: job.timeoutMs })
        return this.failed(job, "timedOut", Exit.fail(timedOut), timedOut)
      }
      return void this.settle(job, "crashed", Exit.fail(new WorkerCrashed({ jobId: job.id, workerId: worker.id, reason: error.reason })))
    }
    if (Cause.hasDies(cause)) {
      const defect = cause.reasons.find(Cause.isDieReason)?.defect
      return void this.settle(job, "defects", Exit.fail(new JobDefect({ jobId: job.id, defect })))
    }
    this.settle(job, "interrupted", Exit.fail(new JobInterrupted({ jobId: job.id })))
  }

  // ---- retries and dead letters ------------------------------------------------

  /** Jobs waiting out a retry delay: each is counted as queued, and sits here until it goes back to dispatch. */
  readonly retrying = new Map<JobRecord, Fiber.Fiber<Duration.Duration | undefined>>()
  private readonly retrySite: JobSite = {
    unqueue: (job) => {
      const fiber = this.retrying.get(job)
      if (fiber === undefined) return false
      this.retrying.delete(job)
      fiber.interruptUnsafe()
      return true
    }
  }
  /** Set by Pool.make: where dead letters go (a sliding queue). */
  deadLetters: Queue.Queue<DeadLetter<unknown, unknown>> | undefined = undefined

  // A failed job with a retry policy waits its delay and goes back to
  // dispatch; when the policy is exhausted it ends as a dead letter.
  private failed(job: JobRecord, outcome: "failed" | "timedOut", exit: JobExit, error: unknown): void {
    const extras = job.extras
    const policy = extras?.retry
    if (policy === undefined || !retryable(policy, error)) return void this.settle(job, outcome, exit)
    const retry = (extras!.retryState ??= new RetryState(policy))
    retry.lastError = error
    if (this.phase !== "running") return this.deadLetter(job, "shutdown", error, exit)
    job.state = "queued"
    job.site = this.retrySite
    this.queued++
    const fiber = Effect.runForkWith(this.context)(retry.nextDelay(error, this.now()).pipe(Effect.tap((delay) => (delay === undefined ? Effect.void : Effect.sleep(delay)))))
    this.retrying.set(job, fiber)
    fiber.addObserver((delay) => {
      if (this.retrying.get(job) !== fiber) return // cancelled, or dead-lettered at shutdown
      this.retrying.delete(job)
      job.site = undefined
      if (Exit.isSuccess(delay) && delay.value !== undefined && this.phase === "running") return this.retryNow(job, retry)
      this.queued--
      this.roomOpened()
      this.deadLetter(job, "retriesExhausted", error, exit)
    })
  }

  private retryNow(job: JobRecord, retry: RetryState): void {
    retry.retries++
    this.counters.retried++
    this.publish({ type: "@troupe.job.retried", pool: this.name, jobId: job.id, attempt: job.attempts + 1, at: this.now() })
    this.route(job)
  }

  /** Ends a job as a dead letter: with its last error (retries exhausted) or unrun (shutdown). */
  deadLetter(job: JobRecord, reason: DeadLetter<unknown, unknown>["reason"], error: unknown, exit: JobExit): void {
    const attempts = job.attempts // read while its state still tells whether it ever started
    if (!this.settle(job, "deadLettered", exit)) return
    const queue = this.deadLetters
    if (queue === undefined) return
    if (Queue.sizeUnsafe(queue) >= this.options.deadLetters.capacity) this.counters.deadLettersDropped++
    Queue.offerUnsafe(queue, {
      jobId: job.id,
      input: job.input,
      reason,
      error,
      attempts,
      submittedAt: job.submittedAt,
      deadLetteredAt: this.now()
    })
  }

  // A job queued again for a retry ends with its last error; one that never ran, with JobDeadLettered.
  private deadLetterAtShutdown(job: JobRecord): void {
    const retry = job.extras?.retryState
    if (retry !== undefined) return this.deadLetter(job, "shutdown", retry.lastError, Exit.fail(retry.lastError))
    this.deadLetter(job, "shutdown", undefined, Exit.fail(new JobDeadLettered({ jobId: job.id })))
  }

  /** Jobs waiting to retry when shutdown begins are not retried: they end as dead letters with their last error. */
  abandonRetries(): void {
    for (const job of [...this.retrying.keys()]) {
      this.retrySite.unqueue(job)
      job.site = undefined
      this.queued--
      this.deadLetterAtShutdown(job)
    }
  }

  private deadlines: QueueDeadlines | undefined = undefined

  private queueDeadlines(): QueueDeadlines {
    return (this.deadlines ??= new QueueDeadlines(this.context, () => this.now(), (job) => {
      // only a job that never started: a retried one waits in the queue again, under no limit
      if (job.state === "queued" && job.extras!.starts === 0) this.unqueue(job, "queueTimedOut")
    }))
  }

  /** Stops the queue-wait timer (the pool has stopped). */
  stopTimers(): void {
    this.deadlines?.close()
  }

  /** The one place a job ends. */
  settle(job: JobRecord, outcome: Outcome, exit: JobExit): boolean {
    if (!job.settle(exit)) return false
    this.counters.settled(outcome)
    this.outstanding--
    if (this.outstanding === 0) this.drained()
    return true
  }

  // ---- back pressure: signals for producers that pace themselves -----------------

  /** Fibers waiting for a condition on the pool's load (`Pool.awaitIdle`, `Pool.awaitQueuedBelow`). */
  private readonly pressure: Array<{ readonly ready: () => boolean; readonly resume: () => void }> = []
  private saturated = false

  /** Calls `resume` (from a scheduler task) once `ready` holds; at once if it does now. Returns a cancel. */
  whenLoad(ready: () => boolean, resume: () => void): () => void {
    if (ready()) return resume(), () => {}
    const waiter = { ready, resume }
    this.pressure.push(waiter)
    return () => {
      const index = this.pressure.indexOf(waiter)
      if (index >= 0) this.pressure.splice(index, 1)
    }
  }

  private checkPressure(): void {
    for (let i = this.pressure.length - 1; i >= 0; i--) {
      const waiter = this.pressure[i]!
      if (!waiter.ready()) continue
      this.pressure.splice(i, 1)
      this.dispatcher.scheduleTask(waiter.resume, 0)
    }
  }

  private saturate(): void {
    this.saturated = true
    this.publish({ type: "@troupe.pool.saturated", pool: this.name, queued: this.queued, at: this.now() })
  }

  // Nothing left to do: the queue's pressure is gone too.
  private drained(): void {
    this.saturated = false
    if (this.pressure.length > 0) this.checkPressure()
    this.publish({ type: "@troupe.pool.drained", pool: this.name, queued: 0, at: this.now() })
    this.checkQuiet()
  }

  /** Removes a queued job from wherever it waits and settles it. */
  unqueue(job: JobRecord, outcome: Removed): boolean {
    if (job.state !== "queued" || job.site === undefined || !job.site.unqueue(job)) return false
    job.site = undefined
    this.queued--
    this.settleRemoved(job, outcome)
    this.roomOpened()
    return true
  }

  /** Settles a job already taken out of its queue. */
  settleRemoved(job: JobRecord, outcome: Removed): void {
    const jobId = job.id
    const error = outcome === "cancelled"
      ? new JobCancelled({ jobId })
      : outcome === "handedBack"
      ? new JobHandedBack({ jobId })
      : new JobQueueTimedOut({ jobId, timeoutMillis: job.extras!.queueTimeoutMs })
    this.settle(job, outcome, Exit.fail(error))
  }

  /** What shutdown does with queued jobs: the pool's `shutdown.queued`, or what `Pool.shutdown` was told. */
  queuedAtShutdown: "drain" | "handBack" | "deadLetter"

  /** Jobs handed back or interrupted by shutdown, for its report. */
  readonly ledger = { handedBack: [] as Array<JobRecord>, interrupted: [] as Array<JobRecord> }

  /**
   * Hands back jobs already taken out of their queues (shutdown, or a crash
   * during it); with `shutdown.queued: "deadLetter"`, makes them dead letters.
   */
  handBack(jobs: ReadonlyArray<JobRecord>): void {
    this.queued -= jobs.length
    const toDeadLetters = this.queuedAtShutdown === "deadLetter"
    for (const job of jobs) {
      if (toDeadLetters) this.deadLetterAtShutdown(job)
      else {
        this.ledger.handedBack.push(job)
        this.settleRemoved(job, "handedBack")
      }
    }
  }

  cancel(job: JobRecord): void {
    if (job.state === "queued") this.unqueue(job, "cancelled")
    else if (job.state === "running") job.site?.cancelRunning?.(job)
  }

  // ---- the team's first boot (thread pools) ---------------------------------------

  private teamUp: Array<(escalation: PoolCore["escalation"]) => void> | undefined = []

  /** Calls `f` once a worker has booted, or with the escalation if the team gave up first. */
  onTeamUp(f: (escalation: PoolCore["escalation"]) => void): () => void {
    if (this.teamUp === undefined) return f(this.escalation), () => {}
    this.teamUp.push(f)
    return () => this.teamUp && this.teamUp.splice(this.teamUp.indexOf(f) >>> 0, 1)
  }

  teamUpSettled(escalation: PoolCore["escalation"]): void {
    const waiting = this.teamUp
    if (waiting === undefined) return
    this.teamUp = undefined
    for (const f of waiting) f(escalation)
  }

  // ---- quiescence (for shutdown) ---------------------------------------------------

  /** Calls `f` once nothing is outstanding and no worker is live (at once if so now). */
  whenQuiet(f: () => void): void {
    this.quiet.push(f)
    this.checkQuiet()
  }

  private checkQuiet(): void {
    if (this.quiet.length === 0 || this.live.size > 0 || this.outstanding > 0) return
    for (const f of this.quiet.splice(0)) f()
  }
}
