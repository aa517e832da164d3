// The supervisor of one pool's team. It keeps the team within [minWorkers,
// maxWorkers] as the scaling policy decides, replaces a crashed worker once
// its lanes have stopped, and sends a crashed or retired worker's queued jobs
// back to dispatch, so neither loses a job.
import { WorkerActor } from "../../actors/internal/workerActor.ts"
import type { JobRecord } from "../../job/internal/jobRecord.ts"
import type { PoolCore, Team } from "../../engine/internal/poolCore.ts"
import * as Scaling from "../../strategies/Scaling.ts"
import * as Restart from "../Restart.ts"
import { Duration } from "effect"

/** Decisions applied in one evaluation at most: doubling from 1 reaches 2^16. */
const maxStepsPerEvaluation = 16

export type SpawnReason = "initial" | "replacement" | "scaleUp"

export class TeamSupervisor implements Team {
  private readonly core: PoolCore
  private nextWorkerId = 1
  private crashing: WorkerActor | undefined = undefined
  private evaluationPending = false
  private lastScaleUpAt: number | undefined = undefined
  private restarts: ReadonlyArray<number> = []
  private teamDown = false
  /** Bumped when the team is stopped: workers of an older generation are never replaced. */
  private generation = 0
  private readonly generations = new WeakMap<WorkerActor, number>()

  constructor(core: PoolCore) {
    this.core = core
    core.team = this
  }

  /** Starts the floor of the team, then lets the policy size it. */
  start(): void {
    for (let i = 0; i < this.core.options.minWorkers; i++) this.spawn("initial", undefined)
    this.rebalance() // jobs that waited for the team go to all of it, not the first worker up
    this.evaluate()
  }

  /**
   * Stops the whole team (a supervision tree restarting or stopping this pool):
   * running jobs settle with `WorkerCrashed`, queued ones wait in the pool,
   * kept for the team that comes back.
   */
  stopTeam(reason: string): void {
    this.teamDown = true
    this.generation++
    for (const worker of [...this.core.accepting]) this.crashed(worker, reason)
  }

  /** Brings a stopped or escalated team back, with a fresh restart window. */
  startTeam(): void {
    if (!this.teamDown && this.core.escalation === undefined) return
    this.teamDown = false
    this.core.escalation = undefined
    this.restarts = []
    this.start()
  }

  /** Crashes a live worker by id (chaos testing, and a lane that died). */
  crashById(workerId: number, reason: string): boolean {
    for (const worker of this.core.live) {
      if (worker.id === workerId) return this.crashed(worker, reason), true
    }
    return false
  }

  // ---- scaling ---------------------------------------------------------------

  // Submissions ask for one evaluation per scheduler batch: a burst is judged
  // as a whole, at once, rather than one submit at a time or on a slow tick.
  loadChanged(): void {
    if (this.evaluationPending) return
    this.evaluationPending = true
    this.core.dispatcher.scheduleTask(this.evaluateScheduled, 0)
  }

  private readonly evaluateScheduled = (): void => {
    this.evaluationPending = false
    this.evaluate()
  }

  // Called from inside the worker machine's action: decide after it, so the
  // machine has settled before it is told to retire.
  idleTimedOut(): void {
    this.core.dispatcher.scheduleTask(this.evaluateScheduled, 0)
  }

  /** Asks the policy until it holds, applying each decision within the bounds. */
  evaluate(): void {
    if (this.teamDown || this.core.escalation !== undefined || this.core.phase !== "running") return
    // Whatever the policy says, work never waits on an empty team.
    if (this.core.accepting.length === 0 && this.core.queued > 0) this.scaleUp(1, "jobs waiting and no worker")
    for (let step = 0; step < maxStepsPerEvaluation && this.core.phase === "running"; step++) {
      const decision = this.core.scaling.decide(this.snapshot())
      if (decision._tag === "Hold") return
      const changed = decision._tag === "Spawn" ? this.scaleUp(decision.count, decision.reason) : this.retire(decision.workerIds, decision.reason)
      if (!changed) return
    }
  }

  snapshot(): Scaling.LoadSnapshot {
    const core = this.core
    return {
      now: core.now(),
      minWorkers: core.options.minWorkers,
      maxWorkers: core.maxWorkers,
      concurrency: core.concurrency,
      workers: core.accepting.map((w) => ({
        id: w.id,
        state: w.state === "idle" ? "idle" : "busy",
        idleSince: w.idleSince,
        queued: w.queued,
        running: w.running
      })),
      queued: core.queued,
      lastScaleUpAt: this.lastScaleUpAt
    }
  }

  private scaleUp(count: number, reason: string): boolean {
    const room = this.core.maxWorkers - this.core.accepting.length
    const n = Math.min(count, room)
    if (n <= 0) return false
    for (let i = 0; i < n; i++) this.spawn("scaleUp", undefined, reason)
    this.lastScaleUpAt = this.core.now()
    this.rebalance()
    return true
  }

