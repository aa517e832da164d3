// A worker: an actor with its own mailbox and `concurrency` lanes, each a
// fiber looping take -> run -> settle while there is work. A lane that finds
// none parks: its fiber ends, and a new one starts when work arrives, so an
// idle worker holds no fiber. Its runner runs a job on the lane's fiber or on
// the worker's thread. Its lifecycle lives in an XState actor that hears only
// edges (busy/idle), never one event per job.
import { Cause, Context, Effect, Exit, type Fiber } from "effect"
import { type Mailbox, stealFrom } from "../../strategies/Mailbox.ts"
import { sharedQueueInterval, type WorkerLoad } from "../../strategies/Dispatch.ts"
import { CurrentWorkerId } from "../Worker.ts"
import * as WorkerLifecycle from "../WorkerLifecycle.ts"
import type { JobRecord, JobSite } from "../../job/internal/jobRecord.ts"
import type { JobRunner } from "./jobRunner.ts"
import type { LifecycleActor, LifecycleListener } from "./lifecycles.ts"
import type { Elsewhere, WorkerSetup } from "./workerSetup.ts"

/** Scheduler priority of lifecycle edges: after every wake-up of the same batch. */
const edgePriority = 1

export type { Elsewhere, Permits, WorkerEvents, WorkerSetup } from "./workerSetup.ts"

/** Why a lane's fiber is being interrupted; `requeue`: its job never started and may run elsewhere. */
export type AbortReason = "cancel" | "crash" | "shutdown" | "requeue"

interface Lane {
  /** Its fiber while it works (or waits for a permit); none while parked. */
  fiber: Fiber.Fiber<void, unknown> | undefined
  current: JobRecord | undefined
  abort: AbortReason | undefined
  /** Holds a start permit (rate limit) not used yet. */
  permitted: boolean
  /** While parked: the lane parked before it. */
  below: Lane | undefined
}

export class WorkerActor implements WorkerLoad, JobSite, LifecycleListener {
  readonly id: number
  readonly mailbox: Mailbox<JobRecord>
  readonly actor: LifecycleActor
  state: WorkerLifecycle.WorkerState = "spawning"
  /** When the worker last became idle (Clock millis); undefined unless idle. */
  idleSince: number | undefined = undefined
  running = 0
  /** Why the worker crashed, as its lifecycle machine recorded it. */
  get crashReason(): string {
    return this.actor.getSnapshot().context.crashReason ?? "crashed"
  }

  /** Mirrors the mailbox's size, so dispatch reads a field, not a getter chain. */
  queued = 0
  private readonly setup: WorkerSetup
  private readonly runner: JobRunner
  /** The pool's context plus this worker's id, for its lanes: made when a lane first runs. */
  private context: Context.Context<never> | undefined = undefined
  private readonly lanes: Array<Lane>
  /** Lanes with no fiber, waiting for work: a stack through `below`, the last parked on top. */
  private parked: Lane | undefined = undefined
  private parkedCount = 0
  // The lifecycle machine is the published truth (inspection events, stats,
  // what the pool may ask of a worker: only an idle one retires). These fields
  // lead it, each for a reason, and none is written back into it:
  // - `state` mirrors the machine's value, written only by its inspection, so
  //   the hot path reads a field rather than a snapshot;
  // - `busy` is whether a lane is at work now. The machine hears it as BUSY /
  //   IDLE edges one scheduler batch later (`edgePending`), so a burst costs no
  //   transitions; `retire` reads it because the machine may still say idle;
  // - `closing` is set in the same call that sends DRAIN, RETIRE or CRASH, so
  //   no lane takes another job even while XState queues that event behind
  //   one it is processing;
  // - `finished` sends STOPPED once; `wakePending` and `edgePending` mark work
  //   already scheduled; `liveLanes` (lanes with a fiber) and `ticks` are
  //   counts the machine has no word for.
  private liveLanes = 0
  private closing = false
  private busy = false
  private edgePending = false
  private wakePending = false
  private finished = false
  /** Jobs taken since the last look at the shared queue (work stealing). */
  private ticks = 0

  constructor(id: number, setup: WorkerSetup) {
    this.id = id
    this.setup = setup
    this.mailbox = setup.mailboxKind.make<JobRecord>(setup.mailboxEvents)
    // Lanes start parked: a new worker's mailbox is empty.
    this.lanes = new Array(setup.concurrency)
    for (let i = 0; i < this.lanes.length; i++) {
      this.lanes[i] = this.parked = { fiber: undefined, current: undefined, abort: undefined, permitted: false, below: this.parked }
    }
    this.parkedCount = this.lanes.length
    this.runner = setup.makeRunner(this)
    this.actor = setup.lifecycles.make(id, this)
  }

