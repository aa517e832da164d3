import { it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Schedule, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Restart, Supervisor } from "../../src/index.ts"
import { settle, tagOf } from "../helpers.ts"

/** Children that log their starts and stops and exit when the test says, with the reason it says. */
const makeProbes = () => {
  const log: Array<string> = []
  const triggers = new Map<string, Deferred.Deferred<Restart.ExitReason>>()
  const child = (id: string, restart?: Restart.RestartType) =>
    Supervisor.child(
      id,
      Effect.gen(function*() {
        log.push(`start ${id}`)
        yield* Effect.addFinalizer(() => Effect.sync(() => void log.push(`stop ${id}`)))
        const trigger = Deferred.makeUnsafe<Restart.ExitReason>()
        triggers.set(id, trigger)
        const reason = yield* Deferred.await(trigger)
        if (reason === "failure") return yield* Effect.fail("boom")
        if (reason === "defect") return yield* Effect.die(new Error("bug"))
        if (reason === "interruption") return yield* Effect.interrupt
      }),
      restart === undefined ? undefined : { restart }
    )
  const exit = (id: string, reason: Restart.ExitReason) =>
    Effect.gen(function*() {
      yield* Deferred.succeed(triggers.get(id)!, reason)
      yield* settle()
    })
  const starts = (id: string) => log.filter((l) => l === `start ${id}`).length
  return { log, child, exit, starts }
}

describe("Supervisor: order", () => {
  it.effect("children start in order and stop in reverse when the tree's scope closes", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const scope = yield* Scope.make()
      yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a"), p.child("b"), p.child("c")])).pipe(Scope.provide(scope))
      yield* settle()
      expect(p.log).toEqual(["start a", "start b", "start c"])
      yield* Scope.close(scope, Exit.void)
      expect(p.log).toEqual(["start a", "start b", "start c", "stop c", "stop b", "stop a"])
    }))

  it.effect("a tree that stops for good stops its supervisables last started first, subtrees' too", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const supervisable = (id: string): Supervisor.Supervisable => ({
        [Supervisor.SupervisableTypeId]: { supervise: Effect.never, stop: Effect.sync(() => void log.push(`stop ${id}`)) }
      })
      const scope = yield* Scope.make()
      yield* Supervisor.start(Supervisor.supervisor("root", [
        Supervisor.pool("a", supervisable("a")),
        Supervisor.supervisor("sub", [Supervisor.pool("b", supervisable("b")), Supervisor.pool("c", supervisable("c"))]),
        Supervisor.pool("d", supervisable("d"))
      ])).pipe(Scope.provide(scope))
      yield* settle()
      yield* Scope.close(scope, Exit.void)
      expect(log).toEqual(["stop d", "stop c", "stop b", "stop a"])
    }))
})

describe("Supervisor: strategy x failed child position", () => {
  const strategies: ReadonlyArray<Restart.Strategy> = ["oneForOne", "oneForAll", "restForOne"]
  for (const strategy of strategies) {
    for (const failed of [0, 1, 2]) {
      const restarted = Restart.plan(strategy, failed, ["a", "b", "c"])
      it.effect(`${strategy}, child ${failed + 1} of 3 fails: ${restarted.join(", ")} restart`, () =>
        Effect.gen(function*() {
          const p = makeProbes()
          const ids = ["a", "b", "c"]
          yield* Supervisor.start(Supervisor.supervisor("root", ids.map((id) => p.child(id)), { strategy }))
          yield* settle()
          yield* p.exit(ids[failed]!, "failure")
          for (const id of ids) expect(p.starts(id), id).toBe(restarted.includes(id) ? 2 : 1)
          // the failed child stopped by itself; the ones taken down with it, in reverse start order
          const stops = p.log.filter((l) => l.startsWith("stop")).map((l) => l.slice(5))
          expect(stops).toEqual([ids[failed], ...restarted.filter((id) => id !== ids[failed]).reverse()])
        }))
    }
  }
})

