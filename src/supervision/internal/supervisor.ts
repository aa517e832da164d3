// The supervisor of one pool's team: it starts the workers, replaces a crashed
// one once its lanes have stopped, and sends the crashed worker's queued jobs
// back to the dispatcher. (Scaling and restart strategies build on this.)
import { FiberWorker } from "../../actors/internal/fiberWorker.ts"
import type { PoolCore, Team } from "../../internal/poolCore.ts"

export class Supervisor implements Team {
  private readonly core: PoolCore
  private nextWorkerId = 1
  private crashing: FiberWorker | undefined = undefined

  constructor(core: PoolCore) {
    this.core = core
    core.team = this
  }

  /** Starts `size` workers. */
  start(size: number): void {
    for (let i = 0; i < size; i++) this.spawn(undefined)
  }

  /** Crashes a live worker by id (chaos testing, and a lane that died). */
  crashById(workerId: number, reason: string): boolean {
    for (const worker of this.core.live) {
      if (worker.id === workerId) return this.crashed(worker, reason), true
    }
    return false
  }

  crashed(worker: FiberWorker, reason: string): void {
    const core = this.core
    if (worker.state === "crashed" || worker.state === "stopped") return
    core.crashReasons.set(worker, reason)
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

  ended(worker: FiberWorker): void {
    if (worker !== this.crashing) this.replace(worker)
  }

  // A crashed worker is replaced once all its lanes have stopped, so the team
  // never runs more lanes than its size.
  private replace(worker: FiberWorker): void {
    if (worker.state === "crashed" && this.core.phase === "running") this.spawn(worker.id)
  }

  private spawn(replaces: number | undefined): FiberWorker {
    const core = this.core
    const worker = new FiberWorker(this.nextWorkerId++, core)
    core.counters.workerCreated()
    core.live.add(worker)
    core.publish({
      type: "@troupe.worker.spawned",
      pool: core.name,
      workerId: worker.id,
      reason: replaces === undefined ? "initial" : "replacement",
      replaces,
      at: core.now()
    })
    worker.start()
    core.accepting.push(worker)
    core.flushOverflow()
    return worker
  }
}
