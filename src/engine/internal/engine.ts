// The engine of one pool: it wires the parts, each of which owns its state
// (admission the load, the router the shared queue, the team supervisor the
// workers, retries their waiting jobs, shutdown its report), and keeps the
// one place where a job ends (`settle`). Workers and the team report to it;
// nothing outside writes its state.
import { Clock, Context, type Effect, Exit, PubSub, type Queue } from "effect"
import type * as RateLimiter from "effect/persistence/RateLimiter"
import * as Scheduler from "effect/Scheduler"
import type { SchedulerDispatcher } from "effect/Scheduler"
import { createActor, type Actor } from "xstate"
import { type AbortReason, WorkerActor } from "../../actors/internal/workerActor.ts"
import { Lifecycles } from "../../actors/internal/lifecycles.ts"
import type { WorkerEvents, WorkerSetup } from "../../actors/internal/workerSetup.ts"
import * as WorkerLifecycle from "../../actors/WorkerLifecycle.ts"
import type { JobExit, JobOwner, JobRecord } from "../../job/internal/jobRecord.ts"
import { onStateChange } from "../../shared/stateChanges.ts"
import * as XStateClock from "../../shared/xstateClock.ts"
import * as PoolLifecycle from "../../supervision/PoolLifecycle.ts"
import { type Escalation, TeamSupervisor } from "../../supervision/internal/team.ts"
import type { DeadLetter } from "../DeadLetter.ts"
import type { InspectionEvent } from "../Inspection.ts"
import { Admission } from "./admission.ts"
import type { Config } from "./config.ts"
import { Counters, type Outcome } from "./counters.ts"
import { DeadLetters } from "./deadLetters.ts"
import { QueueDeadlines } from "./queueDeadlines.ts"
import { RateLimit } from "./rateLimit.ts"
import { Retries } from "./retries.ts"
import { elsewhereOf, Router } from "./router.ts"
import * as Runners from "./runners.ts"
import * as TeamEvents from "./teamEvents.ts"
import * as Settlement from "./settlement.ts"
import { Shutdown, type ShutdownReport, type Terms } from "./shutdown.ts"
import { Observer } from "./observer.ts"

/** What the engine is made with besides its config: things made with Effects, and its owner's escalation handler. */
export interface EngineParts {
  readonly context: Context.Context<never>
  readonly hub: PubSub.PubSub<InspectionEvent>
  readonly deadLetters: Queue.Queue<DeadLetter<unknown, unknown>>
  readonly limiter: RateLimiter.RateLimiter
  /** The team gave up: shut the pool down, or tell the supervision tree. */
  readonly escalated: (escalation: Escalation) => void
}

export class Engine implements JobOwner {
  readonly config: Config
  readonly name: string
  readonly context: Context.Context<never>
  readonly dispatcher: SchedulerDispatcher
  readonly counters = new Counters()
  readonly observe: Observer
  readonly decisionListeners = new Set<(event: InspectionEvent) => void>()
  readonly admission: Admission
  readonly router: Router
  readonly team: TeamSupervisor
  readonly rateLimit: RateLimit
  readonly deadLetters: DeadLetters
  readonly hub: PubSub.PubSub<InspectionEvent>
  private readonly retries: Retries
  private readonly clock: Clock.Clock
  private readonly lifecycle: Actor<typeof PoolLifecycle.machine>
  private readonly workerSetup: WorkerSetup
  private readonly quiet: Array<() => void> = []
  private state: PoolLifecycle.PoolState = "starting"
  private jobWatchers = 0
  private deadlines: QueueDeadlines | undefined = undefined
  private shutdown: Shutdown | undefined = undefined