describe("Supervisor: restart type x exit reason", () => {
  const types: ReadonlyArray<Restart.RestartType> = ["permanent", "transient", "temporary"]
  const reasons: ReadonlyArray<Restart.ExitReason> = ["normal", "failure", "defect", "interruption"]
  for (const type of types) {
    for (const reason of reasons) {
      const restarts = Restart.shouldRestart(type, reason)
      it.effect(`${type} child, ${reason} exit: ${restarts ? "restarted" : "stays down"}`, () =>
        Effect.gen(function*() {
          const p = makeProbes()
          const tree = yield* Supervisor.start(Supervisor.supervisor("root", [p.child("x", type)]))
          yield* settle()
          yield* p.exit("x", reason)
          expect(p.starts("x")).toBe(restarts ? 2 : 1)
          const snapshot = yield* tree.snapshot
          expect(snapshot._tag === "Supervisor" && snapshot.children[0]).toMatchObject({
            id: "x",
            state: restarts ? "running" : "exited",
            restarts: restarts ? 1 : 0
          })
        }))
    }
  }
})

describe("Supervisor: restart intensity", () => {
  it.effect("OTP defaults: a second restart within 5 seconds escalates; the children are stopped", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const tree = yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a"), p.child("b")]))
      const escalation = yield* Effect.forkChild(Effect.flip(tree.await))
      yield* settle()
      yield* p.exit("a", "failure")
      yield* TestClock.adjust("4999 millis")
      yield* p.exit("a", "failure")
      const error = yield* Fiber.join(escalation)
      expect(error).toMatchObject({ _tag: "SupervisorEscalated", supervisor: "root", child: "a" })
      expect(p.log.slice(-2)).toEqual(["stop a", "stop b"]) // a ended by itself, then the supervisor stopped b
      expect((yield* tree.snapshot).state).toBe("escalated")
    }))

  it.effect("restarts spread wider than the period never escalate", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const tree = yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a")]))
      yield* settle()
      for (let i = 0; i < 5; i++) {
        yield* p.exit("a", "failure")
        yield* TestClock.adjust("5 seconds")
      }
      expect(p.starts("a")).toBe(6)
      expect((yield* tree.snapshot).state).toBe("running")
    }))

  it.effect("escalation travels up two levels: a sub-supervisor that gives up is restarted by its parent, until the parent gives up too", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const tree = yield* Supervisor.start(
        Supervisor.supervisor("root", [
          p.child("logger"),
          Supervisor.supervisor("workers", [p.child("w")], { intensity: 0 })
        ], { intensity: 1, period: "1 minute" })
      )
      const escalation = yield* Effect.forkChild(Effect.flip(tree.await))
      yield* settle()
      yield* p.exit("w", "failure") // workers allows no restart: escalates; root restarts it (1 of 1)
      expect(p.starts("w")).toBe(2)
      const middle = yield* tree.snapshot
      expect(middle._tag === "Supervisor" && middle.children[1]).toMatchObject({ id: "workers", restarts: 1, state: "running" })
      yield* p.exit("w", "failure") // again: root's second restart within the minute exceeds its intensity
      const error = yield* Fiber.join(escalation)
      expect(error).toMatchObject({ supervisor: "root", child: "workers" })
      expect(tagOf(error)).toBe("SupervisorEscalated")
      expect(p.log.at(-1)).toBe("stop logger")
    }))
})

