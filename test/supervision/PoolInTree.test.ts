// Pools under supervision trees: a restart of the pool's subtree restarts its
// team and keeps its queued jobs; a tree that stops for good leaves them to
// the pool's shutdown report.
import { it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Schedule, Scope } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Pool, Supervisor } from "../../src/index.ts"
import { eventually, makeGates, settle, tagOf } from "../helpers.ts"
import { crashWorker, liveWorkerIds } from "../poolInternals.ts"

const crashRunning = (pool: Pool.Pool<any, any, any>, gates: ReturnType<typeof makeGates>, nth: number) =>
  Effect.gen(function*() {
    yield* eventually(() => gates.started.length === nth, `job ${nth} to start`)
    crashWorker(pool, liveWorkerIds(pool)[0]!, `crash ${nth}`)
    yield* settle()
  })

describe("Supervisor.pool", () => {
  it.effect("a pool that gives up is restarted by its tree: the team comes back and no queued job is lost", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", restart: { intensity: 1 } })
      const tree = yield* Supervisor.start(Supervisor.supervisor("app", [Supervisor.pool("thumbs", pool)], { intensity: 3 }))
      const handles = yield* Effect.forEach([1, 2, 3, 4, 5], (n) => Pool.fork(pool, n))
      yield* crashRunning(pool, gates, 1)
      yield* crashRunning(pool, gates, 2) // the second crash exceeds 1 restart: the pool escalates to its tree
      yield* eventually(() => gates.started.length === 3, "the restarted team to take job 3")
      for (const n of [3, 4, 5]) yield* gates.release(n)
      const outcomes = yield* Effect.forEach(handles, (h) => Effect.exit(Job.join(h)))
      expect(outcomes.map((e) => (e._tag === "Success" ? e.value : tagOf(e.cause.reasons[0]?._tag === "Fail" ? e.cause.reasons[0].error : undefined))))
        .toEqual(["WorkerCrashed", "WorkerCrashed", 3, 4, 5])
      expect(Pool.statsUnsafe(pool).state).toBe("running")
      const snapshot = yield* tree.snapshot
      expect(snapshot._tag === "Supervisor" && snapshot.children[0]).toMatchObject({ id: "thumbs", state: "running", restarts: 1 })
    }))

  it.effect("oneForAll: a sibling's failure restarts the pool's team; its queued jobs are kept", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed" })
      let feedRuns = 0
      const feed = Effect.suspend(() => (++feedRuns === 1 ? Effect.sleep("1 second").pipe(Effect.andThen(Effect.fail("feed broke"))) : Effect.never))
      yield* Supervisor.start(
        Supervisor.supervisor("app", [Supervisor.pool("thumbs", pool), Supervisor.child("feed", feed)], { strategy: "oneForAll" })
      )
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 1)
      yield* TestClock.adjust("1 second")
      yield* settle()
      expect(tagOf(yield* Job.join(handles[0]!).pipe(Effect.flip))).toBe("WorkerCrashed") // its team was restarted
      yield* eventually(() => gates.started.length === 2, "the new team to take job 2")
      for (const n of [2, 3]) yield* gates.release(n)
      expect(yield* Effect.forEach(handles.slice(1), Job.join)).toEqual([2, 3])
      expect(Pool.statsUnsafe(pool).spawned).toMatchObject({ initial: 2 })
    }))

  it.effect("a tree that stops for good stops the team; the pool's shutdown report lists the jobs it kept", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", restart: { intensity: 0 } })
      const tree = yield* Supervisor.start(Supervisor.supervisor("app", [Supervisor.pool("thumbs", pool)], { intensity: 0 }))
      const escalation = yield* Effect.forkChild(Effect.flip(tree.await))
      yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* crashRunning(pool, gates, 1) // the pool gives up at once, and so does its tree
      expect(yield* Fiber.join(escalation)).toMatchObject({ _tag: "SupervisorEscalated", child: "thumbs" })
      expect(liveWorkerIds(pool)).toEqual([])
      const report = yield* Pool.shutdown(pool)
      expect(report.handedBack.map((j) => j.input)).toEqual([2, 3])
    }))
})

