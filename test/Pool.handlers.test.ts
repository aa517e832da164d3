// Fiber handlers that know nothing of Effect: an async function, a function
// returning a Promise, or a plain value. A rejection is the job's typed
// failure as it is; a synchronous throw is a defect; the Promise's work runs
// inside its job, and an AbortSignal tells it when the job ends early.
import { it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, expectTypeOf } from "vitest"
import { Job, JobDefect, Pool } from "../src/index.ts"
import { eventually, settle, tagOf } from "./helpers.ts"

class Refused extends Error {
  readonly code = 42
}

/** A Promise the test settles. */
const deferred = <A>() => {
  let resolve!: (a: A) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<A>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe("Promise and plain fiber handlers", () => {
  it.effect("an async handler's result is the job's result", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: async (n: number) => n * 2, maxWorkers: 2 })
      expectTypeOf(pool).toEqualTypeOf<Pool.Pool<number, number, unknown>>() // a rejection can be anything
      const effectPool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      expectTypeOf(effectPool).toEqualTypeOf<Pool.Pool<number, number, never>>()
      const plainPool = yield* Pool.make({ handler: (n: number) => String(n) })
      expectTypeOf(plainPool).toEqualTypeOf<Pool.Pool<number, string, unknown>>()
      expect(yield* Effect.forEach([1, 2, 3], (n) => Pool.submit(pool, n))).toEqual([2, 4, 6])
      expect(yield* Pool.stats(pool)).toMatchObject({ completed: 3, failed: 0, defects: 0 })
    }))

  it.effect("a rejection fails the job with the rejected value itself, typed as unknown, and the pool carries on", () =>
    Effect.gen(function*() {
      const refused = new Refused("no")
      const pool = yield* Pool.make({
        handler: async (n: number) => {
          if (n < 0) throw refused
          return n
        },
        maxWorkers: 1
      })
      const error = yield* Pool.submit(pool, -1).pipe(Effect.flip)
      expect(error).toBe(refused) // not a wrapper: the same object
      expect(yield* Pool.submit(pool, 5)).toBe(5)
      expect(yield* Pool.stats(pool)).toMatchObject({ failed: 1, completed: 1, defects: 0 })
      expect((yield* Pool.stats(pool)).workers.crashed).toBe(0)
    }))

  it.effect("a synchronous throw from a non-async handler is a defect (JobDefect), as for an Effect handler", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number): Promise<number> => {
          if (n < 0) throw new RangeError("negative")
          return Promise.resolve(n)
        }
      })
      const error = yield* Pool.submit(pool, -1).pipe(Effect.flip)
      expect(error).toBeInstanceOf(JobDefect)
      expect((error as JobDefect).defect).toBeInstanceOf(RangeError)
      expect(yield* Pool.submit(pool, 3)).toBe(3)
    }))

  it.effect("the Promise's work holds its worker until it settles: concurrency stays bounded", () =>
    Effect.gen(function*() {
      const gates = [deferred<number>(), deferred<number>(), deferred<number>()]
      let running = 0
      let most = 0
      const pool = yield* Pool.make({
        handler: async (n: number) => {
          running++
          most = Math.max(most, running)
          try {
            return await gates[n]!.promise
          } finally {
            running--
          }
        },
        maxWorkers: 2,
        scaling: "fixed"
      })
      const handles = yield* Effect.forEach([0, 1, 2], (n) => Pool.fork(pool, n))
      yield* eventually(() => running === 2, "two jobs running")
      expect(Pool.statsUnsafe(pool)).toMatchObject({ running: 2, queued: 1 })
      gates[0]!.resolve(10)
      yield* eventually(() => Pool.statsUnsafe(pool).queued === 0, "the third job to start")
      gates[1]!.resolve(11)
      gates[2]!.resolve(12)
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([10, 11, 12])
      expect(most).toBe(2)
    }))

  it.effect("a rejection is a typed failure, so the retry policy retries it", () =>
    Effect.gen(function*() {
      let calls = 0
      const pool = yield* Pool.make({
        handler: async (_: number) => {
          if (++calls < 3) throw new Error(`attempt ${calls}`)
          return calls
        },
        retry: { times: 5, schedule: Schedule.spaced("10 millis") }
      })
      const result = yield* Effect.forkChild(Pool.submit(pool, 1))
      yield* settle()
      yield* TestClock.adjust("10 millis")
      yield* settle()
      yield* TestClock.adjust("10 millis")
      expect(yield* Fiber.join(result)).toBe(3)
      expect((yield* Pool.stats(pool)).retried).toBe(2)
    }))

  it.effect("a handler with a second parameter gets an AbortSignal, aborted when its job is cancelled or times out", () =>
    Effect.gen(function*() {
      const signals: Array<AbortSignal> = []
      const pool = yield* Pool.make({
        handler: (_: number, signal: AbortSignal) => {
          signals.push(signal)
          return new Promise<number>(() => {}) // never settles on its own
        },
        maxWorkers: 2
      })
      const cancelled = yield* Pool.fork(pool, 1)
      yield* eventually(() => signals.length === 1)
      expect(signals[0]!.aborted).toBe(false)
      yield* Job.cancel(cancelled)
      expect(signals[0]!.aborted).toBe(true)
      expect(tagOf(yield* Job.join(cancelled).pipe(Effect.flip))).toBe("JobCancelled")

      const timed = yield* Effect.forkChild(Pool.submit(pool, 2, { timeout: "1 second" }))
      yield* eventually(() => signals.length === 2)
      yield* TestClock.adjust("1 second")
      expect(tagOf(yield* Fiber.join(timed).pipe(Effect.flip))).toBe("JobTimedOut")
      expect(signals[1]!.aborted).toBe(true)
      // the worker is free again: the pool runs the next job
      expect(Pool.statsUnsafe(pool).running).toBe(0)
    }))
})
