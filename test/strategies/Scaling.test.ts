import { Duration } from "effect"
import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { Scaling } from "../../src/index.ts"

const snapshot = (over: Partial<Scaling.LoadSnapshot> & { readonly idle?: ReadonlyArray<number>; readonly busy?: number }): Scaling.LoadSnapshot => {
  const idle = (over.idle ?? []).map((since, i) => ({ id: i + 1, state: "idle" as const, idleSince: since, queued: 0, running: 0 }))
  const busy = Array.from({ length: over.busy ?? 0 }, (_, i) => ({
    id: 100 + i,
    state: "busy" as const,
    idleSince: undefined,
    queued: 0,
    running: 1
  }))
  return {
    now: 0,
    minWorkers: 0,
    maxWorkers: 16,
    concurrency: 1,
    queued: 0,
    lastScaleUpAt: undefined,
    workers: [...idle, ...busy],
    ...over
  }
}

describe("Scaling.threshold", () => {
  const policy = Scaling.threshold({ jobsPerWorker: 50 })

  it("the classic rule: 2 workers, threshold 50, 100 queued -> 4 workers", () => {
    expect(policy.decide(snapshot({ busy: 2, queued: 100 }))).toMatchObject({ _tag: "Spawn", count: 2 })
  })

  it("holds below the threshold", () => {
    expect(policy.decide(snapshot({ busy: 2, queued: 99 }))).toEqual(Scaling.hold)
  })

  it("jobs that free lanes will take at once are not backlog", () => {
    // one idle worker and one queued job: the job is in transit, not load
    expect(Scaling.threshold({ jobsPerWorker: 1 }).decide(snapshot({ idle: [0], queued: 1 }))).toEqual(Scaling.hold)
    expect(Scaling.backlog(snapshot({ idle: [0, 0], busy: 1, queued: 5 }))).toBe(3)
    expect(Scaling.backlog(snapshot({ busy: 2, queued: 5, concurrency: 3 }))).toBe(1)
  })

  it("never grows past maxWorkers", () => {
    expect(policy.decide(snapshot({ busy: 12, queued: 10_000 }))).toMatchObject({ _tag: "Spawn", count: 4 })
    expect(policy.decide(snapshot({ busy: 16, queued: 10_000 }))).toEqual(Scaling.hold)
  })

  it("with no worker, any queued job starts one (scale from zero)", () => {
    expect(policy.decide(snapshot({ queued: 1 }))).toMatchObject({ _tag: "Spawn", count: 1 })
    expect(policy.decide(snapshot({ queued: 0 }))).toEqual(Scaling.hold)
  })

  test.prop([fc.nat({ max: 20 }), fc.nat({ max: 5_000 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 100 })])(
    "a decision never leaves [0, max] and grows only when queued/worker reaches the threshold",
    (n, queued, max, per) => {
      const workers = Math.min(n, max)
      const d = Scaling.threshold({ jobsPerWorker: per }).decide(snapshot({ busy: workers, queued, maxWorkers: max }))
      if (d._tag === "Spawn") {
        expect(workers + d.count).toBeLessThanOrEqual(max)
        expect(d.count).toBeGreaterThan(0)
        expect(workers === 0 ? queued > 0 : queued >= per * workers).toBe(true) // all busy: backlog = queued
      } else expect(d._tag).toBe("Hold")
    }
  )
})

describe("Scaling.idleTimeout", () => {
  const policy = Scaling.idleTimeout({ after: "30 seconds" })

  it("retires workers idle for the whole timeout, longest idle first", () => {
    const d = policy.decide(snapshot({ now: 60_000, idle: [40_000, 10_000, 30_000], busy: 1 }))
    expect(d).toMatchObject({ _tag: "Retire", workerIds: [2, 3] })
  })

  it("never below minWorkers and never a busy worker", () => {
    const d = policy.decide(snapshot({ now: 100_000, idle: [0, 0, 0], busy: 2, minWorkers: 4 }))
    expect(d).toMatchObject({ _tag: "Retire", workerIds: [1] })
    expect(policy.decide(snapshot({ now: 100_000, busy: 3 }))).toEqual(Scaling.hold)
  })

  it("hysteresis: nothing retires within the timeout of the last growth", () => {
    expect(policy.decide(snapshot({ now: 60_000, idle: [0], lastScaleUpAt: 40_000 }))).toEqual(Scaling.hold)
    expect(policy.decide(snapshot({ now: 70_000, idle: [0], lastScaleUpAt: 40_000 }))).toMatchObject({ _tag: "Retire" })
  })

  test.prop([
    fc.array(fc.option(fc.nat({ max: 100_000 }), { nil: undefined }), { maxLength: 12 }),
    fc.nat({ max: 6 }),
    fc.nat({ max: 200_000 })
  ])("retires only idle workers idle >= timeout, keeping at least minWorkers", (slots, min, now) => {
    const workers = slots.map((since, i) => ({
      id: i,
      state: since === undefined ? ("busy" as const) : ("idle" as const),
      idleSince: since,
      queued: 0,
      running: since === undefined ? 1 : 0
    }))
    const d = policy.decide({ ...snapshot({}), now, minWorkers: min, workers })
    if (d._tag !== "Retire") return
    expect(workers.length - d.workerIds.length).toBeGreaterThanOrEqual(min)
    for (const id of d.workerIds) {
      const w = workers[id]!
      expect(w.state).toBe("idle")
      expect(now - w.idleSince!).toBeGreaterThanOrEqual(30_000)
    }
  })
})