describe("Supervisor: backoff and snapshots", () => {
  it.effect("a backoff Schedule delays each restart on the Clock", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const backoff = Schedule.exponential("1 second")
      yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a")], { backoff, intensity: 5, period: "1 minute" }))
      yield* settle()
      yield* p.exit("a", "failure") // first restart: 1 s
      yield* TestClock.adjust("999 millis")
      expect(p.starts("a")).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* settle()
      expect(p.starts("a")).toBe(2)
      yield* p.exit("a", "failure") // second: 2 s
      yield* TestClock.adjust("1999 millis")
      expect(p.starts("a")).toBe(2)
      yield* TestClock.adjust("1 millis")
      yield* settle()
      expect(p.starts("a")).toBe(3)
    }))

  it.effect("an exhausted backoff adds no more delay: later restarts come at once", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const backoff = Schedule.spaced("1 second").pipe(Schedule.upTo({ times: 1 }))
      yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a")], { backoff, intensity: 5, period: "1 minute" }))
      yield* settle()
      yield* p.exit("a", "failure")
      expect(p.starts("a")).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* settle()
      expect(p.starts("a")).toBe(2)
      yield* p.exit("a", "failure") // the schedule is done: no wait
      expect(p.starts("a")).toBe(3)
      yield* p.exit("a", "failure")
      expect(p.starts("a")).toBe(4)
    }))

  it.effect("the backoff starts afresh once restarts have calmed down (no other restart within the period)", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const backoff = Schedule.exponential("1 second")
      yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a")], { backoff, intensity: 5, period: "1 minute" }))
      yield* settle()
      for (const delay of ["1 second", "2 seconds"] as const) {
        yield* p.exit("a", "failure")
        yield* TestClock.adjust(delay)
        yield* settle()
      }
      expect(p.starts("a")).toBe(3)
      yield* TestClock.adjust("61 seconds") // calm: both restarts leave the window
      yield* p.exit("a", "failure")
      yield* TestClock.adjust("999 millis")
      expect(p.starts("a")).toBe(3)
      yield* TestClock.adjust("1 millis") // 1 s again, not 4 s
      yield* settle()
      expect(p.starts("a")).toBe(4)
    }))

  it.effect("a snapshot shows the tree: ids, states and restart counts", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const tree = yield* Supervisor.start(
        Supervisor.supervisor("root", [p.child("a"), Supervisor.supervisor("sub", [p.child("b", "temporary")])])
      )
      yield* settle()
      yield* p.exit("a", "failure")
      yield* p.exit("b", "normal")
      expect(yield* tree.snapshot).toEqual({
        _tag: "Supervisor",
        id: "root",
        state: "running",
        restarts: 0,
        children: [
          { _tag: "Child", id: "a", state: "running", restarts: 1 },
          {
            _tag: "Supervisor",
            id: "sub",
            state: "running",
            restarts: 0,
            children: [{ _tag: "Child", id: "b", state: "exited", restarts: 0 }]
          }
        ]
      })
    }))
})

describe("Supervisor.layer and the lifecycle machine", () => {
  it.effect("a Layer runs the tree while in use and stops it after", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      yield* Effect.gen(function*() {
        yield* settle()
        expect(p.log).toEqual(["start a", "start b"])
      }).pipe(Effect.provide(Supervisor.layer(Supervisor.supervisor("app", [p.child("a"), p.child("b")]))))
      expect(p.log).toEqual(["start a", "start b", "stop b", "stop a"])
    }))
})

