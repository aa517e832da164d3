// The supervisor of one pool's team alone, over stand-in workers and a
// stand-in pool: whom it spawns, retires, drains and replaces, what it hands
// back, and when it gives up. The same supervisor running real workers is in
// Pool.scaling.test.ts, Pool.test.ts and supervision/PoolInTree.test.ts.
import { describe, expect, it } from "vitest"
import type { WorkerActor } from "../../src/actors/internal/workerActor.ts"
import { JobRecord } from "../../src/job/internal/jobRecord.ts"
import type { Decision, LoadSnapshot } from "../../src/strategies/Scaling.ts"
import { type Escalation, type TeamEvent, TeamSupervisor } from "../../src/supervision/internal/team.ts"
import { Scaling } from "../../src/index.ts"

type State = "spawning" | "idle" | "busy" | "draining" | "stopped" | "crashed"

/** A worker as the team sees it. Its lanes end when the test says (`end`), or at once when it has none running. */
class StandIn {
  readonly id: number
  state: State = "spawning"
  idleSince: number | undefined = undefined
  mailbox: Array<JobRecord> = []
  running = 0
  crashReason = ""
  started = 0
  nudged = 0
  private readonly pool: StandInPool
  constructor(id: number, pool: StandInPool) {
    this.id = id
    this.pool = pool
  }
  get queued(): number {
    return this.mailbox.length
  }
  start(): void {
    this.started++
  }
  nudge(): void {
    this.nudged++
  }
  takeAll(): Array<JobRecord> {
    return this.mailbox.splice(0)
  }
  drain(): void {
    this.state = "draining"
  }
  retire(): Array<JobRecord> | undefined {
    if (this.state !== "idle") return undefined
    this.state = "stopped"
    return this.takeAll()
  }
  crash(reason: string): Array<JobRecord> {
    this.state = "crashed"
    this.crashReason = reason
    const jobs = this.takeAll()
    if (this.running === 0) this.end() // lanes that stop at once end the worker inside its crash
    return jobs
  }
  /** Its last lane ended. */
  end(): void {
    this.pool.team.ended(this as unknown as WorkerActor)
  }
  /** Booted and idle (or busy with `running` jobs). */
  up(running = 0): this {
    this.state = running > 0 ? "busy" : "idle"
    this.running = running
    this.idleSince = running > 0 ? undefined : this.pool.clock
    this.pool.team.booted()
    return this
  }
}

let seq = 0
const owner = { cancel: () => {}, dispatcher: { scheduleTask: () => {}, flush: () => {} } } as never
const job = () => new JobRecord(++seq, seq, 0, undefined, owner)

/** The pool around a team: records what the team tells it; the scaling policy is a script. */
class StandInPool {
  clock = 0
  running = true
  queued = 0
  readonly workers: Array<StandIn> = []
  readonly events: Array<string> = []
  readonly rehomed: Array<Array<number>> = []
  readonly asked: Array<LoadSnapshot> = []
  readonly tasks: Array<() => void> = []
  readonly gaveUp: Array<Escalation> = []
  joined = 0
  /** What joining brings a new worker (the pool routes its shared queue to it). */
  onJoined: (worker: StandIn) => void = () => {}
  decide: (s: LoadSnapshot) => Decision = () => ({ _tag: "Hold" })
  readonly team: TeamSupervisor
  constructor(options: { min?: number; max?: number; intensity?: number } = {}) {
    this.team = new TeamSupervisor({
      minWorkers: options.min ?? 0,
      maxWorkers: options.max ?? 4,
      restart: { intensity: options.intensity ?? 1, periodMs: 5_000 },
      scaling: Scaling.make("script", (s) => (this.asked.push(s), this.decide(s))),
      concurrency: 2,
      dispatcher: { scheduleTask: (task) => void this.tasks.push(task), flush: () => {} },
      now: () => this.clock,
      isRunning: () => this.running,
      queued: () => this.queued,
      makeWorker: (id) => {
        const worker = new StandIn(id, this)
        this.workers.push(worker)
        return worker as unknown as WorkerActor
      },
      rehome: (jobs) => void this.rehomed.push(jobs.map((j) => j.id)),
      joined: () => {
        this.joined++
        this.onJoined(this.workers.at(-1)!)
      },
      report: (event) => void this.events.push(told(event)),
      gaveUp: (escalation) => void this.gaveUp.push(escalation)
    })
  }
  worker(id: number): StandIn {
    return this.workers.find((w) => w.id === id)!
  }
  /** The accepting workers' ids, in dispatch order. */
  get accepting(): Array<number> {
    return this.team.accepting.map((w) => w.id)
  }
  /** The team hears that worker `id` crashed. */
  crash(id: number, reason: string): void {
    this.team.crashed(this.worker(id) as unknown as WorkerActor, reason)
  }
  runTasks(): void {
    for (const task of this.tasks.splice(0)) task()
  }
}