  constructor(config: Config, parts: EngineParts) {
    this.config = config
    this.name = config.name
    this.context = parts.context
    this.hub = parts.hub
    this.clock = Context.getUnsafe(parts.context, Clock.Clock)
    this.dispatcher = Context.getUnsafe(parts.context, Scheduler.Scheduler).makeDispatcher()
    const { options } = config
    const isRunning = () => this.state === "running"
    const now = () => this.now()
    this.observe = new Observer(parts.context, this.clock, config.name, now, { busy: () => this.counters.workersIn("busy"), available: () => this.counters.available() })
    this.admission = new Admission({
      name: config.name,
      capacity: config.capacity,
      failWhenFull: options.onFull === "fail",
      dispatcher: this.dispatcher,
      owner: this,
      tracing: this.observe.tracing,
      isRunning,
      admitted: (job) => this.admitted(job),
      pressure: (type, queued) => this.publish({ type, pool: this.name, queued, at: this.now() }),
      drained: () => this.checkQuiet()
    })
    const mailboxEvents = { promoted: () => this.counters.add("promoted") }
    this.rateLimit = new RateLimit(config.name, options.rateLimit, parts.limiter)
    const settle = (job: JobRecord, outcome: Outcome, exit: JobExit) => this.settle(job, outcome, exit)
    this.deadLetters = new DeadLetters(
      { capacity: options.deadLetters.capacity, now, settle, dropped: () => this.counters.add("deadLettersDropped") },
      parts.deadLetters
    )
    this.retries = new Retries({
      context: parts.context,
      now,
      isRunning,
      settle,
      requeued: () => this.admission.requeued(),
      dequeued: () => this.admission.dequeued(),
      retry: (job, attempt) => this.retry(job, attempt)
    }, this.deadLetters)
    this.workerSetup = {
      context: parts.context,
      makeRunner: Runners.make(config, parts.context, this.dispatcher, (worker, reason) => {
        this.counters.add("threadsReplaced")
        this.publish({ type: "@troupe.worker.threadReplaced", pool: this.name, workerId: worker.id, reason, at: this.now() })
      }),
      concurrency: config.lanes,
      mailboxKind: config.mailboxKind,
      mailboxEvents,
      dispatcher: this.dispatcher,
      lifecycles: new Lifecycles(WorkerLifecycle.machine, parts.context, config.idleTimeoutMs, () => this.team.idleTimedOut()),
      now,
      permits: this.rateLimit,
      elsewhere: config.steals ? elsewhereOf(() => this.router, this.admission) : undefined,
      events: this.workerEvents
    }
    this.team = new TeamSupervisor({
      minWorkers: options.minWorkers,
      maxWorkers: options.maxWorkers,
      restart: { intensity: options.restart.intensity, periodMs: options.restart.period },
      scaling: config.scaling,
      concurrency: config.concurrency,
      dispatcher: this.dispatcher,
      now,
      isRunning,
      queued: () => this.admission.queued,
      makeWorker: (id) => new WorkerActor(id, this.workerSetup),
      rehome: (jobs) => this.rehome(jobs),
      joined: () => this.router.flushShared(),
      report: (event) => TeamEvents.reported(this, event),
      gaveUp: parts.escalated
    })
    this.router = new Router({
      dispatch: config.dispatch,
      localCapacity: config.localCapacity,
      mailboxKind: config.mailboxKind,
      mailboxEvents,
      accepting: this.team.accepting,
      isRunning,
      stolen: (n) => this.counters.add("stolen", n)
    })
    this.lifecycle = createActor(PoolLifecycle.machine, {
      clock: XStateClock.fromContext(parts.context),
      inspect: onStateChange(() => this.lifecycle, () => this.state, (from, to, event) => {
        this.state = to
        this.publish({ type: "@troupe.pool.transition", pool: this.name, from, to, event, at: this.now() })
      })
    })
  }

  /** The pool's lifecycle state. */
  get phase(): PoolLifecycle.PoolState {
    return this.state
  }

  now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  publish(event: InspectionEvent): void {
    PubSub.publishUnsafe(this.hub, event)
  }

  /** Starts the pool: running first (the team only scales a running pool), then the team's floor. */
  start(): void {
    this.lifecycle.start()
    this.lifecycle.send({ type: "STARTED" })
    this.team.start()
  }

  /** Job-by-job events are published while someone reads them; returns the release. */
  watchJobs(): () => void {
    this.jobWatchers++
    return () => void this.jobWatchers--
  }

  /** Jobs running now, across the team. */
  running(): number {
    let running = 0
    for (const worker of this.team.live) running += worker.running
    return running
  }

  /** Starts the shutdown with `terms`, or amends the one under way; waits for its report. */
  shutdownWith(terms: Terms): Effect.Effect<ShutdownReport<unknown>> {
    if (this.shutdown === undefined) this.shutdown = new Shutdown(this.shutdownHost, terms)
    else this.shutdown.amend(terms)
    return this.shutdown.await
  }

  // ---- the one place a job ends --------------------------------------------------

  settle(job: JobRecord, outcome: Outcome, exit: JobExit): boolean {
    if (!job.settle(exit)) return false
    this.counters.settled(outcome)
    this.admission.settled()
    return true
  }

  /** Removes a queued job from wherever it waits and settles it. */
  unqueue(job: JobRecord, removed: Settlement.Removed): boolean {
    if (job.state !== "queued" || job.site === undefined || !job.site.unqueue(job)) return false
    job.at(undefined)
    this.admission.dequeued()
    const verdict = Settlement.ofRemoval(job, removed)
    this.settle(job, verdict.outcome, verdict.exit)
    return true
  }

  cancel(job: JobRecord): void {
    if (job.state === "queued") this.unqueue(job, "cancelled")
    else if (job.state === "running") job.site?.cancelRunning?.(job)
  }

  // ---- what workers report ------------------------------------------------------------