describe("Supervisor: inspection and shutdown timeouts", () => {
  it.effect("escalation: the exit that broke the intensity restarts nothing, and the snapshot shows every child stopped", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const spec = Supervisor.supervisor("root", [p.child("a"), p.child("b")])
      expect(spec._tag).toBe("Supervisor")
      const tree = yield* Supervisor.start(spec)
      const events = yield* tree.events.pipe(
        Stream.filter((e) => e.type !== "@troupe.supervisor.transition"),
        Stream.take(2),
        Stream.runCollect,
        Effect.forkChild({ startImmediately: true })
      )
      const escalation = yield* Effect.forkChild(Effect.flip(tree.await))
      yield* settle()
      yield* p.exit("a", "failure")
      yield* p.exit("a", "failure")
      expect((yield* Fiber.join(escalation)).message).toBe(`supervisor "root" gave up: child "a" needed more than 1 restarts within its period`)
      const restarted = (yield* Fiber.join(events)).map((e) => ("restarted" in e ? e.restarted : undefined))
      expect(restarted).toEqual([["a"], []])
      const snapshot = yield* tree.snapshot
      expect(snapshot._tag === "Supervisor" && snapshot.children.map((c) => [c.id, c.state])).toEqual([["a", "stopped"], ["b", "stopped"]])
    }))

  it.effect("a child's exit event names its reason: normal, failure, defect or interruption", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const tree = yield* Supervisor.start(Supervisor.supervisor("root", [p.child("a")], { intensity: 5 }))
      const reasons = yield* tree.events.pipe(
        Stream.filter((e) => e.type !== "@troupe.supervisor.transition"),
        Stream.map((e) => ("reason" in e ? e.reason : undefined)),
        Stream.take(4),
        Stream.runCollect,
        Effect.forkChild({ startImmediately: true })
      )
      yield* settle()
      for (const reason of ["normal", "failure", "defect", "interruption"] as const) yield* p.exit("a", reason)
      expect(yield* Fiber.join(reasons)).toEqual(["normal", "failure", "defect", "interruption"])
    }))

  it.effect("tree events: supervisor transitions and child exits with what they restarted", () =>
    Effect.gen(function*() {
      const p = makeProbes()
      const scope = yield* Scope.make()
      const tree = yield* Supervisor.start(
        Supervisor.supervisor("root", [p.child("a"), p.child("b"), p.child("c", "temporary")], { strategy: "restForOne" })
      ).pipe(Scope.provide(scope))
      const events = yield* tree.events.pipe(
        Stream.takeUntil((e) => e.type === "@troupe.supervisor.transition" && e.to === "stopped"),
        Stream.runCollect,
        Effect.forkChild({ startImmediately: true })
      )
      yield* settle()
      yield* TestClock.adjust("5 seconds")
      yield* p.exit("a", "failure")
      yield* p.exit("c", "normal")
      yield* Scope.close(scope, Exit.void)
      const summary = (yield* Fiber.join(events)).map((e) =>
        e.type === "@troupe.supervisor.transition"
          ? `${e.at} ${e.supervisor}: ${e.from} -> ${e.to}`
          : `${e.at} ${e.child} ${e.reason}: restart [${e.restarted.join(", ")}]`
      )
      expect(summary).toEqual([
        "0 root: starting -> running",
        "5000 a failure: restart [a, b, c]",
        "5000 c normal: restart []",
        "5000 root: running -> draining",
        "5000 root: draining -> stopped"
      ])
    }))

  it.effect("a child that ignores interruption is given up on after its shutdown timeout; shutdown does not hang", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const stubborn = Supervisor.child("stubborn", Effect.uninterruptible(Effect.never), { shutdown: "2 seconds" })
      const polite = Supervisor.child("polite", Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void log.push("polite stopped")))))
      const scope = yield* Scope.make()
      yield* Supervisor.start(Supervisor.supervisor("root", [polite, stubborn])).pipe(Scope.provide(scope))
      yield* settle()
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* settle()
      expect(log).toEqual([]) // still waiting on the stubborn child (stopped first: last started)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(closing)
      expect(log).toEqual(["polite stopped"])
    }))
})

describe("Supervisor specs", () => {
  it.effect("a period or a child's shutdown that is NaN, {}, negative or malformed is refused at once, naming it", () =>
    Effect.sync(() => {
      for (const bad of [Number.NaN, {}, -1, "soon"]) {
        expect(() => Supervisor.supervisor("root", [], { period: bad as never })).toThrow(/Supervisor "root": period must be a duration of more than zero/)
        expect(() => Supervisor.child("worker", Effect.never, { shutdown: bad as never })).toThrow(/Supervisor child "worker": shutdown must be a duration/)
      }
      expect(() => Supervisor.child("worker", Effect.never, { shutdown: Infinity })).toThrow(/finite/)
    }))
})