const told = (event: TeamEvent): string => {
  switch (event._tag) {
    case "Spawned":
      return `spawned ${event.worker.id} ${event.reason}${event.replaces === undefined ? "" : ` for ${event.replaces}`}${event.detail === undefined ? "" : `: ${event.detail}`}`
    case "Retired":
      return `retired ${event.worker.id}${event.draining ? " draining" : ""}: ${event.reason}`
    case "Crashed":
      return `crashed ${event.worker.id} (${event.redispatched} redispatched): ${event.reason}`
    case "Escalated":
      return `escalated after ${event.restarts}: ${event.escalation.workerId} ${event.escalation.reason}`
  }
}

const spawn = (count: number, reason = "more"): Decision => ({ _tag: "Spawn", count, reason })
const retire = (workerIds: Array<number>, reason = "idle"): Decision => ({ _tag: "Retire", workerIds, reason })

describe("TeamSupervisor: starting", () => {
  it("starts the floor, each worker started, joined and nudged, ids from 1, then asks the policy", () => {
    const pool = new StandInPool({ min: 2 })
    pool.team.start()
    expect(pool.events).toEqual(["spawned 1 initial", "spawned 2 initial"])
    expect(pool.accepting).toEqual([1, 2])
    expect([...pool.team.live].map((w) => w.id)).toEqual([1, 2])
    expect(pool.workers.map((w) => [w.started, w.nudged])).toEqual([[1, 1], [1, 1]])
    expect(pool.joined).toBe(2)
    expect(pool.asked).toHaveLength(1)
  })

  it("whenUp: waiters hear once, when the first worker boots; later ones at once; a cancel takes out only its own", () => {
    const pool = new StandInPool({ min: 1 })
    const heard: Array<string> = []
    pool.team.start()
    pool.team.whenUp((e) => heard.push(`a ${e?.reason}`))
    const cancelB = pool.team.whenUp((e) => heard.push(`b ${e?.reason}`))
    pool.team.whenUp((e) => heard.push(`c ${e?.reason}`))
    cancelB()
    cancelB() // twice: still no one else
    expect(heard).toEqual([])
    pool.worker(1).up()
    pool.team.booted() // a second boot tells no one again
    expect(heard).toEqual(["a undefined", "c undefined"])
    pool.team.whenUp((e) => heard.push(`d ${e?.reason}`))
    expect(heard).toEqual(["a undefined", "c undefined", "d undefined"])
  })

  it("the snapshot the policy reads: the accepting workers (idle, or else busy), the pool's queue, the ceiling, the last growth", () => {
    const pool = new StandInPool({ min: 2, max: 5 })
    pool.clock = 100
    pool.team.start()
    pool.worker(1).up()
    pool.worker(2).up(2)
    pool.worker(2).mailbox.push(job())
    pool.queued = 7
    pool.team.resize(6)
    expect(pool.team.snapshot()).toEqual({
      now: 100,
      minWorkers: 2,
      maxWorkers: 6,
      concurrency: 2,
      workers: [
        { id: 1, state: "idle", idleSince: 100, queued: 0, running: 0 },
        { id: 2, state: "busy", idleSince: undefined, queued: 1, running: 2 }
      ],
      queued: 7,
      lastScaleUpAt: undefined
    })
    pool.worker(1).state = "spawning"
    expect(pool.team.snapshot().workers[0]!.state).toBe("busy")
  })
})

