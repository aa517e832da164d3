// The dispatcher alone, over stand-in workers: where a queued job goes (a
// worker's mailbox by the dispatch strategy, or the shared queue), and what
// an idle lane gets when it asks for work.
import { describe, expect, it } from "vitest"
import type { WorkerActor } from "../../src/actors/internal/workerActor.ts"
import { Router } from "../../src/engine/internal/router.ts"
import { JobRecord } from "../../src/job/internal/jobRecord.ts"
import { Dispatch, Mailbox } from "../../src/index.ts"

/** A worker as the router sees it: a mailbox, a load, a state. */
class StandIn {
  readonly id: number
  readonly mailbox: Array<JobRecord> = []
  running = 0
  state: "spawning" | "idle" | "busy" = "idle"
  nudged = 0
  constructor(id: number) {
    this.id = id
  }
  get queued(): number {
    return this.mailbox.length
  }
  enqueue(job: JobRecord): void {
    job.at(this as never)
    this.mailbox.push(job)
  }
  nudge(): void {
    this.nudged++
  }
  giveUp(n: number): Array<JobRecord> {
    return this.mailbox.splice(this.mailbox.length - n, n)
  }
}

const owner = { cancel: () => {}, dispatcher: { scheduleTask: () => {}, flush: () => {} } } as never
let seq = 0
const job = () => new JobRecord(++seq, seq, 0, undefined, owner)

const makeRouter = (dispatch: Dispatch.Dispatch, localCapacity = Infinity) => {
  const workers: Array<StandIn> = []
  let running = true
  let stolen = 0
  const router = new Router({
    dispatch,
    localCapacity,
    mailboxKind: Mailbox.fifo(),
    mailboxEvents: { promoted: () => {} },
    accepting: workers as unknown as ReadonlyArray<WorkerActor>,
    isRunning: () => running,
    stolen: (n) => void (stolen += n)
  })
  return { router, workers, stop: () => void (running = false), stolen: () => stolen }
}

describe("Router", () => {
  it("with no worker taking jobs, a job waits in the shared queue, and goes to the team once it has one", () => {
    const { router, workers } = makeRouter(Dispatch.leastLoaded())
    const [a, b] = [job(), job()]
    router.route(a)
    router.route(b)
    expect(router.sharedSize).toBe(2)
    workers.push(new StandIn(1), new StandIn(2))
    router.flushShared()
    expect(router.sharedSize).toBe(0)
    expect(workers.map((w) => w.queued)).toEqual([1, 1]) // least loaded: one each
    expect(workers.flatMap((w) => w.mailbox).sort((x, y) => x.id - y.id)).toEqual([a, b])
  })

  it("places by the strategy's index, wrapping one out of range; a non-integer picks the first", () => {
    const picks = [5, -1, 0.5]
    const { router, workers } = makeRouter(Dispatch.make("scripted", () => picks.shift()!))
    workers.push(new StandIn(1), new StandIn(2))
    for (let i = 0; i < 3; i++) router.route(job())
    expect(workers.map((w) => w.queued)).toEqual([1, 2]) // 5 → 1, -1 → 1, 0.5 → 0
  })

  it("a mailbox at its local capacity sends the job to the shared queue and wakes every worker to look", () => {
    const { router, workers } = makeRouter(Dispatch.make("first", () => 0), 1)
    workers.push(new StandIn(1), new StandIn(2))
    router.route(job())
    router.route(job())
    expect(workers[0]!.queued).toBe(1)
    expect(router.sharedSize).toBe(1)
    expect(workers.map((w) => w.nudged)).toEqual([1, 1])
  })

  it("an idle lane takes its share of the shared queue before stealing, up to half its local capacity", () => {
    const { router, workers, stolen } = makeRouter(Dispatch.workStealing({ localCapacity: 4 }), 4)
    const [thief, other] = [new StandIn(1), new StandIn(2)]
    for (let i = 0; i < 6; i++) router.route(job()) // no worker yet: all shared
    workers.push(thief, other)
    const first = router.steal(thief as never)
    // a share of 6 over 2 workers is 3, capped at 4 / 2 = 2: one to run now, one queued
    expect(first).toBeInstanceOf(JobRecord)
    expect(first!.site).toBe(thief)
    expect(thief.queued).toBe(1)
    expect(router.sharedSize).toBe(4)
    expect(stolen()).toBe(0) // the shared queue is no one's mailbox
  })

  it("with the shared queue empty, a thief takes half the longest mailbox from its far end, counted", () => {
    const { router, workers, stolen } = makeRouter(Dispatch.workStealing())
    const [thief, victim] = [new StandIn(1), new StandIn(2)]
    workers.push(thief, victim)
    const jobs = [job(), job(), job(), job(), job()]
    for (const j of jobs) victim.enqueue(j)
    const first = router.steal(thief as never)
    expect(stolen()).toBe(3) // ceil(5 / 2)
    expect(first).toBe(jobs[2])
    expect(thief.mailbox).toEqual([jobs[3], jobs[4]])
    expect(victim.mailbox).toEqual([jobs[0], jobs[1]])
  })

  it("no stealing while the pool is not running, for a worker still spawning, or from oneself", () => {
    const { router, workers, stop } = makeRouter(Dispatch.workStealing())
    const [thief, victim] = [new StandIn(1), new StandIn(2)]
    workers.push(thief, victim)
    victim.enqueue(job())
    thief.state = "spawning"
    expect(router.steal(thief as never)).toBeUndefined()
    thief.state = "idle"
    expect(router.steal(new StandIn(9) as never)).toBeUndefined() // not in the team
    stop()
    expect(router.steal(thief as never)).toBeUndefined()
    expect(router.takeShared(thief as never)).toBeUndefined()
    expect(victim.queued).toBe(1)
  })
})