describe("Scaling.fixed, combine, auto", () => {
  it("fixed fills the team to maxWorkers and never retires", () => {
    expect(Scaling.fixed().decide(snapshot({ busy: 3, maxWorkers: 8 }))).toMatchObject({ _tag: "Spawn", count: 5 })
    expect(Scaling.fixed().decide(snapshot({ now: 1e9, idle: [0, 0], maxWorkers: 2 }))).toEqual(Scaling.hold)
    expect(Scaling.fixed().idleTimeout).toBeUndefined()
  })

  it("combine asks in order; the first non-hold decides; the shortest idle timeout wins", () => {
    const policy = Scaling.combine(Scaling.threshold({ jobsPerWorker: 1 }), Scaling.idleTimeout({ after: 5_000 }))
    expect(policy.decide(snapshot({ busy: 1, queued: 3 }))).toMatchObject({ _tag: "Spawn" })
    expect(policy.decide(snapshot({ now: 9_000, idle: [1_000] }))).toMatchObject({ _tag: "Retire" })
    expect(policy.idleTimeout).toBeDefined()
    const both = Scaling.combine(Scaling.idleTimeout({ after: 9_000 }), Scaling.idleTimeout({ after: 4_000 }))
    expect(both.idleTimeout && Duration.toMillis(both.idleTimeout)).toBe(4_000)
  })

  // The default changed (issue 15): auto grows under pressure; the threshold rule of 50 is `classic`.
  it("classic = threshold(50) + idleTimeout(30 s)", () => {
    const policy = Scaling.classic()
    expect(policy.decide(snapshot({ busy: 1, queued: 50 }))).toMatchObject({ _tag: "Spawn", count: 1 })
    expect(policy.decide(snapshot({ now: 30_000, idle: [0, 0] }))).toMatchObject({ _tag: "Retire", workerIds: [1, 2] })
  })

  it("auto = pressure + idleTimeout(30 s): a burst gets its team in one step", () => {
    const policy = Scaling.auto()
    expect(policy.decide(snapshot({ busy: 1, queued: 15 }))).toMatchObject({ _tag: "Spawn", count: 15 })
    expect(policy.decide(snapshot({ busy: 1, queued: 50 }))).toMatchObject({ _tag: "Spawn", count: 15 }) // up to maxWorkers (16)
    expect(policy.decide(snapshot({ now: 30_000, idle: [0, 0] }))).toMatchObject({ _tag: "Retire", workerIds: [1, 2] })
    expect(Scaling.auto({ jobsPerWorker: 50 }).decide(snapshot({ busy: 1, queued: 15 }))).toEqual(Scaling.hold) // the threshold rule, when asked
  })
})