  /** Its lifecycle machine moved (heard through the inspection of its system). */
  stateChanged(from: WorkerLifecycle.WorkerState, to: WorkerLifecycle.WorkerState, event: string): void {
    this.state = to
    this.idleSince = to === "idle" ? this.setup.now() : undefined
    this.setup.events.transition(this, from, to, event)
  }

  // The policy compares `idleSince` with the Clock, but it was read just after
  // the timer was set (a millisecond later, now and then): the timer is the
  // measure, or the worker would wait a whole further period to retire.
  idleTimedOut(): void {
    const since = this.setup.now() - this.setup.lifecycles.idleTimeoutMs
    if (this.idleSince !== undefined && this.idleSince > since) this.idleSince = since
  }

  // With work stealing, the parked lanes look elsewhere at once.
  start(): void {
    this.actor.start()
    this.nudge()
    this.runner.start(() => this.ready(), (reason) => this.setup.events.died(this, reason))
  }

  // Lanes may have taken jobs while the runner started (a thread boots in
  // ~100 ms): the machine learns of that edge now.
  private ready(): void {
    this.actor.send({ type: "READY" })
    if (this.busy && this.state === "idle") this.actor.send({ type: "BUSY" })
    this.nudge()
  }

  enqueue(job: JobRecord): void {
    job.at(this)
    this.mailbox.offer(job)
    this.queued++
    if (this.parkedCount === 0) return
    if (!this.wakePending) {
      this.wakePending = true
      this.setup.dispatcher.scheduleTask(this.wakeParked, 0)
    }
    // Even with a wake-up already pending: an earlier job may have left and
    // marked the worker idle meanwhile.
    if (!this.busy) this.setBusy(true)
  }

  unqueue(job: JobRecord): boolean {
    if (!this.mailbox.remove(job)) return false
    this.queued--
    this.settleIfIdle()
    return true
  }

  /** Interrupts the lane running `job`; the job settles when the lane has stopped. */
  cancelRunning(job: JobRecord): void {
    for (const lane of this.lanes) {
      if (lane.current !== job || lane.abort !== undefined) continue
      this.abortLane(lane, "cancel")
      if (this.runner.settlesCancelAtOnce) this.setup.events.finished(this, job, "cancel")
    }
  }

  /** Marks the worker crashed, interrupts its lanes and returns its queued jobs. */
  crash(reason: string): Array<JobRecord> {
    this.closing = true
    this.actor.send({ type: "CRASH", reason })
    this.abortAll("crash", reason)
    this.parked = undefined // no fiber to stop
    this.parkedCount = 0
    if (this.liveLanes === 0) this.finish()
    return this.takeAll()
  }

  // Jobs the runner holds but never started (on a thread, behind the one it
  // runs) are not lost with it: they go back to dispatch.
  // Returns the started jobs it interrupts. Every lane is marked before the
  // runner lets go: a job the runner ends on the way must not settle as if
  // its handler had ended it.
  private abortAll(reason: "crash" | "shutdown", why: string): Array<JobRecord> {
    const started: Array<JobRecord> = []
    for (const lane of this.lanes) {
      const job = lane.current
      if (lane.abort === "cancel") continue // being cancelled: it stays so
      if (job !== undefined && this.runner.withdraw(job)) lane.abort = "requeue"
      else {
        lane.abort = reason
        if (job !== undefined) started.push(job)
      }
    }
    this.runner.abort(why)
    for (const lane of this.lanes) lane.fiber?.interruptUnsafe()
    return started
  }

  /** Stops taking new jobs; the lanes end once the mailbox is empty. */
  drain(): void {
    this.close("DRAIN")
  }

  /**
   * Retires an idle worker: it leaves with nothing in hand. Returns its queued
   * jobs for dispatch elsewhere, or undefined when it is not idle (the machine
   * only lets an idle worker retire).
   */
  retire(): Array<JobRecord> | undefined {
    // The machine's state lags by a batch (see `busy` above).
    if (this.state !== "idle" || this.busy || this.running > 0) return undefined
    const jobs = this.takeAll()
    this.close("RETIRE")
    return jobs
  }

