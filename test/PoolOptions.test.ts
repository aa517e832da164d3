import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { InvalidOptions, Pool } from "../src/index.ts"

const handler = (n: number) => Effect.succeed(n)

const rejects = (options: unknown) =>
  Pool.make(options as Pool.Options<number, number, never, never>).pipe(Effect.flip)

describe("Pool options", () => {
  it.effect("a negative size names the field and the value given", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, maxWorkers: -2 })
      expect(error).toBeInstanceOf(InvalidOptions)
      expect(error._tag).toBe("InvalidOptions")
      if (error._tag !== "InvalidOptions") return
      expect(error.field).toBe("maxWorkers")
      expect(error.value).toBe(-2)
      expect(error.message).toContain("maxWorkers")
    }))

  it.effect("minWorkers > maxWorkers is a cross-field error on minWorkers", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, minWorkers: 5, maxWorkers: 2 })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("minWorkers")
      expect(error.value).toBe(5)
      expect(error.message).toContain("must be <= maxWorkers (2)")
    }))

  it.effect("an unknown key is rejected, not silently dropped", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, maxWorkrs: 3 })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("maxWorkrs")
      expect(error.value).toBe(3)
    }))

  it.effect("a wrong type names the field and the value", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, concurrency: "many" })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("concurrency")
      expect(error.value).toBe("many")
    }))

  it.effect("a non-integer size, a bad mailbox and a bad deadline are all reported", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, maxWorkers: 1.5, mailbox: "stack", shutdown: { deadline: "soon" } })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.issues.map((i) => i.field).sort()).toEqual(["mailbox", "maxWorkers", "shutdown.deadline"])
      expect(error.field).toBe("maxWorkers")
    }))

  it.effect("a negative duration is rejected", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, restart: { period: -1 } })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("restart.period")
      expect(error.value).toBe(-1)
    }))

  it.effect("a missing handler is reported", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ maxWorkers: 2 })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("handler")
    }))

  it.effect("a bad per-job priority fails that submit with InvalidOptions and loses nothing", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler })
      const error = yield* Pool.submit(pool, 1, { priority: Number.NaN }).pipe(Effect.flip)
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("priority")
      expect((yield* Pool.stats(pool)).submitted).toBe(0)
      expect(yield* Pool.submit(pool, 2)).toBe(2)
    }))

  it.effect("a fair-share key that is not a string fails that submit with InvalidOptions naming the field", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler })
      const error = yield* Pool.fork(pool, 1, { key: 42 as unknown as string }).pipe(Effect.flip)
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("key")
      expect(error.value).toBe(42)
      expect((yield* Pool.stats(pool)).submitted).toBe(0)
    }))

  it.effect("defaults fill every option left out", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler })
      const stats = yield* Pool.stats(pool)
      expect(stats.workers.idle).toBe(1) // "auto" scaling starts at minWorkers (1) and may grow to maxWorkers (4)
      expect(pool.name).toBe("troupe")
    }))
})
