// The supervisor sizing the team, on TestClock: no real sleeps anywhere.
import { it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Metric, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Pool, Scaling, Worker } from "../src/index.ts"
import { eventually, makeGates, settle } from "./helpers.ts"
import { crashWorker, delayIdleSince, liveWorkerIds } from "./poolInternals.ts"

const team = (pool: Pool.Pool<any, any, any>) => {
  const w = Pool.statsUnsafe(pool).workers
  return w.idle + w.busy
}

const idleAfter = "10 seconds"

/** Submits `n` gated jobs, waits until the team has grown and runs them, then releases them all. */
const burst = (pool: Pool.Pool<number, number, string>, gates: ReturnType<typeof makeGates>, n: number) =>
  Effect.gen(function*() {
    const first = gates.started.length
    const inputs = Array.from({ length: n }, (_, i) => 1_000 * (first + 1) + i)
    const handles = yield* Effect.forEach(inputs, (i) => Pool.fork(pool, i))
    yield* settle()
    const grown = team(pool)
    for (const i of inputs) yield* gates.release(i)
    yield* Effect.forEach(handles, Job.join)
    yield* settle()
    return grown
  })
const eager = Scaling.combine(Scaling.threshold({ jobsPerWorker: 1 }), Scaling.idleTimeout({ after: idleAfter }))

describe("scaling up", () => {
  it.effect("the default policy: a burst of 16 gets a team of 16 in one step (no doubling, no threshold), and it retires after 30 s idle", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 16 })
      expect(team(pool)).toBe(1)
      yield* Effect.forEach(Array.from({ length: 16 }, (_, i) => i), (i) => Pool.fork(pool, i))
      yield* eventually(() => gates.started.length === 16, "all sixteen running")
      expect(team(pool)).toBe(16)
      expect(Pool.statsUnsafe(pool).spawned).toEqual({ initial: 1, replacement: 0, scaleUp: 15 })
      for (let i = 0; i < 16; i++) yield* gates.release(i)
      yield* eventually(() => Pool.statsUnsafe(pool).completed === 16)
      yield* settle()
      yield* TestClock.adjust("29 seconds")
      expect(team(pool)).toBe(16)
      yield* TestClock.adjust("1 second")
      yield* settle()
      expect(team(pool)).toBe(1) // back to minWorkers
    }))

  it.effect("a burst grows the team at once, doubling up to maxWorkers, without waiting for a tick", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 1, maxWorkers: 8, scaling: eager })
      expect(team(pool)).toBe(1)
      yield* Effect.forEach(Array.from({ length: 16 }, (_, i) => i), (i) => Pool.fork(pool, i))
      yield* eventually(() => gates.started.length === 8, "eight jobs running")
      expect(team(pool)).toBe(8)
      expect(Pool.statsUnsafe(pool).spawned).toEqual({ initial: 1, replacement: 0, scaleUp: 7 })
      expect(Pool.statsUnsafe(pool).queued).toBe(8) // max reached: the rest wait, none dropped
      for (let i = 0; i < 16; i++) yield* gates.release(i)
      yield* eventually(() => Pool.statsUnsafe(pool).completed === 16)
    }))

  it.effect("the classic rule through the pool: 2 workers, threshold 50, 100 queued -> 4 workers", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({
        handler: gates.handler,
        minWorkers: 2,
        maxWorkers: 8,
        scaling: Scaling.threshold({ jobsPerWorker: 50 }),
        capacity: "unbounded"
      })
      yield* Effect.forEach(Array.from({ length: 101 }, (_, i) => i), (i) => Pool.fork(pool, i))
      yield* settle()
      expect(team(pool)).toBe(2) // 2 running, 99 waiting: 49.5 per worker, below 50
      yield* Pool.fork(pool, 101)
      yield* settle()
      expect(team(pool)).toBe(4) // 100 waiting on 2 busy workers: 50 per worker, doubled
      for (let i = 0; i <= 101; i++) yield* gates.release(i)
      yield* eventually(() => Pool.statsUnsafe(pool).completed === 102)
    }))

  it.effect("every decision is visible: spawned events with the policy's reason, and metrics", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 4, scaling: eager, name: "burst" })
      const events = yield* Pool.events(pool).pipe(Stream.runCollect, Effect.forkChild({ startImmediately: true }))
      yield* Effect.forEach([0, 1, 2, 3], (i) => Pool.fork(pool, i))
      yield* eventually(() => gates.started.length === 4)
      const snapshot = yield* Metric.snapshot
      const spawned = snapshot.find((m) => m.id === "troupe_workers_spawned" && m.attributes?.reason === "scaleUp")
      expect(spawned?.state).toMatchObject({ count: 3 })
      for (let i = 0; i < 4; i++) yield* gates.release(i)
      yield* Pool.shutdown(pool)
      const ups = (yield* Fiber.join(events)).filter((e) => e.type === "@troupe.worker.spawned")
      expect(ups.map((e) => e.type === "@troupe.worker.spawned" && e.reason)).toEqual(["scaleUp", "scaleUp", "scaleUp"])
      expect(ups[0]?.type === "@troupe.worker.spawned" && ups[0].detail).toContain("reached 1 per worker")
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})