describe("Scaling.pressure", () => {
  it("grows for the jobs no free lane takes, over the lanes a worker has; never while a lane is free", () => {
    const policy = Scaling.pressure()
    expect(policy.decide(snapshot({ busy: 2, queued: 3 }))).toMatchObject({ _tag: "Spawn", count: 3 })
    expect(policy.decide(snapshot({ queued: 7, concurrency: 2, workers: [] }))).toMatchObject({ _tag: "Spawn", count: 4 }) // no worker: 7 wait, 2 lanes each
    expect(policy.decide(snapshot({ busy: 2, queued: 7, concurrency: 4 }))).toMatchObject({ _tag: "Spawn", count: 1 }) // 6 free lanes take 6 of 7
    expect(policy.decide(snapshot({ idle: [0], busy: 1, queued: 1 }))).toEqual(Scaling.hold) // the idle worker's lane takes it
    expect(policy.decide(snapshot({ busy: 16, queued: 100 }))).toEqual(Scaling.hold) // at maxWorkers
    expect(policy.decide(snapshot({ busy: 3, queued: 0 }))).toEqual(Scaling.hold)
  })

  test.prop([fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 4 })])(
    "never spawns past maxWorkers, and only when jobs wait with no free lane",
    (idle, busy, queued, concurrency) => {
      const s = snapshot({ idle: Array.from({ length: idle }, () => 0), busy, queued, concurrency, maxWorkers: 16 })
      const decision = Scaling.pressure().decide(s)
      if (decision._tag !== "Spawn") return
      expect(s.workers.length + decision.count).toBeLessThanOrEqual(16)
      expect(decision.count).toBeGreaterThan(0)
      expect(Scaling.backlog(s) > 0 || s.workers.length === 0).toBe(true)
    }
  )

  it("a policy of your own is a function", () => {
    const perTen = Scaling.make("perTen", (s) => {
      const want = Math.ceil(s.queued / 10)
      return want > s.workers.length ? { _tag: "Spawn", count: want - s.workers.length, reason: "perTen" } : Scaling.hold
    })
    expect(perTen.decide(snapshot({ busy: 1, queued: 35 }))).toMatchObject({ _tag: "Spawn", count: 3 })
    expect(Scaling.isScaling(perTen)).toBe(true)
  })
})

describe("Scaling constructors", () => {
  it("reject durations that would read as 0 ms (NaN, {}), negative or malformed, naming the argument", () => {
    for (const after of [Number.NaN, {}, -1, "soon", { secs: 1 }]) {
      expect(() => Scaling.idleTimeout({ after: after as Duration.Input })).toThrow(/Scaling\.idleTimeout: after must be a duration/)
      expect(() => Scaling.auto({ idleAfter: after as Duration.Input })).toThrow(/after must be a duration/)
      expect(() => Scaling.make("mine", () => Scaling.hold, { idleTimeout: after as Duration.Input })).toThrow(/idleTimeout must be a duration/)
    }
    expect(Duration.toMillis(Scaling.idleTimeout({ after: { seconds: 2 } }).idleTimeout!)).toBe(2_000)
  })
})

describe("Scaling defaults and options", () => {
  // Each row: the policy, the team (busy workers), the queued jobs, what it decides.
  const rows: ReadonlyArray<readonly [string, Scaling.Scaling, number, number, number]> = [
    ["classic: 49 queued on 1 worker holds", Scaling.classic(), 1, 49, 0],
    ["classic: 50 queued on 1 worker grows", Scaling.classic(), 1, 50, 1],
    ["classic: 99 queued on 2 workers holds", Scaling.classic(), 2, 99, 0],
    ["classic: 1 queued on 3 workers holds", Scaling.classic(), 3, 1, 0],
    ["classic({ jobsPerWorker: 10 }): 9 on 1 holds", Scaling.classic({ jobsPerWorker: 10 }), 1, 9, 0],
    ["classic({ jobsPerWorker: 10 }): 10 on 1 grows", Scaling.classic({ jobsPerWorker: 10 }), 1, 10, 1],
    ["auto({ jobsPerWorker: 5 }): 4 on 1 holds", Scaling.auto({ jobsPerWorker: 5 }), 1, 4, 0],
    ["auto({ jobsPerWorker: 5 }): 5 on 1 grows to 2", Scaling.auto({ jobsPerWorker: 5 }), 1, 5, 1],
    ["threshold factor 3: 2 workers over the line grow to 6", Scaling.threshold({ jobsPerWorker: 1, factor: 3 }), 2, 2, 4],
    ["threshold factor 1.5: 3 workers grow to 5 (rounded up)", Scaling.threshold({ jobsPerWorker: 1, factor: 1.5 }), 3, 3, 2],
    ["threshold factor 1: one more worker at least", Scaling.threshold({ jobsPerWorker: 1, factor: 1 }), 2, 2, 1],
    ["threshold factor 0.5: one more worker at least", Scaling.threshold({ jobsPerWorker: 1, factor: 0.5 }), 4, 4, 1],
    ["threshold factor 10: capped at maxWorkers (16)", Scaling.threshold({ jobsPerWorker: 1, factor: 10 }), 3, 3, 13]
  ]

  it.each(rows)("%s", (_row, policy, busy, queued, spawned) => {
    const decision = policy.decide(snapshot({ busy, queued }))
    if (spawned === 0) expect(decision).toEqual(Scaling.hold)
    else expect(decision).toMatchObject({ _tag: "Spawn", count: spawned })
  })

  it("the pool's options: \"auto\" is Scaling.auto() (grows under pressure, retires after 30 s idle), \"fixed\" is Scaling.fixed()", () => {
    const auto = Scaling.fromOption("auto")
    expect(auto.name).toBe(Scaling.auto().name)
    expect(auto.decide(snapshot({ idle: [0], busy: 1, queued: 1 }))).toEqual(Scaling.hold) // a free lane takes it
    expect(auto.decide(snapshot({ busy: 2, queued: 3 }))).toMatchObject({ _tag: "Spawn", count: 3 })
    expect(Duration.toMillis(auto.idleTimeout!)).toBe(30_000)
    expect(Scaling.fromOption("fixed").name).toBe("fixed")
    const mine = Scaling.fixed()
    expect(Scaling.fromOption(mine)).toBe(mine)
  })
})