  // Parked lanes run out what the mailbox still holds; the others end here.
  private close(event: "DRAIN" | "RETIRE"): void {
    this.closing = true
    this.actor.send({ type: event })
    for (let n = Math.min(this.parkedCount, this.mailbox.size); n > 0; n--) this.runLane(this.unpark())
    this.parked = undefined
    this.parkedCount = 0
    if (this.liveLanes === 0) this.finish()
  }

  /** Interrupts every running job (the shutdown deadline passed) and returns them. */
  interruptRunning(): Array<JobRecord> {
    return this.abortAll("shutdown", "the pool's shutdown deadline passed")
  }

  private stealOne(): JobRecord | undefined {
    const job = this.setup.elsewhere!.steal(this)
    if (job !== undefined && !this.busy) this.setBusy(true)
    return job
  }

  /**
   * Wakes every parked lane to look for work elsewhere (work stealing): a
   * lane steals only when it finds its mailbox empty, and a parked one looks
   * again only when woken. Called once the worker joins the team, or boots.
   */
  nudge(): void {
    if (this.parkedCount === 0 || this.setup.elsewhere === undefined || this.closing) return
    // The lanes woken now, not those that park again while this runs.
    let lane = this.parked
    this.parked = undefined
    this.parkedCount = 0
    while (lane !== undefined) {
      const next = lane.below
      lane.below = undefined
      this.runLane(lane)
      lane = next
    }
  }

  /** Gives up to `n` queued jobs to a thief, from its mailbox's thief end. */
  giveUp(n: number): Array<JobRecord> {
    const jobs = stealFrom(this.mailbox, n)
    this.queued -= jobs.length
    for (const job of jobs) job.at(undefined)
    this.settleIfIdle()
    return jobs
  }

  /** Removes and returns every queued job, in take order. */
  takeAll(): Array<JobRecord> {
    const jobs = this.mailbox.drain()
    this.queued = 0
    for (const job of jobs) job.at(undefined)
    this.settleIfIdle()
    return jobs
  }

  private abortLane(lane: Lane, reason: AbortReason): void {
    lane.abort = reason
    lane.fiber?.interruptUnsafe()
  }

  private runLane(lane: Lane): void {
    lane.abort = undefined
    this.liveLanes++
    this.context ??= Context.add(this.setup.context, CurrentWorkerId, this.id)
    const fiber = Effect.runForkWith(this.context)(this.loop(lane))
    if (fiber.pollUnsafe() !== undefined) return this.laneExited(lane, fiber.pollUnsafe()!)
    lane.fiber = fiber
    // The fiber ran synchronously up to its first suspension: a cancel that
    // arrived meanwhile found no fiber to interrupt, so deliver it now.
    if (lane.abort !== undefined) fiber.interruptUnsafe()
    fiber.addObserver((exit) => this.laneExited(lane, exit))
  }

  // The worker's own state is brought up to date first and the job settled
  // last: settling can resume fibers that act on the pool right away.
  private laneExited(lane: Lane, exit: Exit.Exit<void, unknown>): void {
    this.liveLanes--
    lane.fiber = undefined
    const job = lane.current
    const reason = lane.abort
    if (job !== undefined) {
      lane.current = undefined
      this.running--
    }
    // A cancelled job's lane restarts even while closing: the loop ends by
    // itself once the mailbox is empty, so no queued job is left behind. A
    // loop that found no work parks, unless work came while its fiber ended.
    if (reason === "cancel" || (reason === undefined && Exit.isSuccess(exit) && this.mailbox.size > 0)) this.runLane(lane)
    else if (reason === undefined && Exit.isSuccess(exit) && !this.closing) this.park(lane)
    else {
      // A loop that died outside any handler crashes the worker (which closes it).
      if (reason === undefined && Exit.isFailure(exit) && !this.closing) this.setup.events.died(this, Cause.pretty(exit.cause))
      if (this.closing && this.liveLanes === 0) this.finish()
    }
    if (job !== undefined) this.setup.events.finished(this, job, reason ?? exit)
  }

  // Parked lanes are woken from a scheduler task rather than inside `enqueue`:
  // running there would run the lane on the submitter's stack, one job per
  // wake. Deferred, a lane wakes to a batch of jobs.
  private readonly wakeParked = (): void => {
    this.wakePending = false
    let n = Math.min(this.parkedCount, this.mailbox.size)
    while (n-- > 0) this.runLane(this.unpark())
    this.settleIfIdle() // the jobs that woke us may have left before we ran (cancelled, moved)
  }