describe("retiring idle workers", () => {
  it.effect("an idle worker retires after exactly the timeout, down to minWorkers", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 1, maxWorkers: 4, scaling: eager })
      expect(yield* burst(pool, gates, 6)).toBe(4)
      expect(team(pool)).toBe(4)
      yield* TestClock.adjust(9_999)
      expect(team(pool)).toBe(4)
      yield* TestClock.adjust(1)
      yield* settle()
      expect(team(pool)).toBe(1)
      expect(Pool.statsUnsafe(pool).retired).toBe(3)
    }))

  it.effect("the idle timer is the measure: a worker whose idleSince was read a moment after its timer was set still retires when the timer runs out", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 1, maxWorkers: 4, scaling: eager })
      expect(yield* burst(pool, gates, 6)).toBe(4)
      delayIdleSince(pool, 1)
      yield* TestClock.adjust(10_000)
      yield* settle()
      expect(team(pool)).toBe(1) // not a whole further period later
    }))

  it.effect("a busy worker is never retired, however long its job runs", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 0, maxWorkers: 2, scaling: eager })
      const handle = yield* Pool.fork(pool, 1)
      yield* eventually(() => gates.started.length === 1)
      yield* TestClock.adjust("1 hour")
      expect(team(pool)).toBe(1)
      yield* gates.release(1)
      expect(yield* Job.join(handle)).toBe(1)
      yield* settle()
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      expect(team(pool)).toBe(0)
    }))

  it.effect("minWorkers = 0: the pool scales to zero and back up on the next job", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * 2), minWorkers: 0, maxWorkers: 2, scaling: eager })
      expect(team(pool)).toBe(0)
      expect(yield* Pool.submit(pool, 1)).toBe(2)
      expect(team(pool)).toBe(1) // one job, one worker: it was in transit, not backlog
      yield* settle()
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      expect(team(pool)).toBe(0)
      expect(yield* Pool.submit(pool, 2)).toBe(4)
      expect(Pool.statsUnsafe(pool).spawned.scaleUp).toBe(2)
    }))

  it.effect("the team grows again after shrinking", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 1, maxWorkers: 4, scaling: eager })
      expect(yield* burst(pool, gates, 8)).toBe(4)
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      expect(team(pool)).toBe(1)
      expect(yield* burst(pool, gates, 8)).toBe(4)
      expect(Pool.statsUnsafe(pool).spawned.scaleUp).toBe(6)
    }))

  it.effect("hysteresis: load that comes and goes within the timeout does not churn workers", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 1, maxWorkers: 4, scaling: eager })
      for (let round = 0; round < 10; round++) {
        expect(yield* burst(pool, gates, 6)).toBe(4)
        yield* TestClock.adjust("6 seconds") // less than the idle timeout between bursts
      }
      const stats = yield* Pool.stats(pool)
      expect(stats.spawned.scaleUp).toBe(3) // grew once
      expect(stats.retired).toBe(0) // and never shrank while the load kept coming
    }))

  it.effect("retirement is visible as an event with the policy's reason", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), minWorkers: 0, maxWorkers: 1, scaling: eager })
      const events = yield* Pool.events(pool).pipe(Stream.runCollect, Effect.forkChild({ startImmediately: true }))
      yield* Pool.submit(pool, 1)
      yield* settle()
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      yield* Pool.shutdown(pool)
      const retired = (yield* Fiber.join(events)).filter((e) => e.type === "@troupe.worker.retired")
      expect(retired).toEqual([expect.objectContaining({ workerId: 1, reason: "idle for 10s", at: 10_000 })])
    }))
})

describe("fixed", () => {
  it.effect("a fixed team starts at maxWorkers and stays there", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), maxWorkers: 5, scaling: "fixed" })
      expect(team(pool)).toBe(5)
      yield* TestClock.adjust("1 day")
      expect(team(pool)).toBe(5)
    }))
})

