// The supervisor of one pool's team. It owns the team: the workers that take
// jobs, every worker still live, the ceiling, and why the team gave up. It
// keeps the team within [minWorkers, maxWorkers] as the scaling policy
// decides, replaces a crashed worker once its lanes have stopped, and hands a
// crashed or retired worker's queued jobs back to the pool, so neither loses
// a job. What it decides it reports to the pool as events.
import type { SchedulerDispatcher } from "effect/Scheduler"
import type { WorkerActor } from "../../actors/internal/workerActor.ts"
import type { JobRecord } from "../../job/internal/jobRecord.ts"
import type * as Scaling from "../../strategies/Scaling.ts"
import * as Restart from "../Restart.ts"

/** Decisions applied in one evaluation at most: doubling from 1 reaches 2^16. */
const maxStepsPerEvaluation = 16

/** Why the team gave up: the worker whose crash was one too many. */
export interface Escalation {
  readonly workerId: number
  readonly reason: string
}

/** What the team tells its pool. */
export type TeamEvent =
  | { readonly _tag: "Spawned"; readonly worker: WorkerActor; readonly reason: "initial" | "replacement" | "scaleUp"; readonly replaces: number | undefined; readonly detail: string | undefined }
  | { readonly _tag: "Retired"; readonly worker: WorkerActor; readonly reason: string; readonly draining: boolean }
  | { readonly _tag: "Crashed"; readonly worker: WorkerActor; readonly reason: string; readonly redispatched: number }
  | { readonly _tag: "Escalated"; readonly escalation: Escalation; readonly restarts: number }

/** What the team needs of its pool. */
export interface TeamHost {
  readonly minWorkers: number
  readonly maxWorkers: number
  readonly restart: { readonly intensity: number; readonly periodMs: number }
  readonly scaling: Scaling.Scaling
  readonly concurrency: number
  readonly dispatcher: SchedulerDispatcher
  readonly now: () => number
  readonly isRunning: () => boolean
  /** Jobs waiting across the pool. */
  readonly queued: () => number
  /** A new worker of the pool's kind (not started). */
  readonly makeWorker: (id: number) => WorkerActor
  /** Jobs a worker gave back: to dispatch while the pool runs, else to the shutdown's report. */
  readonly rehome: (jobs: ReadonlyArray<JobRecord>) => void
  /** A worker joined: jobs waiting in the shared queue go to the team. */
  readonly joined: () => void
  readonly report: (event: TeamEvent) => void
  /** The team gave up and has stopped: the pool shuts down, or its supervision tree decides. */
  readonly gaveUp: (escalation: Escalation) => void
}

export class TeamSupervisor {
  /** Workers that take new jobs, in dispatch order. */
  readonly accepting: Array<WorkerActor> = []
  /** Every worker whose lanes have not all ended yet. */
  readonly live = new Set<WorkerActor>()
  private readonly host: TeamHost
  private ceiling: number
  private up: Array<(escalation: Escalation | undefined) => void> | undefined = []
  private escalated: Escalation | undefined = undefined
  private nextWorkerId = 1
  private crashing: WorkerActor | undefined = undefined
  private evaluationPending = false
  private lastScaleUpAt: number | undefined = undefined
  private restarts: ReadonlyArray<number> = []
  private teamDown = false
  /** Bumped when the team is stopped: workers of an older generation are never replaced. */
  private generation = 0
  private readonly generations = new WeakMap<WorkerActor, number>()

  constructor(host: TeamHost) {
    this.host = host
    this.ceiling = host.maxWorkers
  }

  /** The team's ceiling: `maxWorkers`, changed at run time by `resize`. */
  get maxWorkers(): number {
    return this.ceiling
  }

  /** Set once the team gave up (workers crashed faster than the restart intensity allows). */
  get escalation(): Escalation | undefined {
    return this.escalated
  }

  /** Starts the floor of the team, then lets the policy size it. */
  start(): void {
    for (let i = 0; i < this.host.minWorkers; i++) this.spawn("initial", undefined)
    this.rebalance() // jobs that waited for the team go to all of it, not the first worker up
    this.evaluate()
  }