describe("TeamSupervisor: scaling", () => {
  it("applies the policy's decisions until it holds, at most 16 in one evaluation", () => {
    const pool = new StandInPool({ max: 100 })
    pool.decide = () => spawn(1)
    pool.team.start()
    expect(pool.accepting).toHaveLength(16)
    expect(pool.asked).toHaveLength(16)
    pool.team.evaluate()
    expect(pool.accepting).toHaveLength(32)
  })

  it("grows by the count asked, within the ceiling; a decision that changes nothing ends the evaluation", () => {
    const pool = new StandInPool({ max: 3 })
    pool.clock = 42
    pool.decide = () => spawn(2, "load")
    pool.team.start()
    expect(pool.events).toEqual(["spawned 1 scaleUp: load", "spawned 2 scaleUp: load", "spawned 3 scaleUp: load"])
    expect(pool.asked).toHaveLength(3) // 2, then 1 (the ceiling), then nothing: it stops asking
    expect(pool.team.snapshot().lastScaleUpAt).toBe(42)
  })

  it("work never waits on an empty team: one worker for queued jobs, whatever the policy says", () => {
    const pool = new StandInPool({ max: 3 })
    pool.queued = 5
    pool.team.start()
    expect(pool.events).toEqual(["spawned 1 scaleUp: jobs waiting and no worker"])
    const quiet = new StandInPool()
    quiet.team.start()
    expect(quiet.events).toEqual([])
  })

  it("growth shares out the queued jobs: every accepting worker's mailbox back to dispatch, oldest first", () => {
    const pool = new StandInPool({ min: 2, max: 4 })
    pool.team.start()
    const [a, b, c] = [job(), job(), job()]
    pool.worker(1).mailbox.push(c, a)
    pool.worker(2).mailbox.push(b)
    pool.rehomed.length = 0
    pool.decide = (s) => (s.workers.length < 3 ? spawn(1) : { _tag: "Hold" })
    pool.team.evaluate()
    expect(pool.rehomed).toEqual([[a.id, b.id, c.id]])
    expect(pool.workers.map((w) => w.queued)).toEqual([0, 0, 0])
  })

  it("retires the workers named, idle ones only, never below the floor, each reported with its queued jobs sent on", () => {
    const pool = new StandInPool({ min: 2, max: 4 })
    pool.decide = () => spawn(4)
    pool.team.start()
    for (const w of pool.workers) w.up()
    pool.worker(2).up(1) // busy: it stays
    const left = job()
    pool.worker(3).mailbox.push(left)
    pool.events.length = 0
    pool.rehomed.length = 0
    let asked = 0
    pool.decide = () => (asked++ === 0 ? retire([9, 2, 3, 4, 1], "idle too long") : { _tag: "Hold" })
    pool.team.evaluate()
    expect(pool.events).toEqual(["retired 3: idle too long", "retired 4: idle too long"]) // then the floor: 1 stays
    expect(pool.rehomed).toEqual([[left.id], []])
    expect(pool.accepting).toEqual([1, 2])
    expect(pool.workers.map((w) => w.state)).toEqual(["idle", "busy", "stopped", "stopped"])
    expect(asked).toBe(2) // a retirement changed the team: the policy is asked again, and holds
  })

  it("a retirement that retires no one ends the evaluation", () => {
    const pool = new StandInPool({ min: 0, max: 2 })
    pool.decide = () => spawn(1)
    pool.team.start()
    pool.worker(1).up(1)
    pool.worker(2).up(1)
    pool.asked.length = 0
    pool.decide = () => retire([1, 2])
    pool.team.evaluate()
    expect(pool.asked).toHaveLength(1)
    expect(pool.accepting).toEqual([1, 2])
  })

  it("load changes ask for one evaluation per scheduler batch, none when the team is at its ceiling; an idle timeout asks for one too", () => {
    const pool = new StandInPool({ max: 2 })
    pool.team.start()
    pool.asked.length = 0
    pool.team.loadChanged()
    pool.team.loadChanged()
    expect(pool.tasks).toHaveLength(1)
    pool.runTasks()
    expect(pool.asked).toHaveLength(1)
    pool.team.loadChanged() // a new batch: a new evaluation
    expect(pool.tasks).toHaveLength(1)
    pool.runTasks()
    pool.decide = () => spawn(2)
    pool.team.evaluate()
    pool.asked.length = 0
    pool.team.loadChanged()
    expect(pool.tasks).toHaveLength(0) // full: nothing to decide on growth
    pool.team.idleTimedOut()
    pool.runTasks()
    expect(pool.asked).toHaveLength(1)
  })

  it("nothing is decided once the pool stops running, the team is stopped, or it gave up", () => {
    const pool = new StandInPool({ max: 2 })
    pool.decide = () => spawn(1)
    pool.running = false
    pool.queued = 3
    pool.team.start()
    expect(pool.asked).toEqual([])
    expect(pool.events).toEqual([])
    pool.running = true
    pool.team.stopTeam("tree restarts it")
    pool.team.evaluate()
    expect(pool.asked).toEqual([])
  })

  it("stops asking when the pool stops running mid-evaluation", () => {
    const pool = new StandInPool({ max: 10 })
    pool.decide = () => ((pool.running = pool.asked.length < 2), spawn(1))
    pool.team.start()
    expect(pool.asked).toHaveLength(2)
  })
})