describe("restart intensity of a pool's workers", () => {
  it.effect("workers crashing faster than the intensity: the pool gives up, hands its jobs back, and says why", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({
        handler: gates.handler,
        maxWorkers: 1,
        scaling: "fixed",
        restart: { intensity: 2, period: "10 seconds" }
      })
      const events = yield* Pool.events(pool).pipe(Stream.runCollect, Effect.forkChild({ startImmediately: true }))
      const handles = yield* Effect.forEach([1, 2, 3, 4, 5], (n) => Pool.fork(pool, n))
      for (let crash = 1; crash <= 3; crash++) {
        yield* eventually(() => gates.started.length === crash, `job ${crash} to start`)
        crashWorker(pool, liveWorkerIds(pool)[0]!, `crash ${crash}`)
        yield* settle()
        yield* TestClock.adjust("1 second")
      }
      const report = yield* Pool.shutdown(pool) // already under way: the same report
      expect(report.escalation).toEqual({ workerId: 3, reason: "crash 3" })
      expect(report.handedBack.map((j) => j.input)).toEqual([4, 5])
      expect(Pool.statsUnsafe(pool).state).toBe("stopped")
      const outcomes = yield* Effect.forEach(handles, (h) => Effect.flip(Job.join(h)))
      expect(outcomes.map((e) => (e as { _tag: string })._tag)).toEqual([
        "WorkerCrashed",
        "WorkerCrashed",
        "WorkerCrashed",
        "JobHandedBack",
        "JobHandedBack"
      ])
      const escalated = (yield* Fiber.join(events)).filter((e) => e.type === "@troupe.pool.escalated")
      expect(escalated).toEqual([expect.objectContaining({ workerId: 3, reason: "crash 3", restarts: 2 })])
    }))

  it.effect("crashes spread wider than the period are replaced forever", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({
        handler: gates.handler,
        maxWorkers: 1,
        scaling: "fixed",
        restart: { intensity: 1, period: "5 seconds" }
      })
      for (let crash = 1; crash <= 5; crash++) {
        crashWorker(pool, liveWorkerIds(pool)[0]!, "chaos")
        yield* settle()
        yield* TestClock.adjust("5 seconds")
      }
      expect(Pool.statsUnsafe(pool).state).toBe("running")
      expect(Pool.statsUnsafe(pool).spawned.replacement).toBe(5)
    }))
})

// Regressions from review: each once broke the team's bounds or a worker's lifecycle.
describe("regressions", () => {
  it.effect("a crash replacement arriving after growth filled the team does not push it past maxWorkers", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let ranOn: number | undefined
      const pool = yield* Pool.make({
        handler: (n: number) =>
          n === 0
            ? Effect.gen(function*() {
              ranOn = yield* Worker.CurrentWorkerId
              yield* Deferred.await(gate)
            }).pipe(Effect.uninterruptible, Effect.as(0))
            : Effect.succeed(n),
        minWorkers: 1,
        maxWorkers: 2,
        scaling: "fixed"
      })
      yield* Pool.fork(pool, 0)
      yield* eventually(() => ranOn !== undefined)
      crashWorker(pool, ranOn!, "chaos") // its lane outlives the crash (uninterruptible)
      yield* Pool.submit(pool, 1) // the fixed policy fills the team meanwhile
      yield* Deferred.succeed(gate, undefined) // now the crashed worker ends
      yield* settle()
      expect(liveWorkerIds(pool).length).toBe(2)
    }))

  it.effect("a worker retired by its idle timer reaches stopped", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), minWorkers: 0, maxWorkers: 1, scaling: eager })
      yield* Pool.submit(pool, 1)
      yield* settle()
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      expect(Pool.statsUnsafe(pool).workers).toMatchObject({ draining: 0, stopped: 1 })
    }))

  it.effect("a worker whose only job was cancelled before it woke goes idle, and can retire", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), minWorkers: 0, maxWorkers: 1, scaling: eager })
      yield* Pool.submit(pool, 0) // the worker exists
      yield* settle()
      const handle = yield* Pool.fork(pool, 1)
      yield* Job.cancel(handle) // gone before the worker woke for it
      yield* settle()
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      expect(Pool.statsUnsafe(pool).retired).toBe(1)
    }))
})

describe("an empty team", () => {
  it.effect("minWorkers 0 with a policy that never grows: a job still gets a worker", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => Effect.succeed(n + 1),
        minWorkers: 0,
        maxWorkers: 2,
        scaling: Scaling.idleTimeout({ after: idleAfter })
      })
      expect(yield* Pool.submit(pool, 1)).toBe(2)
      yield* settle()
      yield* TestClock.adjust(idleAfter)
      yield* settle()
      expect(team(pool)).toBe(0)
      expect(yield* Pool.submit(pool, 2)).toBe(3)
    }))
})
