// The thread options (`thread: { recycleAfterJobs, recycleAboveHeapMb, maxHeapMb }`)
// as Pool.make's Schema checks them. The rejected cases use `minWorkers: 0`, so a
// value that slipped through would spawn no thread: a limit too small to boot one
// aborts the whole process (2 MiB or less), and the test would take vitest with it.
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { InvalidOptions, Pool, PoolOptions } from "../src/index.ts"
import { double } from "./fixtures/threadsMinimal.ts"

const rejects = (thread: Record<string, unknown>) =>
  Pool.make({ handler: double, minWorkers: 0, thread } as Pool.Options<number, number, never, never>).pipe(Effect.flip)

const fieldOf = (error: unknown) => {
  expect(error).toBeInstanceOf(InvalidOptions)
  return (error as InvalidOptions).field
}

describe("thread options", () => {
  it.effect("a maxHeapMb too small for a thread to boot names the field, the value and the minimum", () =>
    Effect.gen(function*() {
      for (const maxHeapMb of [0.5, 2, 8, 16, 31.5]) {
        const error = yield* rejects({ maxHeapMb })
        expect(fieldOf(error)).toBe("thread.maxHeapMb")
        if (!(error instanceof InvalidOptions)) return
        expect(error.value).toBe(maxHeapMb)
        expect(error.message).toContain("thread.maxHeapMb")
        expect(error.message).toContain(`${maxHeapMb} MiB`)
        expect(error.message).toContain("minimum, 32 MiB")
      }
      expect(PoolOptions.minThreadHeapMb).toBe(32)
    }))

  it.effect("NaN, Infinity, a negative number and a string are rejected for each thread option, naming it", () =>
    Effect.gen(function*() {
      for (const field of ["recycleAfterJobs", "recycleAboveHeapMb", "maxHeapMb"]) {
        for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, "64"]) {
          const error = yield* rejects({ [field]: value })
          expect(fieldOf(error), `${field}: ${String(value)}`).toBe(`thread.${field}`)
          expect((error as InvalidOptions).value).toBe(value)
        }
      }
    }))

  it.live("a thread boots and works at the smallest maxHeapMb accepted", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: double, maxWorkers: 1, thread: { maxHeapMb: PoolOptions.minThreadHeapMb } })
      expect(yield* Effect.forEach([1, 2, 3], (n) => Pool.submit(pool, n))).toEqual([2, 4, 6])
      expect(Pool.statsUnsafe(pool).workers.crashed).toBe(0)
    }).pipe(Effect.scoped))

  it.effect("recycleAboveHeapMb at or above maxHeapMb is accepted: it counts Buffers, which maxHeapMb does not", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: double, minWorkers: 0, thread: { maxHeapMb: 64, recycleAboveHeapMb: 128 } })
      expect(pool.name).toBe("troupe")
    }).pipe(Effect.scoped))
})