describe("TeamSupervisor: resizing and shutdown", () => {
  it("a lowered ceiling drains the least loaded workers first, sends their queued jobs on and reports them; then the policy decides", () => {
    const pool = new StandInPool({ min: 3, max: 3 })
    pool.team.start()
    pool.worker(1).up(3)
    pool.worker(2).up(1)
    pool.worker(3).up(1)
    const queued = job()
    pool.worker(3).mailbox.push(queued) // 2 in all: less than worker 1's 3
    pool.asked.length = 0
    pool.events.length = 0
    pool.team.resize(1)
    expect(pool.events).toEqual(["retired 2 draining: maxWorkers lowered to 1", "retired 3 draining: maxWorkers lowered to 1"])
    expect(pool.accepting).toEqual([1])
    expect([pool.worker(2).state, pool.worker(3).state]).toEqual(["draining", "draining"])
    expect(pool.rehomed.at(-1)).toEqual([queued.id])
    expect(pool.team.maxWorkers).toBe(1)
    expect(pool.asked).toHaveLength(1)
  })

  it("a worker's load for a lowered ceiling is its running and its queued jobs together", () => {
    const pool = new StandInPool({ min: 2, max: 2 })
    pool.team.start()
    pool.worker(1).up(1)
    pool.worker(1).mailbox.push(job(), job()) // 3
    pool.worker(2).up(2) // 2
    pool.team.resize(1)
    expect(pool.accepting).toEqual([1])
    expect(pool.worker(2).state).toBe("draining")
  })

  it("a lowered ceiling drains no one once the pool has stopped running", () => {
    const pool = new StandInPool({ min: 2, max: 2 })
    pool.team.start()
    pool.running = false
    pool.team.resize(1)
    expect(pool.accepting).toEqual([1, 2])
  })

  it("stopAccepting drains every worker and leaves none taking jobs", () => {
    const pool = new StandInPool({ min: 2 })
    pool.team.start()
    pool.team.stopAccepting()
    expect(pool.accepting).toEqual([])
    expect(pool.workers.map((w) => w.state)).toEqual(["draining", "draining"])
  })
})