  /** Calls `f` once a worker has booted, or with the escalation if the team gave up first. Returns a cancel. */
  whenUp(f: (escalation: Escalation | undefined) => void): () => void {
    const waiting = this.up
    if (waiting === undefined) return f(this.escalated), noop
    waiting.push(f)
    return () => void waiting.splice(waiting.indexOf(f) >>> 0, 1)
  }

  /** A worker booted (left `spawning`). */
  booted(): void {
    this.settleUp(undefined)
  }

  /**
   * Stops the whole team (a supervision tree restarting or stopping this pool):
   * running jobs settle with `WorkerCrashed`, queued ones wait in the pool,
   * kept for the team that comes back.
   */
  stopTeam(reason: string): void {
    this.teamDown = true
    this.generation++
    for (const worker of [...this.accepting]) this.crashed(worker, reason)
  }

  /** Brings a stopped or escalated team back, with a fresh restart window. */
  startTeam(): void {
    if (!this.teamDown && this.escalated === undefined) return
    this.teamDown = false
    this.escalated = undefined
    this.restarts = []
    this.start()
  }

  /** The pool shuts down: no worker takes new jobs; each runs out its mailbox. */
  stopAccepting(): void {
    for (const worker of this.accepting.splice(0)) worker.drain()
  }

  /** Crashes a live worker by id (chaos testing). */
  crashById(workerId: number, reason: string): boolean {
    for (const worker of this.live) {
      if (worker.id === workerId) return this.crashed(worker, reason), true
    }
    return false
  }

  // ---- scaling ---------------------------------------------------------------

  // Submissions ask for one evaluation per scheduler batch: a burst is judged
  // as a whole, at once, rather than one submit at a time or on a slow tick.
  loadChanged(): void {
    if (this.evaluationPending || this.accepting.length >= this.ceiling) return
    this.evaluationPending = true
    this.host.dispatcher.scheduleTask(this.evaluateScheduled, 0)
  }

  private readonly evaluateScheduled = (): void => {
    this.evaluationPending = false
    this.evaluate()
  }

  // Called from inside the worker machine's action: decide after it, so the
  // machine has settled before it is told to retire.
  idleTimedOut(): void {
    this.host.dispatcher.scheduleTask(this.evaluateScheduled, 0)
  }

  /** Asks the policy until it holds, applying each decision within the bounds. */
  evaluate(): void {
    const host = this.host
    if (this.teamDown || this.escalated !== undefined || !host.isRunning()) return
    // Whatever the policy says, work never waits on an empty team.
    if (this.accepting.length === 0 && host.queued() > 0) this.scaleUp(1, "jobs waiting and no worker")
    for (let step = 0; step < maxStepsPerEvaluation && host.isRunning(); step++) {
      const decision = host.scaling.decide(this.snapshot())
      if (decision._tag === "Hold") return
      const changed = decision._tag === "Spawn" ? this.scaleUp(decision.count, decision.reason) : this.retire(decision.workerIds, decision.reason)
      if (!changed) return
    }
  }

  snapshot(): Scaling.LoadSnapshot {
    return {
      now: this.host.now(),
      minWorkers: this.host.minWorkers,
      maxWorkers: this.ceiling,
      concurrency: this.host.concurrency,
      workers: this.accepting.map((w) => ({
        id: w.id,
        state: w.state === "idle" ? "idle" : "busy",
        idleSince: w.idleSince,
        queued: w.queued,
        running: w.running
      })),
      queued: this.host.queued(),
      lastScaleUpAt: this.lastScaleUpAt
    }
  }

  /**
   * Changes the ceiling. Past it, idle workers retire first, then the least
   * busy drain (their running jobs finish, their queued ones go to the
   * others); below it, the policy may grow.
   */
  resize(maxWorkers: number): void {
    this.ceiling = maxWorkers
    while (this.host.isRunning() && this.accepting.length > this.ceiling) {
      const worker = this.accepting.reduce((a, b) => (b.running + b.queued < a.running + a.queued ? b : a))
      this.accepting.splice(this.accepting.indexOf(worker), 1)
      const jobs = worker.takeAll()
      worker.drain()
      this.host.rehome(jobs)
      this.host.report({ _tag: "Retired", worker, reason: `maxWorkers lowered to ${this.ceiling}`, draining: true })
    }
    this.evaluate()
  }