describe("Supervisor.pool regressions", () => {
  it.effect("a supervised pool its tree will not restart shuts down: submitters get PoolClosed, not a hang", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", restart: { intensity: 0 } })
      yield* Supervisor.start(Supervisor.supervisor("app", [Supervisor.pool("thumbs", pool, { restart: "temporary" })]))
      yield* Pool.fork(pool, 1)
      yield* crashRunning(pool, gates, 1)
      yield* eventually(() => Pool.statsUnsafe(pool).state === "stopped", "the pool to shut down")
      expect(tagOf(yield* Pool.submit(pool, 2).pipe(Effect.flip))).toBe("PoolClosed")
    }))

  it.effect("a tree closed in the middle of a restart waits for the child it is stopping", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const release = yield* Deferred.make<void>()
      const slow = Supervisor.child(
        "slow",
        Effect.never.pipe(Effect.onInterrupt(() => Deferred.await(release).pipe(Effect.andThen(Effect.sync(() => void log.push("slow released"))))))
      )
      let runs = 0
      const flaky = Supervisor.child("flaky", Effect.suspend(() => (++runs === 1 ? Effect.fail("boom") : Effect.never)))
      const scope = yield* Scope.make()
      yield* Supervisor.start(Supervisor.supervisor("app", [slow, flaky], { strategy: "oneForAll" })).pipe(Scope.provide(scope))
      yield* settle() // flaky failed: the supervisor is stopping slow to restart both, and slow takes its time
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void).pipe(Effect.andThen(Effect.sync(() => void log.push("scope closed")))))
      yield* settle()
      expect(log).toEqual([]) // the scope waits
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(closing)
      expect(log[0]).toBe("slow released")
      expect(log.at(-1)).toBe("scope closed")
    }))
})

describe("Supervisor.pool: a team that comes back", () => {
  it.effect("shares the jobs that waited for it across all its workers", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, minWorkers: 4, maxWorkers: 4, scaling: "fixed", restart: { intensity: 0 } })
      yield* Supervisor.start(
        Supervisor.supervisor("app", [Supervisor.pool("p", pool)], { intensity: 5, backoff: Schedule.spaced("1 second") })
      )
      const first = yield* Pool.fork(pool, 0)
      yield* crashRunning(pool, gates, 1) // escalates: the team stops; the tree brings it back after 1 s
      yield* Effect.flip(Job.join(first))
      yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7, 8], (n) => Pool.fork(pool, n)) // queued while the team is down
      expect(liveWorkerIds(pool)).toEqual([])
      yield* TestClock.adjust("1 second")
      yield* settle()
      expect(Pool.statsUnsafe(pool).running).toBe(4)
      for (let n = 1; n <= 8; n++) yield* gates.release(n)
    }))
})

describe("Supervisor.pool in a subtree", () => {
  it.effect("a subtree that gives up and is restarted by its parent brings its pool's team back: the queued jobs run", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", restart: { intensity: 0 } })
      const tree = yield* Supervisor.start(
        Supervisor.supervisor("app", [Supervisor.supervisor("media", [Supervisor.pool("thumbs", pool)], { intensity: 0 })], { intensity: 3 })
      )
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* crashRunning(pool, gates, 1) // the pool gives up, so does "media": "app" restarts it
      yield* eventually(() => gates.started.length === 2, "the team to come back and take job 2")
      for (const n of [2, 3]) yield* gates.release(n)
      expect(yield* Effect.forEach(handles.slice(1), Job.join)).toEqual([2, 3])
      expect(Pool.statsUnsafe(pool).state).toBe("running")
      const snapshot = yield* tree.snapshot
      expect(snapshot._tag === "Supervisor" && snapshot.children[0]).toMatchObject({ id: "media", state: "running", restarts: 1 })
    }))

  it.effect("a tree that stops for good stops the pools of its subtrees too", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const outer = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", restart: { intensity: 0 } })
      const inner = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed" })
      const tree = yield* Supervisor.start(
        Supervisor.supervisor("app", [Supervisor.pool("outer", outer), Supervisor.supervisor("media", [Supervisor.pool("inner", inner)])], {
          intensity: 0
        })
      )
      const escalation = yield* Effect.forkChild(Effect.flip(tree.await))
      yield* Pool.fork(outer, 1)
      const queued = yield* Effect.forEach([10, 11], (n) => Pool.fork(inner, n))
      yield* eventually(() => gates.started.includes(10), "the inner pool to start job 10")
      yield* crashRunning(outer, gates, 2) // the outer pool gives up, and so does the tree, for good
      yield* Fiber.join(escalation)
      expect([liveWorkerIds(outer), liveWorkerIds(inner)]).toEqual([[], []])
      expect((yield* Job.poll(queued[1]!))._tag).toBe("Some") // its queued job ended too, not left waiting
    }))
})