describe("TeamSupervisor: crashes", () => {
  it("a crashed worker's queued jobs go back at once; it is replaced once its lanes end", () => {
    const pool = new StandInPool({ min: 1, intensity: 3 })
    pool.team.start()
    pool.worker(1).up(1)
    const queued = job()
    pool.worker(1).mailbox.push(queued)
    pool.crash(1, "boom")
    expect(pool.events).toEqual(["spawned 1 initial", "crashed 1 (1 redispatched): boom"])
    expect(pool.rehomed.at(-1)).toEqual([queued.id])
    expect(pool.accepting).toEqual([]) // its lane still runs: no replacement yet, no more lanes than the team's size
    pool.worker(1).end()
    expect(pool.events.at(-1)).toBe("spawned 2 replacement for 1")
    expect(pool.accepting).toEqual([2])
    expect([...pool.team.live].map((w) => w.id)).toEqual([2])
  })

  it("a worker whose lanes stop at once is replaced within its crash, once", () => {
    const pool = new StandInPool({ min: 1, intensity: 3 })
    pool.team.start()
    pool.worker(1).up()
    pool.crash(1, "boom")
    expect(pool.events).toEqual(["spawned 1 initial", "crashed 1 (0 redispatched): boom", "spawned 2 replacement for 1"])
    pool.crash(1, "again") // already crashed: nothing
    expect(pool.events).toHaveLength(3)
  })

  it("a replacement into an emptied team runs what waited for it oldest first, in whatever order it arrived", () => {
    const pool = new StandInPool({ min: 1, intensity: 3 })
    pool.team.start()
    pool.worker(1).up(1)
    pool.crash(1, "boom")
    const [a, b, c] = [job(), job(), job()]
    pool.onJoined = (worker) => worker.mailbox.push(c, a, b) // a retry landed first, say
    pool.rehomed.length = 0
    pool.worker(1).end()
    expect(pool.rehomed).toEqual([[a.id, b.id, c.id]])
  })

  it("growth that filled the team meanwhile: no replacement, the policy decides", () => {
    const pool = new StandInPool({ min: 1, max: 2, intensity: 3 })
    pool.team.start()
    pool.worker(1).up(1)
    pool.crash(1, "boom")
    pool.decide = () => spawn(2)
    pool.team.evaluate() // two new workers fill the ceiling
    pool.asked.length = 0
    pool.decide = () => ({ _tag: "Hold" })
    pool.worker(1).end()
    expect(pool.events.filter((e) => e.includes("replacement"))).toEqual([])
    expect(pool.accepting).toEqual([2, 3])
    expect(pool.asked).toHaveLength(1)
  })

  it("crashes past the restart intensity: the team gives up, stops its workers, tells the waiters and the pool", () => {
    const pool = new StandInPool({ min: 2, intensity: 1 })
    const heard: Array<Escalation | undefined> = []
    pool.team.start()
    pool.team.whenUp((e) => heard.push(e))
    pool.worker(2).up()
    heard.length = 0
    pool.crash(1, "first")
    expect(pool.events.at(-1)).toBe("spawned 3 replacement for 1")
    pool.clock = 4_999 // within the 5 s window
    pool.crash(3, "second")
    expect(pool.events.slice(-3)).toEqual([
      "crashed 3 (0 redispatched): second",
      "escalated after 1: 3 second",
      "crashed 2 (0 redispatched): pool gave up: second"
    ])
    expect(pool.team.escalation).toEqual({ workerId: 3, reason: "second" })
    expect(pool.gaveUp).toEqual([{ workerId: 3, reason: "second" }])
    expect(pool.accepting).toEqual([])
    expect(pool.team.live.size).toBe(0)
    const late: Array<Escalation | undefined> = []
    pool.team.whenUp((e) => late.push(e))
    expect(late).toEqual([{ workerId: 3, reason: "second" }])
  })

  it("a waiter for the first boot hears the escalation when the team gives up first", () => {
    const pool = new StandInPool({ min: 1, intensity: 0 })
    const heard: Array<Escalation | undefined> = []
    pool.team.start()
    pool.team.whenUp((e) => heard.push(e))
    pool.crash(1, "cannot boot")
    expect(heard).toEqual([{ workerId: 1, reason: "cannot boot" }])
  })

  it("crashes a whole period apart are each replaced", () => {
    const pool = new StandInPool({ min: 1, intensity: 1 })
    pool.team.start()
    for (let n = 0; n < 4; n++) {
      pool.clock += 5_000
      pool.crash(pool.accepting[0]!, `crash ${n}`)
    }
    expect(pool.team.escalation).toBeUndefined()
    expect(pool.accepting).toEqual([5])
  })

  it("no replacement once the pool stops running", () => {
    const pool = new StandInPool({ min: 1, intensity: 3 })
    pool.team.start()
    pool.running = false
    pool.crash(1, "boom")
    expect(pool.events).toEqual(["spawned 1 initial", "crashed 1 (0 redispatched): boom"])
  })

  it("a retired worker that ends is not replaced, and leftover jobs of a worker that ends go back", () => {
    const pool = new StandInPool({ min: 0, max: 2, intensity: 3 })
    pool.decide = () => spawn(1)
    pool.team.start()
    pool.worker(1).up()
    pool.decide = () => retire([1])
    pool.team.evaluate()
    pool.worker(1).end()
    expect(pool.events.filter((e) => e.includes("replacement"))).toEqual([])
    const stray = job()
    pool.worker(2).mailbox.push(stray)
    pool.rehomed.length = 0
    pool.worker(2).end()
    expect(pool.rehomed).toEqual([[stray.id]])
  })

  it("a worker that has stopped or is draining out of the team: a crash of it leaves the accepting team as it is", () => {
    const pool = new StandInPool({ min: 0, max: 3, intensity: 5 })
    pool.decide = () => spawn(3)
    pool.team.start()
    for (const w of pool.workers) w.up()
    pool.decide = () => retire([1])
    pool.team.evaluate()
    pool.decide = () => ({ _tag: "Hold" })
    expect(pool.worker(1).state).toBe("stopped") // retired; its lanes not ended yet
    pool.events.length = 0
    pool.crash(1, "late")
    expect(pool.events).toEqual([])
    expect(pool.worker(1).state).toBe("stopped")
    pool.worker(2).up(1)
    pool.team.resize(1) // worker 3, idle, drains out of the team
    expect(pool.accepting).toEqual([2])
    pool.worker(3).running = 1
    pool.crash(3, "while draining")
    expect(pool.accepting).toEqual([2])
  })

  it("after a replacement the policy decides: the queue may call for more", () => {
    const pool = new StandInPool({ min: 1, max: 3, intensity: 3 })
    pool.team.start()
    pool.worker(1).up()
    pool.decide = (s) => (s.queued > 0 && s.workers.length < 3 ? spawn(2, "backlog") : { _tag: "Hold" })
    pool.queued = 10
    pool.crash(1, "boom")
    expect(pool.events.slice(-3)).toEqual(["spawned 2 replacement for 1", "spawned 3 scaleUp: backlog", "spawned 4 scaleUp: backlog"])
  })

  it("crashById crashes a live worker by id; an unknown id is false", () => {
    const pool = new StandInPool({ min: 2, intensity: 3 })
    pool.team.start()
    expect(pool.team.crashById(2, "chaos")).toBe(true)
    expect(pool.worker(2).state).toBe("crashed")
    expect(pool.worker(1).state).toBe("spawning")
    expect(pool.team.crashById(99, "chaos")).toBe(false)
  })
})

