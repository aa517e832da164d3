// Shutdown decided at shutdown time: a deadline and what happens to queued
// jobs, given to `Pool.shutdown` itself (a SIGTERM handler's budget, a deploy
// that hands work back), over the pool's own `shutdown` option. It never
// hangs, and a caller's own timeout ends it with every job accounted for.
import { it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Pool } from "../src/index.ts"
import { eventually, makeGates, settle, tagOf } from "./helpers.ts"

/** One worker running job 1 (held open), jobs 2 and 3 queued behind it; the pool's own deadline is 30 s. */
const busyPool = Effect.gen(function*() {
  const gates = makeGates()
  const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed" })
  const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
  yield* eventually(() => gates.started.length === 1, "job 1 to start")
  return { gates, pool, handles }
})

describe("Pool.shutdown with options", () => {
  it.effect("its deadline replaces the pool's: running jobs are interrupted at 5 s, not 30 s", () =>
    Effect.gen(function*() {
      const { gates, pool, handles } = yield* busyPool
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "5 seconds" }))
      yield* settle()
      yield* TestClock.adjust("4999 millis")
      expect(shutdown.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 milli")
      const report = yield* Fiber.join(shutdown)
      expect(report.deadlineReached).toBe(true)
      expect(report.interrupted).toEqual([{ id: 1, input: 1 }])
      // queued jobs drained by default, but nothing finished before the deadline: they are handed back
      expect(report.handedBack).toEqual([{ id: 2, input: 2 }, { id: 3, input: 3 }])
      expect(gates.finalized).toEqual([1])
      expect(tagOf(yield* Job.join(handles[0]!).pipe(Effect.flip))).toBe("JobInterrupted")
      expect((yield* Pool.stats(pool)).state).toBe("stopped")
    }))

  it.effect("queued: handBack at shutdown time hands queued jobs back at once, on a pool made to drain", () =>
    Effect.gen(function*() {
      const { gates, pool, handles } = yield* busyPool
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool, { queued: "handBack" }))
      yield* settle()
      expect(tagOf(yield* Job.join(handles[1]!).pipe(Effect.flip))).toBe("JobHandedBack")
      yield* gates.release(1)
      const report = yield* Fiber.join(shutdown)
      expect(report).toMatchObject({ handedBack: [{ id: 2, input: 2 }, { id: 3, input: 3 }], interrupted: [], deadlineReached: false })
      expect(yield* Job.join(handles[0]!)).toBe(1)
      expect(gates.started).toEqual([1])
    }))

  it.effect("queued: deadLetter at shutdown time puts the queued jobs in the dead letters, unrun", () =>
    Effect.gen(function*() {
      const { gates, pool } = yield* busyPool
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool, { queued: "deadLetter" }))
      yield* settle()
      yield* gates.release(1)
      const report = yield* Fiber.join(shutdown)
      expect(report.handedBack).toEqual([])
      const letters = yield* Pool.takeDeadLetters(pool)
      expect(letters.map((l) => [l.jobId, l.input, l.reason, l.attempts])).toEqual([[2, 2, "shutdown", 0], [3, 3, "shutdown", 0]])
      expect(letters[0]!.submittedAt).toBeUndefined() // a pool made to drain does not time its jobs
      expect((yield* Pool.stats(pool)).deadLettered).toBe(2)
    }))

  it.effect("a SIGTERM-style budget: a timeout around shutdown ends it on time, interrupting what still runs", () =>
    Effect.gen(function*() {
      const { gates, pool, handles } = yield* busyPool
      const budget = yield* Effect.forkChild(Pool.shutdown(pool).pipe(Effect.timeoutOption("5 seconds")))
      yield* settle()
      yield* TestClock.adjust("5 seconds")
      const outcome = yield* Fiber.join(budget)
      expect(outcome._tag).toBe("None") // the caller's own timeout won over the pool's 30 s
      // ...and no job was left running or unaccounted for: the deadline was brought to now
      expect(gates.finalized).toEqual([1])
      expect(tagOf(yield* Job.join(handles[0]!).pipe(Effect.flip))).toBe("JobInterrupted")
      expect(tagOf(yield* Job.join(handles[1]!).pipe(Effect.flip))).toBe("JobHandedBack")
      const stats = yield* Pool.stats(pool)
      expect([stats.state, stats.interrupted, stats.handedBack, stats.running, stats.queued]).toEqual(["stopped", 1, 2, 0, 0])
      // a later call gets the report of the shutdown that already happened
      const report = yield* Pool.shutdown(pool)
      expect(report.interrupted).toEqual([{ id: 1, input: 1 }])
    }))

  it.effect("a second call brings the deadline forward and turns the drain into a hand-back; both get one report", () =>
    Effect.gen(function*() {
      const { gates, pool } = yield* busyPool
      const graceful = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      expect(gates.started).toEqual([1])
      const urgent = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "1 second", queued: "handBack" }))
      yield* settle()
      yield* TestClock.adjust("1 second")
      const [first, second] = [yield* Fiber.join(graceful), yield* Fiber.join(urgent)]
      expect(second).toBe(first)
      expect(first).toMatchObject({ interrupted: [{ id: 1 }], handedBack: [{ id: 2 }, { id: 3 }], deadlineReached: true })
      expect(gates.started).toEqual([1]) // the queued jobs never ran
    }))

  it.effect("a second call that hands back ends the queued jobs at once; the running job still finishes within the later deadline", () =>
    Effect.gen(function*() {
      const { gates, pool, handles } = yield* busyPool
      const graceful = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      const handBack = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "1 minute", queued: "handBack" }))
      yield* settle()
      const queued = yield* Effect.forEach([handles[1]!, handles[2]!], Job.poll)
      yield* gates.release(1)
      const report = yield* Fiber.join(handBack)
      expect(queued.map((o) => o._tag)).toEqual(["Some", "Some"]) // ended before job 1 did
      for (const handle of [handles[1]!, handles[2]!]) expect(tagOf(yield* Job.join(handle).pipe(Effect.flip))).toBe("JobHandedBack")
      expect(report).toMatchObject({ handedBack: [{ id: 2 }, { id: 3 }], interrupted: [], deadlineReached: false })
      expect(yield* Job.join(handles[0]!)).toBe(1)
      expect(yield* Fiber.join(graceful)).toBe(report)
    }))

  it.effect("at the deadline a job whose handler will not stop is reported interrupted then, and the jobs behind it handed back", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.sleep("10 seconds").pipe(Effect.as(n), Effect.uninterruptible), maxWorkers: 1, scaling: "fixed" })
      const handles = yield* Effect.forEach([1, 2], (n) => Pool.fork(pool, n))
      yield* settle()
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "1 second" }))
      yield* settle()
      yield* TestClock.adjust("1 second")
      yield* settle()
      const atDeadline = yield* Effect.forEach(handles, Job.poll)
      yield* TestClock.adjust("10 seconds")
      const report = yield* Fiber.join(shutdown)
      expect(atDeadline.map((o) => o._tag)).toEqual(["Some", "Some"])
      expect(report).toMatchObject({ interrupted: [{ id: 1 }], handedBack: [{ id: 2 }], deadlineReached: true })
      expect(tagOf(yield* Job.join(handles[0]!).pipe(Effect.flip))).toBe("JobInterrupted")
    }))

  it.effect("a second call that drains too keeps draining: the queued jobs still run", () =>
    Effect.gen(function*() {
      const { gates, pool, handles } = yield* busyPool
      const first = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      const second = yield* Effect.forkChild(Pool.shutdown(pool, { queued: "drain" }))
      yield* settle()
      for (const n of [1, 2, 3]) {
        yield* eventually(() => gates.started.includes(n), `job ${n} to start`)
        yield* gates.release(n)
      }
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3])
      expect(yield* Fiber.join(second)).toMatchObject({ handedBack: [], interrupted: [], deadlineReached: false })
      yield* Fiber.join(first)
    }))

  it.effect("a later, longer deadline does not delay the first", () =>
    Effect.gen(function*() {
      const { pool } = yield* busyPool
      const first = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "2 seconds" }))
      yield* settle()
      const second = yield* Effect.forkChild(Pool.shutdown(pool, { deadline: "1 minute" }))
      yield* settle()
      yield* TestClock.adjust("2 seconds")
      expect((yield* Fiber.join(first)).deadlineReached).toBe(true)
      expect((yield* Fiber.join(second)).deadlineReached).toBe(true)
    }))

  it.effect("bad options fail with InvalidOptions naming the field and value, and leave the pool running", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const cases: ReadonlyArray<readonly [unknown, string, unknown]> = [
        [{ deadline: Infinity }, "deadline", Infinity],
        [{ deadline: Number.NaN }, "deadline", Number.NaN],
        [{ deadline: {} }, "deadline", {}],
        [{ deadline: -1 }, "deadline", -1],
        [{ deadline: "soon" }, "deadline", "soon"],
        [{ queued: "drop" }, "queued", "drop"],
        [{ deadlin: "5 seconds" }, "deadlin", "5 seconds"]
      ]
      for (const [options, field, value] of cases) {
        const error = yield* Pool.shutdown(pool, options as Pool.ShutdownOptions).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "InvalidOptions", field })
        expect(error.value).toEqual(value)
        expect(error.message).toContain(field)
      }
      expect(yield* Pool.submit(pool, 4)).toBe(4) // still running
    }))

  it.effect("is dual: pool.pipe(Pool.shutdown({ ... }))", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const report = yield* pool.pipe(Pool.shutdown({ deadline: "1 second", queued: "handBack" }))
      expect(report).toStrictEqual({ pool: "troupe", handedBack: [], interrupted: [], deadlineReached: false }) // no escalation key
    }))
})
