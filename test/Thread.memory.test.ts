// A thread's memory: `thread.maxHeapMb` (the pool's heap watch) and Buffers,
// which live outside the JavaScript heap. Real threads, real clock.
//
// The first test is one V8's own limit fails: with this fixture and a limit of
// 96 MiB, a job that grows one array past it aborted the whole process 20 runs
// in 20 when `maxHeapMb` was Node's `resourceLimits` alone (nodejs/node#47224).
// The pool's watch ends the thread first: 0 aborts in 20 runs (docs/threads.md,
// "Memory").
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { Pool, WorkerCrashed } from "../src/index.ts"
import { orders } from "./fixtures/threads.ts"
import { eventuallyLive as eventually } from "./helpers.ts"

const threadIdOf = { op: "threadId" } as const

describe("thread workers: memory", () => {
  it.live("a job that grows one array past maxHeapMb: the pool terminates its thread (a crash saying why) and carries on", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, thread: { maxHeapMb: 96 } })
      const before = yield* Pool.submit(pool, threadIdOf)
      const error = yield* Effect.flip(Pool.submit(pool, { op: "grow" }))
      expect(error).toBeInstanceOf(WorkerCrashed)
      expect((error as WorkerCrashed).reason).toMatch(/JS heap out of memory: the thread's heap was \d+ MiB, past thread\.maxHeapMb \(96 MiB\)/)
      const after = yield* Pool.submit(pool, threadIdOf)
      expect(after).not.toBe(before)
      const stats = Pool.statsUnsafe(pool)
      expect([stats.crashed, stats.workers.crashed, stats.spawned.replacement]).toEqual([1, 1, 1])
    }).pipe(Effect.scoped))

  it.live("Buffers are outside the heap: maxHeapMb does not count them", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, thread: { maxHeapMb: 64 } })
      expect(yield* Pool.submit(pool, { op: "buffers", mb: 128, keep: false })).toBe(128)
      expect(Pool.statsUnsafe(pool).workers.crashed).toBe(0)
    }).pipe(Effect.scoped))

  it.live("recycleAboveHeapMb counts Buffers: above maxHeapMb, it still recycles a thread that holds them", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, thread: { maxHeapMb: 64, recycleAboveHeapMb: 96 } })
      const first = yield* Pool.submit(pool, threadIdOf)
      yield* Pool.submit(pool, { op: "buffers", mb: 128, keep: true })
      yield* eventually(() => Pool.statsUnsafe(pool).threadsReplaced === 1)
      expect(yield* Pool.submit(pool, threadIdOf)).not.toBe(first)
      const stats = Pool.statsUnsafe(pool)
      expect([stats.threadsReplaced, stats.workers.crashed]).toEqual([1, 0])
    }).pipe(Effect.scoped))
})