  private scaleUp(count: number, reason: string): boolean {
    const n = Math.min(count, this.ceiling - this.accepting.length)
    if (n <= 0) return false
    for (let i = 0; i < n; i++) this.spawn("scaleUp", undefined, reason)
    this.lastScaleUpAt = this.host.now()
    this.rebalance()
    return true
  }

  private retire(workerIds: ReadonlyArray<number>, reason: string): boolean {
    let retired = 0
    for (const id of workerIds) {
      if (this.accepting.length <= this.host.minWorkers) break
      const worker = this.accepting.find((w) => w.id === id)
      const jobs = worker?.retire()
      if (worker === undefined || jobs === undefined) continue // busy, or gone: only idle workers retire
      this.accepting.splice(this.accepting.indexOf(worker), 1)
      this.host.rehome(jobs)
      this.host.report({ _tag: "Retired", worker, reason, draining: false })
      retired++
    }
    return retired > 0
  }

  // New workers take their share of what is already queued: without this, a
  // burst that landed on the old workers' mailboxes would wait behind them.
  private rebalance(): void {
    const jobs: Array<JobRecord> = []
    for (const worker of this.accepting) for (const job of worker.takeAll()) jobs.push(job)
    jobs.sort((a, b) => a.seq - b.seq)
    this.host.rehome(jobs)
  }

  // ---- crashes -------------------------------------------------------------------

  crashed(worker: WorkerActor, reason: string): void {
    if (worker.state === "crashed" || worker.state === "stopped") return
    const index = this.accepting.indexOf(worker)
    if (index >= 0) this.accepting.splice(index, 1)
    this.crashing = worker
    const jobs = worker.crash(reason) // may end the worker at once, if its lanes stop synchronously
    this.crashing = undefined
    this.host.rehome(jobs)
    this.host.report({ _tag: "Crashed", worker, reason, redispatched: this.host.isRunning() ? jobs.length : 0 })
    if (!this.live.has(worker)) this.replace(worker)
  }

  /** Every lane of `worker` has ended: it leaves the team, its leftover jobs go back. */
  ended(worker: WorkerActor): void {
    this.live.delete(worker)
    // A worker ends with an empty mailbox; should one ever not, its jobs move on.
    const left = worker.takeAll()
    if (left.length > 0) this.host.rehome(left)
    if (worker !== this.crashing) this.replace(worker)
  }

  // A crashed worker is replaced once all its lanes have stopped, so the team
  // never runs more lanes than its size; within the restart intensity, or the
  // pool gives up (OTP's rule, so a worker that always crashes cannot storm).
  private replace(worker: WorkerActor): void {
    if (worker.state !== "crashed" || !this.host.isRunning() || this.escalated !== undefined || this.teamDown) return
    if (this.generations.get(worker) !== this.generation) return // stopped with an earlier team
    // Growth may have taken the crashed worker's place meanwhile: replace only into room.
    if (this.accepting.length >= this.ceiling) return this.evaluate()
    const limits = this.host.restart
    const recorded = Restart.record(this.restarts, this.host.now(), limits)
    this.restarts = recorded.window
    if (recorded.exceeded) return this.giveUp({ workerId: worker.id, reason: worker.crashReason }, limits.intensity)
    this.spawn("replacement", worker.id)
    if (this.accepting.length === 1) this.rebalance() // the team had emptied: what waited for it, oldest first
    this.evaluate()
  }

  private giveUp(escalation: Escalation, restarts: number): void {
    this.escalated = escalation
    this.host.report({ _tag: "Escalated", escalation, restarts })
    this.stopTeam(`pool gave up: ${escalation.reason}`)
    this.settleUp(escalation)
    this.host.gaveUp(escalation)
  }

  private settleUp(escalation: Escalation | undefined): void {
    const waiting = this.up
    if (waiting === undefined) return
    this.up = undefined
    for (const f of waiting) f(escalation)
  }

  private spawn(reason: "initial" | "replacement" | "scaleUp", replaces: number | undefined, detail?: string): WorkerActor {
    const worker = this.host.makeWorker(this.nextWorkerId++)
    this.generations.set(worker, this.generation)
    this.live.add(worker)
    this.host.report({ _tag: "Spawned", worker, reason, replaces, detail })
    worker.start()
    this.accepting.push(worker)
    this.host.joined()
    worker.nudge() // with work stealing, it may take jobs queued before it joined
    return worker
  }
}

const noop = () => {}