describe("TeamSupervisor: stopping and restarting the team (a supervision tree)", () => {
  it("stopTeam crashes every worker and replaces none; startTeam brings the floor back with a fresh restart window", () => {
    const pool = new StandInPool({ min: 2, intensity: 1 })
    pool.team.start()
    pool.worker(1).up(1)
    pool.crash(2, "one restart used")
    pool.team.stopTeam("tree restarts it")
    expect(pool.accepting).toEqual([])
    expect(pool.events.filter((e) => e.includes("spawned"))).toHaveLength(3)
    pool.team.startTeam()
    expect(pool.accepting).toEqual([4, 5])
    pool.worker(1).end() // the old team's last lane ends after the new team started: never replaced
    expect(pool.accepting).toEqual([4, 5])
    pool.crash(4, "fresh window") // within 1: replaced
    expect(pool.team.escalation).toBeUndefined()
    expect(pool.accepting).toEqual([5, 6])
  })

  it("startTeam does nothing for a team that is up", () => {
    const pool = new StandInPool({ min: 1 })
    pool.team.start()
    pool.team.startTeam()
    expect(pool.accepting).toEqual([1])
  })

  it("startTeam brings back a team that gave up", () => {
    const pool = new StandInPool({ min: 1, intensity: 0 })
    pool.team.start()
    pool.crash(1, "boom")
    expect(pool.team.escalation).toBeDefined()
    pool.team.startTeam()
    expect(pool.team.escalation).toBeUndefined()
    expect(pool.accepting).toEqual([2])
  })
})