  private retire(workerIds: ReadonlyArray<number>, reason: string): boolean {
    const core = this.core
    let retired = 0
    for (const id of workerIds) {
      if (core.accepting.length <= core.options.minWorkers) break
      const worker = core.accepting.find((w) => w.id === id)
      const jobs = worker?.retire()
      if (worker === undefined || jobs === undefined) continue // busy, or gone: only idle workers retire
      core.accepting.splice(core.accepting.indexOf(worker), 1)
      for (const job of jobs) core.route(job)
      core.counters.retired++
      core.publish({ type: "@troupe.worker.retired", pool: core.name, workerId: worker.id, reason, at: core.now() })
      retired++
    }
    return retired > 0
  }

  /**
   * Brings the team within a changed `maxWorkers`: past it, idle workers
   * retire first, then the least busy drain (their running jobs finish,
   * their queued ones go to the others); below it, the policy may grow.
   */
  resize(): void {
    const core = this.core
    while (core.phase === "running" && core.accepting.length > core.maxWorkers) {
      const worker = core.accepting.reduce((a, b) => (b.running + b.queued < a.running + a.queued ? b : a))
      core.accepting.splice(core.accepting.indexOf(worker), 1)
      const jobs = worker.takeAll()
      worker.drain()
      core.permits.wake()
      for (const job of jobs) core.route(job)
      core.counters.retired++
      core.publish({ type: "@troupe.worker.retired", pool: core.name, workerId: worker.id, reason: `maxWorkers lowered to ${core.maxWorkers}`, at: core.now() })
    }
    this.evaluate()
  }

  // New workers take their share of what is already queued: without this, a
  // burst that landed on the old workers' mailboxes would wait behind them.
  private rebalance(): void {
    const jobs: Array<JobRecord> = []
    for (const worker of this.core.accepting) for (const job of worker.takeAll()) jobs.push(job)
    jobs.sort((a, b) => a.seq - b.seq)
    for (const job of jobs) this.core.route(job)
  }

  // ---- crashes -------------------------------------------------------------------

  crashed(worker: WorkerActor, reason: string): void {
    const core = this.core
    if (worker.state === "crashed" || worker.state === "stopped") return
    const index = core.accepting.indexOf(worker)
    if (index >= 0) core.accepting.splice(index, 1)
    this.crashing = worker
    const jobs = worker.crash(reason) // may end the worker at once, if its lanes stop synchronously
    this.crashing = undefined
    if (core.phase === "running") for (const job of jobs) core.route(job)
    else core.handBack(jobs)
    core.publish({
      type: "@troupe.worker.crashed",
      pool: core.name,
      workerId: worker.id,
      reason,
      redispatched: core.phase === "running" ? jobs.length : 0,
      at: core.now()
    })
    if (!core.live.has(worker)) this.replace(worker)
  }

  ended(worker: WorkerActor): void {
    if (worker !== this.crashing) this.replace(worker)
  }

  // A crashed worker is replaced once all its lanes have stopped, so the team
  // never runs more lanes than its size; within the restart intensity, or the
  // pool gives up (OTP's rule, so a worker that always crashes cannot storm).
  private replace(worker: WorkerActor): void {
    const core = this.core
    if (worker.state !== "crashed" || core.phase !== "running" || core.escalation !== undefined || this.teamDown) return
    if (this.generations.get(worker) !== this.generation) return // stopped with an earlier team
    // Growth may have taken the crashed worker's place meanwhile: replace only into room.
    if (core.accepting.length >= core.maxWorkers) return this.evaluate()
    const limits = { intensity: core.options.restart.intensity, periodMs: Duration.toMillis(core.options.restart.period) }
    const recorded = Restart.record(this.restarts, core.now(), limits)
    this.restarts = recorded.window
    if (recorded.exceeded) {
      const reason = worker.crashReason
      core.escalation = { workerId: worker.id, reason }
      core.publish({ type: "@troupe.pool.escalated", pool: core.name, workerId: worker.id, reason, restarts: limits.intensity, at: core.now() })
      this.stopTeam(`pool gave up: ${reason}`)
      core.teamUpSettled(core.escalation)
      return core.escalate()
    }
    this.spawn("replacement", worker.id)
    if (core.accepting.length === 1) this.rebalance() // the team had emptied: nothing else to share with
    this.evaluate()
  }

  private spawn(reason: SpawnReason, replaces: number | undefined, why?: string): WorkerActor {
    const core = this.core
    const worker = new WorkerActor(this.nextWorkerId++, core)
    this.generations.set(worker, this.generation)
    core.counters.workerCreated()
    core.counters.spawned[reason]++
    core.live.add(worker)
    core.publish({
      type: "@troupe.worker.spawned",
      pool: core.name,
      workerId: worker.id,
      reason,
      replaces,
      detail: why,
      at: core.now()
    })
    worker.start()
    core.accepting.push(worker)
    core.flushOverflow()
    worker.nudge() // with work stealing, it may take jobs queued before it joined
    return worker
  }
}