  private readonly workerEvents: WorkerEvents = {
    started: (worker, job) => {
      job.start()
      this.observe.started(job, worker.id)
      this.admission.dequeued()
      if (this.jobWatchers === 0) return
      const attempt = job.extras?.starts ?? 1
      this.publish({ type: "@troupe.job.started", pool: this.name, jobId: job.id, workerId: worker.id, attempt, at: this.now() })
    },
    finished: (worker, job, outcome) => {
      if (typeof outcome !== "string" && Exit.isSuccess(outcome)) {
        this.observe.ended(job, outcome)
        if (this.jobWatchers > 0 && job.state === "running") this.publishFinished(worker, job, outcome)
        return void this.settle(job, "completed", outcome) // no verdict to make
      }
      const withdrawn = Settlement.isWithdrawn(outcome)
      if (!withdrawn) this.observe.ended(job, outcome)
      const ending = withdrawn ? "requeue" : outcome
      // A thread settles a cancelled job at once and its lane reports it again when it lets go: one event.
      if (this.jobWatchers > 0 && job.state === "running") this.publishFinished(worker, job, ending)
      if (ending === "requeue") return this.requeue(job, withdrawn ? worker : undefined)
      const verdict = Settlement.ofRun(job, ending, worker)
      if (verdict.retryable) return this.retries.failed(job, verdict.outcome, verdict.exit, verdict.error)
      this.settle(job, verdict.outcome, verdict.exit)
    },
    transition: (worker, from, to, event) => {
      this.counters.workerTransition(from, to)
      this.observe.workers()
      if (from === "spawning" && to === "idle") this.team.booted()
      this.publish({ type: "@troupe.worker.transition", pool: this.name, workerId: worker.id, from, to, event, at: this.now() })
    },
    died: (worker, reason) => this.team.crashed(worker, reason),
    ended: (worker) => {
      this.team.ended(worker)
      this.checkQuiet()
    }
  }

  private publishFinished(worker: WorkerActor, job: JobRecord, ending: Exit.Exit<unknown, unknown> | AbortReason): void {
    const result = typeof ending === "string" ? ending : Exit.isSuccess(ending) ? "success" : "failure"
    this.publish({ type: "@troupe.job.finished", pool: this.name, jobId: job.id, workerId: worker.id, result, at: this.now() })
  }

  // ---- where jobs go -----------------------------------------------------------------

  private admitted(job: JobRecord): void {
    this.counters.add("submitted")
    this.observe.queued(job)
    const extras = job.extras
    if (extras !== undefined && extras.queueTimeoutMs !== Infinity) this.queueDeadlines().add(job, this.now() + extras.queueTimeoutMs)
    this.router.route(job)
    this.team.loadChanged()
  }

  /**
   * A job its worker held but never started goes back to dispatch (or is handed back, after shutdown began).
   * One its live worker took back from behind a long job (`from`) during a drain waits in that worker's
   * mailbox, which the drain runs to its end, as it would have before it was sent.
   */
  private requeue(job: JobRecord, from?: WorkerActor): void {
    job.unstart()
    this.admission.requeued()
    if (from !== undefined && this.state !== "running" && this.shutdown?.draining === true) return from.enqueue(job)
    this.rehome([job])
  }

  private rehome(jobs: ReadonlyArray<JobRecord>): void {
    if (jobs.length === 0) return
    if (this.state === "running") for (const job of jobs) this.router.route(job)
    else if (this.shutdown !== undefined) this.shutdown.handBack(jobs)
  }

  private retry(job: JobRecord, attempt: number): void {
    this.counters.add("retried")
    this.publish({ type: "@troupe.job.retried", pool: this.name, jobId: job.id, attempt, at: this.now() })
    this.observe.queued(job)
    this.router.route(job)
  }

  private queueDeadlines(): QueueDeadlines {
    return (this.deadlines ??= new QueueDeadlines(this.context, () => this.now(), (job) => {
      // only a job that never started: a retried one waits in the queue again, under no limit
      if (job.state === "queued" && job.extras!.starts === 0) this.unqueue(job, "queueTimedOut")
    }))
  }

  // ---- quiescence (for shutdown) ---------------------------------------------------

  /** Calls `f` once nothing is outstanding and no worker is live (at once if so now). */
  private whenQuiet(f: () => void): void {
    this.quiet.push(f)
    this.checkQuiet()
  }

  private checkQuiet(): void {
    if (this.quiet.length === 0 || this.team.live.size > 0 || this.admission.outstanding > 0) return
    for (const f of this.quiet.splice(0)) f()
  }

  private get shutdownHost(): ConstructorParameters<typeof Shutdown>[0] {
    return {
      name: this.name,
      context: this.context,
      dispatcher: this.dispatcher,
      now: () => this.now(),
      escalation: () => this.team.escalation,
      lifecycle: (type) => this.lifecycle.send({ type }),
      closeDoor: () => this.admission.closeDoor(),
      live: () => this.team.live,
      stopAccepting: () => this.team.stopAccepting(),
      drainShared: () => this.router.drainShared(),
      abandonRetries: () => this.retries.abandon(),
      wakePermits: () => this.rateLimit.wake(),
      unqueued: (n) => this.admission.handedBack(n),
      settle: (job, outcome, exit) => this.settle(job, outcome, exit),
      deadLetter: (job) => this.deadLetters.atShutdown(job),
      whenQuiet: (f) => this.whenQuiet(f),
      stopTimers: () => this.deadlines?.close()
    }
  }
}
