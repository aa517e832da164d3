// Batches: `Pool.submitAll` (one fiber for many jobs, results in input
// order), `Pool.stream` (a stream's elements through the pool, in order, with
// back pressure) and `PromisePool.runAll`. Like `Effect.forEach`, the first
// failure ends a batch and cancels what is left; interrupting it does too.
import { it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Pool, PromisePool } from "../src/index.ts"
import { eventually, makeGates, settle, tagOf } from "./helpers.ts"

describe("Pool.submitAll", () => {
  it.effect("runs every input and returns the results in input order, whatever order they end in", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => Effect.sleep(`${(10 - n) * 10} millis`).pipe(Effect.as(n * n)),
        maxWorkers: 4,
        scaling: "fixed"
      })
      const batch = yield* Effect.forkChild(Pool.submitAll(pool, [1, 2, 3, 4, 5, 6, 7, 8, 9]))
      yield* settle()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(batch)).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81])
      expect((yield* Pool.stats(pool)).completed).toBe(9)
    }))

  it.effect("holds at most the pool's capacity queued: the rest waits for room as one submitter", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", capacity: 3 })
      const batch = yield* Effect.forkChild(Pool.submitAll(pool, [1, 2, 3, 4, 5, 6]))
      yield* eventually(() => gates.started.length === 1)
      yield* settle()
      expect(Pool.statsUnsafe(pool)).toMatchObject({ submitted: 4, queued: 3 }) // one running, three queued, two not yet admitted
      for (const n of [1, 2, 3, 4, 5, 6]) {
        yield* eventually(() => gates.started.includes(n), `job ${n} to start`)
        yield* gates.release(n)
      }
      expect(yield* Fiber.join(batch)).toEqual([1, 2, 3, 4, 5, 6])
    }))

  it.effect("the first failure ends the batch with it; the jobs still queued are cancelled, the running ones interrupted", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 2, scaling: "fixed" })
      const batch = yield* Effect.forkChild(Pool.submitAll(pool, [1, 2, 3, 4]))
      yield* eventually(() => gates.started.length === 2)
      yield* gates.release(2, { _tag: "fail", error: "two failed" })
      expect(yield* Fiber.join(batch).pipe(Effect.flip)).toBe("two failed")
      yield* eventually(() => Pool.statsUnsafe(pool).running === 0 && Pool.statsUnsafe(pool).queued === 0)
      expect(Pool.statsUnsafe(pool)).toMatchObject({ failed: 1, cancelled: 3, completed: 0 })
      expect(gates.finalized.sort()).toEqual([1, 2]) // job 1 was interrupted, its finalizers ran
    }))

  it.effect("interrupting it cancels every job it admitted, and a waiting remainder is never admitted", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed", capacity: 2 })
      const batch = yield* Effect.forkChild(Pool.submitAll(pool, [1, 2, 3, 4, 5]))
      yield* eventually(() => gates.started.length === 1)
      yield* settle()
      expect(Pool.statsUnsafe(pool)).toMatchObject({ submitted: 3, queued: 2 }) // one running, two queued, two waiting
      yield* Fiber.interrupt(batch)
      yield* eventually(() => Pool.statsUnsafe(pool).running === 0)
      yield* settle()
      expect(Pool.statsUnsafe(pool)).toMatchObject({ submitted: 3, cancelled: 3, queued: 0 })
      expect(gates.started).toEqual([1])
    }))

  it.effect("a bad job option or input fails the batch before anything runs; an empty batch returns []", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const error = yield* Pool.submitAll(pool, [1, 2], { priority: Number.NaN }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "InvalidOptions", field: "priority" })
      expect((yield* Pool.stats(pool)).submitted).toBe(0)
      expect(yield* Pool.submitAll(pool, [])).toEqual([])
      expect(yield* pool.pipe(Pool.submitAll(new Set([3, 4])))).toEqual([3, 4]) // any iterable; dual
    }))

  it.effect("on a closed pool it fails with PoolClosed", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      yield* Pool.shutdown(pool)
      expect(tagOf(yield* Pool.submitAll(pool, [1]).pipe(Effect.flip))).toBe("PoolClosed")
    }))
})

describe("Pool.stream", () => {
  it.effect("emits each result in the stream's order", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * 2), maxWorkers: 3 })
      const results = yield* Stream.range(1, 2_000).pipe(Pool.stream(pool, { concurrency: 64 }), Stream.runCollect)
      expect(results).toEqual(Array.from({ length: 2_000 }, (_, i) => (i + 1) * 2))
    }))

  it.effect("keeps at most `concurrency` jobs in flight: the stream waits (back pressure)", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 8, scaling: "fixed" })
      const pulled: Array<number> = []
      const source = Stream.range(1, 100).pipe(Stream.rechunk(1), Stream.tap((n) => Effect.sync(() => pulled.push(n))))
      const run = yield* Effect.forkChild(source.pipe(Pool.stream(pool, { concurrency: 4 }), Stream.runCollect))
      yield* settle(200)
      expect(Pool.statsUnsafe(pool).submitted).toBeLessThanOrEqual(4)
      expect(pulled.length).toBeLessThanOrEqual(6) // the in-flight jobs, and what the stream holds while it waits
      for (let n = 1; n <= 100; n++) {
        yield* eventually(() => gates.started.includes(n), `job ${n}`)
        yield* gates.release(n)
      }
      expect((yield* Fiber.join(run)).length).toBe(100)
    }))

  it.effect("the first failure ends the stream with it", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => (n === 7 ? Effect.fail(`seven`) : Effect.succeed(n))
      })
      const error = yield* Stream.range(1, 20).pipe(Pool.stream(pool), Stream.runCollect, Effect.flip)
      expect(error).toBe("seven")
    }))
})

describe("PromisePool.runAll", () => {
  it.effect("resolves with every result in order, and rejects with the first failure itself", () =>
    Effect.promise(async () => {
      const pool = await PromisePool.make({
        handler: async (n: number) => {
          if (n < 0) throw new RangeError(`negative: ${n}`)
          return n * 3
        },
        maxWorkers: 2
      })
      try {
        expect(await pool.runAll([1, 2, 3])).toEqual([3, 6, 9])
        const error = await pool.runAll([1, -1, 2]).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(RangeError)
        expect(await pool.runAll(new Set<number>())).toEqual([])
      } finally {
        await pool.close()
      }
    }))
})