describe("Scaling.idleTimeout: who retires", () => {
  const policy = Scaling.idleTimeout({ after: "30 seconds" })

  it("the longest idle first, whatever order the team lists them in", () => {
    // ids 1..4 idle since 30 s, 10 s, 20 s, 0 s before now = 60 s: 4, 2, 3, 1 by idle time
    const idle = [30_000, 50_000, 40_000, 20_000]
    expect(policy.decide(snapshot({ now: 60_000, idle }))).toMatchObject({ _tag: "Retire", workerIds: [4, 1] })
    expect(policy.decide(snapshot({ now: 80_000, idle }))).toMatchObject({ _tag: "Retire", workerIds: [4, 1, 3, 2] })
    expect(policy.decide(snapshot({ now: 80_000, idle, minWorkers: 3 }))).toMatchObject({ _tag: "Retire", workerIds: [4] })
  })

  test.prop([fc.array(fc.nat({ max: 100_000 }), { maxLength: 10 }), fc.nat({ max: 10 }), fc.nat({ max: 200_000 })])(
    "those it retires were idle longer than any idle-enough worker it keeps, longest first",
    (since, min, now) => {
      const d = policy.decide(snapshot({ now, idle: since, minWorkers: min }))
      if (d._tag !== "Retire") return
      const idleFor = (id: number) => now - since[id - 1]!
      const kept = since.map((_, i) => i + 1).filter((id) => !d.workerIds.includes(id) && idleFor(id) >= 30_000)
      for (const id of d.workerIds) for (const other of kept) expect(idleFor(id)).toBeGreaterThanOrEqual(idleFor(other))
      for (let i = 1; i < d.workerIds.length; i++) expect(idleFor(d.workerIds[i - 1]!)).toBeGreaterThanOrEqual(idleFor(d.workerIds[i]!))
    }
  )
})

describe("Scaling: names and reasons (what events and snapshots show)", () => {
  it("each policy is named for itself; combined ones join their names with +", () => {
    expect([Scaling.fixed(), Scaling.threshold({ jobsPerWorker: 1 }), Scaling.pressure(), Scaling.idleTimeout({ after: 1 })].map((p) => p.name))
      .toEqual(["fixed", "threshold", "pressure", "idleTimeout"])
    expect(Scaling.auto().name).toBe("pressure+idleTimeout")
    expect(Scaling.classic().name).toBe("threshold+idleTimeout")
    expect(Scaling.combine(Scaling.fixed(), Scaling.pressure()).idleTimeout).toBeUndefined()
  })

  it.each([
    ["fixed", Scaling.fixed(), snapshot({ busy: 3, maxWorkers: 8 }), "fixed size"],
    ["threshold, no worker", Scaling.threshold({ jobsPerWorker: 5 }), snapshot({ queued: 3 }), "3 queued jobs and no worker"],
    ["threshold", Scaling.threshold({ jobsPerWorker: 5 }), snapshot({ busy: 2, queued: 12 }), "12 waiting jobs on 2 workers reached 5 per worker"],
    ["pressure", Scaling.pressure(), snapshot({ busy: 2, queued: 3 }), "3 jobs waiting and no lane free"],
    ["idleTimeout", Scaling.idleTimeout({ after: "30 seconds" }), snapshot({ now: 60_000, idle: [0] }), "idle for 30s"]
  ] as const)("%s says why", (_name, policy, s, reason) => {
    expect(policy.decide(s)).toMatchObject({ reason })
  })

  it("make reads an idle timeout given as a duration, Infinity included", () => {
    expect(Duration.toMillis(Scaling.make("mine", () => Scaling.hold, { idleTimeout: "2 seconds" }).idleTimeout!)).toBe(2_000)
    expect(Duration.toMillis(Scaling.make("mine", () => Scaling.hold, { idleTimeout: Infinity }).idleTimeout!)).toBe(Infinity)
  })
})