  /** Marks the worker idle when every lane is parked and nothing is queued. */
  private settleIfIdle(): void {
    if (this.busy && this.mailbox.size === 0 && this.parkedCount === this.lanes.length) this.setBusy(false)
  }

  // Busy/idle edges reach the lifecycle machine from a scheduler task queued
  // behind the wake-ups: a worker that parks and is woken again within one
  // batch costs no machine transition (edges, not jobs), and a burst's jobs
  // start before the machines (tens of microseconds a transition) catch up.
  private setBusy(busy: boolean): void {
    this.busy = busy
    if (this.edgePending) return
    this.edgePending = true
    this.setup.dispatcher.scheduleTask(this.flushEdge, edgePriority)
  }

  private readonly flushEdge = (): void => {
    this.edgePending = false
    if (this.busy && this.state === "idle") this.actor.send({ type: "BUSY" })
    else if (!this.busy && this.state === "busy") this.actor.send({ type: "IDLE" })
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    // Sent whatever the machine shows now: a RETIRE or DRAIN it is still
    // processing comes first, and `idle` ignores STOPPED.
    if (this.state !== "crashed") this.actor.send({ type: "STOPPED" })
    this.runner.stop(() => this.setup.events.ended(this)) // a thread has exited by then
  }

  // Called once the lane's fiber has ended: `laneExited` looked at the
  // mailbox again first, since the fiber may have yielded after finding it
  // empty, and a job that came meanwhile woke no one.
  private park(lane: Lane): void {
    lane.below = this.parked
    this.parked = lane
    if (++this.parkedCount === this.lanes.length) this.setBusy(false)
  }

  private unpark(): Lane {
    const lane = this.parked!
    this.parked = lane.below
    lane.below = undefined
    this.parkedCount--
    return lane
  }

  // The lane loop, written with Effect primitives rather than a generator:
  // per job it allocates the handler's effect, one match and the exit.
  private loop(lane: Lane): Effect.Effect<void, unknown> {
    const setup = this.setup
    const gate = this.runner.gate
    const next = (): Effect.Effect<void, unknown> => {
      // A runner may hold fewer jobs than the lanes (a thread's adaptive window): the rest stay queued.
      if (gate !== undefined && gate.full()) return Effect.flatMap(gate.wait, next)
      // Under a rate limit a lane waits for its permit while its job is still queued
      // (cancellable, stealable); a permit whose job went elsewhere serves the next one.
      if (setup.permits.limited && !lane.permitted && this.hasWork()) return Effect.flatMap(setup.permits.take(), permitted)
      const job = setup.elsewhere !== undefined ? this.takeOrSteal(setup.elsewhere) : this.take()
      if (job === undefined) return Effect.void // its fiber ends: the lane parks, or ends while closing
      lane.permitted = false
      lane.current = job
      this.running++
      setup.events.started(this, job)
      return Effect.matchCauseEffect(this.runner.run(job), handlers)
    }
    const done = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void, unknown> => {
      if (lane.abort !== undefined) return Effect.void // interrupted from outside: laneExited settles the job
      const job = lane.current!
      lane.current = undefined
      this.running--
      setup.events.finished(this, job, exit)
      return next()
    }
    const permitted = (granted: boolean): Effect.Effect<void, unknown> => {
      lane.permitted = granted
      return next()
    }
    const handlers = {
      onSuccess: (value: unknown) => done(Exit.succeed(value)),
      onFailure: (cause: Cause.Cause<unknown>) => done(Exit.failCause(cause))
    }
    return Effect.suspend(next)
  }

  // With work stealing: the shared queue now and then, then the own mailbox,
  // then the shared queue or another worker's mailbox.
  private takeOrSteal(elsewhere: Elsewhere): JobRecord | undefined {
    if (this.closing) return this.take()
    if (++this.ticks >= sharedQueueInterval) {
      this.ticks = 0
      const shared = elsewhere.takeShared(this)
      if (shared !== undefined) return shared // the lane is awake: the worker is busy already
    }
    return this.take() ?? this.stealOne()
  }

  private hasWork(): boolean {
    const elsewhere = this.setup.elsewhere
    return this.mailbox.size > 0 || (elsewhere !== undefined && elsewhere.queued > 0)
  }

  private take(): JobRecord | undefined {
    const job = this.mailbox.take()
    if (job !== undefined) this.queued--
    return job
  }
}
