// The dispatcher: where a queued job waits. The pool's dispatch strategy
// picks a worker's mailbox; the shared queue holds jobs while no worker
// accepts any (all crashed, or none yet) or, with work stealing, while every
// worker's mailbox is at its local capacity. With work stealing, an idle
// lane's request for work is answered here too: its share of the shared
// queue, or half of a victim's mailbox.
import type { WorkerActor } from "../../actors/internal/workerActor.ts"
import type { Elsewhere } from "../../actors/internal/workerSetup.ts"
import type { JobRecord, JobSite } from "../../job/internal/jobRecord.ts"
import type * as Dispatch from "../../strategies/Dispatch.ts"
import type * as Mailbox from "../../strategies/Mailbox.ts"

/** What routing needs of the engine and the team. */
export interface RouterHost {
  readonly dispatch: Dispatch.Dispatch
  readonly localCapacity: number
  readonly mailboxKind: Mailbox.MailboxKind
  readonly mailboxEvents: Mailbox.MailboxEvents
  /** The workers that take new jobs, in dispatch order: the team's own list, read as it changes. */
  readonly accepting: ReadonlyArray<WorkerActor>
  readonly isRunning: () => boolean
  /** Jobs moved from one worker to another by stealing. */
  readonly stolen: (n: number) => void
}

export class Router {
  /** The shared queue, ordered by the pool's mailbox kind. */
  private readonly shared: Mailbox.Mailbox<JobRecord>
  private readonly host: RouterHost
  private readonly sharedSite: JobSite

  constructor(host: RouterHost) {
    this.host = host
    this.shared = host.mailboxKind.make<JobRecord>(host.mailboxEvents)
    this.sharedSite = { unqueue: (job) => this.shared.remove(job) }
  }

  /** Jobs in the shared queue. */
  get sharedSize(): number {
    return this.shared.size
  }

  /** Sends a queued job to a worker's mailbox, or to the shared queue when none has room. */
  route(job: JobRecord): void {
    const workers = this.host.accepting
    const n = workers.length
    if (n === 0) return this.share(job)
    const worker = n === 1 ? workers[0]! : this.pick(job, workers)
    if (worker === undefined) return this.share(job)
    if (worker.queued < this.host.localCapacity) return worker.enqueue(job)
    this.share(job)
    // A worker with an idle lane takes it now (custom dispatch may pass it by).
    for (const w of workers) w.nudge()
  }

  /** Routes the shared queue's jobs again (a worker has become available); each once. */
  flushShared(): void {
    // Routing can wake a lane that takes from the shared queue itself: re-read it each time.
    for (let n = this.shared.size; n > 0 && this.host.accepting.length > 0; n--) {
      const job = this.shared.take()
      if (job === undefined) return
      this.route(job)
    }
  }

  /** Empties the shared queue (shutdown: nothing will run it). */
  drainShared(): Array<JobRecord> {
    return this.shared.drain()
  }

  /**
   * A job from the shared queue for `worker` (work stealing): a lane's regular
   * look there, so nothing waits in it forever behind full mailboxes.
   */
  takeShared(worker: WorkerActor): JobRecord | undefined {
    const job = this.host.isRunning() ? this.shared.take() : undefined
    if (job !== undefined) job.at(worker)
    return job
  }

  /**
   * An idle lane of `thief` asks for work: its share of the shared queue, or
   * half the victim's queued jobs (from the end the victim would take from
   * last) move to the thief, which runs the first at once.
   */
  steal(thief: WorkerActor): JobRecord | undefined {
    const workers = this.host.accepting
    const self = workers.indexOf(thief)
    // Only a worker that takes jobs steals: not one still spawning (its thread
    // booting) or not yet in the team; it is nudged once it is.
    if (!this.host.isRunning() || self < 0 || thief.state === "spawning") return undefined
    if (this.shared.size > 0) return this.fromShared(thief, workers.length)
    const victim = workers[this.host.dispatch.steal!(self, workers)] // -1: none
    if (victim === undefined || victim === thief) return undefined
    const jobs = victim.giveUp(Math.ceil(victim.queued / 2))
    if (jobs.length === 0) return undefined
    this.host.stolen(jobs.length)
    return handOver(thief, jobs)
  }

  // A strategy's choice, as an index into the workers (one out of range wraps around).
  private pick(job: JobRecord, workers: ReadonlyArray<WorkerActor>): WorkerActor | undefined {
    const n = workers.length
    const index = this.host.dispatch.select(job, workers)
    return workers[Number.isInteger(index) ? ((index % n) + n) % n : 0]
  }

  private share(job: JobRecord): void {
    job.at(this.sharedSite)
    this.shared.offer(job)
  }

  // Before stealing, an idle lane takes its share of the shared queue: as many
  // as each worker's even share, up to half its mailbox's capacity.
  private fromShared(thief: WorkerActor, workers: number): JobRecord | undefined {
    const share = Math.ceil(this.shared.size / workers)
    const n = Math.min(share, Math.max(1, Math.floor(this.host.localCapacity / 2)))
    const jobs: Array<JobRecord> = []
    for (let job = this.shared.take(); job !== undefined; job = jobs.length < n ? this.shared.take() : undefined) jobs.push(job)
    return handOver(thief, jobs)
  }
}

/** The first job runs on the thief's idle lane now; the rest queue in its mailbox. */
const handOver = (thief: WorkerActor, jobs: ReadonlyArray<JobRecord>): JobRecord | undefined => {
  for (let i = 1; i < jobs.length; i++) thief.enqueue(jobs[i]!)
  jobs[0]?.at(thief)
  return jobs[0]
}

/** Work stealing: where an idle lane looks beyond its own mailbox (the router is made after the workers' setup). */
export const elsewhereOf = (router: () => Router, admission: { readonly queued: number }): Elsewhere => ({
  steal: (thief) => router().steal(thief),
  takeShared: (worker) => router().takeShared(worker),
  get queued() {
    return admission.queued
  }
})
