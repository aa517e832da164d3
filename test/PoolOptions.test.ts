import { it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { describe, expect } from "vitest"
import { Dispatch, InvalidOptions, Mailbox, Pool, Scaling } from "../src/index.ts"

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

  // Values that used to be accepted and then hurt: NaN and {} read as 0 ms (every
  // job timed out at once), an endless deadline hung shutdown, a zero window
  // meant no rate limit at all.
  const badDurations: ReadonlyArray<readonly [string, unknown]> = [
    ["NaN", Number.NaN],
    ["{}", {}],
    ["an unknown unit", { secs: 5 }],
    ["a NaN unit", { seconds: Number.NaN }],
    ["a negative number", -5],
    ["a negative string", "-5 seconds"],
    ["a bare number string", "5"],
    ["null", null],
    ["a boolean", true]
  ]
  const durationFields: ReadonlyArray<readonly [string, (value: unknown) => Record<string, unknown>]> = [
    ["timeout", (value) => ({ timeout: value })],
    ["queueTimeout", (value) => ({ queueTimeout: value })],
    ["restart.period", (value) => ({ restart: { period: value } })],
    ["shutdown.deadline", (value) => ({ shutdown: { deadline: value } })],
    ["rateLimit.window", (value) => ({ rateLimit: { limit: 5, window: value } })]
  ]
  for (const [field, place] of durationFields) {
    it.effect(`${field}: NaN, {}, negative and malformed durations are rejected, naming the field and the value`, () =>
      Effect.gen(function*() {
        for (const [, value] of badDurations) {
          const error = yield* rejects({ handler, ...place(value) })
          if (error._tag !== "InvalidOptions") throw error
          expect(error.field).toBe(field)
          expect(error.value).toEqual(value)
          expect(error.message).toContain(field)
          expect(error.message).toContain("duration")
        }
      }))
  }

  it.effect("durations that are meant are accepted: strings, millis, objects, Duration values", () =>
    Effect.gen(function*() {
      for (const value of ["5 seconds", 5_000, { seconds: 5 }, { minutes: 1, seconds: 5 }, [5, 0], Duration.seconds(5)]) {
        const pool = yield* Pool.make({ handler, timeout: value as Duration.Input, shutdown: { deadline: value as Duration.Input } })
        expect(yield* Pool.submit(pool, 1)).toBe(1)
      }
    }))

  it.effect("an endless shutdown deadline is rejected (shutdown never hangs); an endless job timeout means no limit", () =>
    Effect.gen(function*() {
      for (const deadline of [Infinity, "Infinity", Duration.infinity]) {
        const error = yield* rejects({ handler, shutdown: { deadline } })
        if (error._tag !== "InvalidOptions") throw error
        expect(error.field).toBe("shutdown.deadline")
        expect(error.message).toContain("finite")
      }
      const pool = yield* Pool.make({ handler, timeout: Infinity })
      expect(yield* Pool.submit(pool, 3)).toBe(3)
    }))

  it.effect("a rate limit's window and a restart period must be more than zero", () =>
    Effect.gen(function*() {
      const window = yield* rejects({ handler, rateLimit: { limit: 5, window: 0 } })
      expect(window).toMatchObject({ _tag: "InvalidOptions", field: "rateLimit.window", value: 0 })
      const period = yield* rejects({ handler, restart: { period: "0 millis" } })
      expect(period).toMatchObject({ _tag: "InvalidOptions", field: "restart.period", value: "0 millis" })
      const pool = yield* Pool.make({ handler })
      const changed = yield* Pool.setRateLimit(pool, { limit: 5, window: 0 }).pipe(Effect.flip)
      expect(changed).toMatchObject({ _tag: "InvalidOptions", field: "rateLimit.window", value: 0 })
      expect(changed.message).toContain("more than zero")
      for (const bad of [Number.NaN, {}]) {
        const error = yield* Pool.setRateLimit(pool, { limit: 5, window: bad as Duration.Input }).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "InvalidOptions", field: "rateLimit.window" })
        expect((error as InvalidOptions).value).toEqual(bad)
      }
    }))

  it.effect("a job's own timeout or queueTimeout of NaN or {} fails its submit, naming the field; the pool holds nothing", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler })
      for (const field of ["timeout", "queueTimeout"] as const) {
        for (const [, value] of badDurations) {
          const error = yield* Pool.submit(pool, 1, { [field]: value as Duration.Input }).pipe(Effect.flip)
          if (error._tag !== "InvalidOptions") throw error
          expect(error.field).toBe(field)
          expect(error.value).toEqual(value)
          expect(error.message).toContain(field)
        }
      }
      expect((yield* Pool.stats(pool)).submitted).toBe(0)
      expect(yield* Pool.submit(pool, 2, { timeout: Infinity, queueTimeout: "1 second" })).toBe(2)
    }))

  it.effect("an unknown per-job option is rejected like an unknown pool option", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler, mailbox: "priority" })
      const error = yield* Pool.submit(pool, 1, { prio: 5 } as Pool.JobOptions).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "InvalidOptions", field: "prio", value: 5 })
      expect((error as InvalidOptions).message).toContain("priority") // it names the known ones
      const forked = yield* Pool.fork(pool, 1, { priority: 1, timout: "1 second" } as Pool.JobOptions).pipe(Effect.flip)
      expect(forked).toMatchObject({ _tag: "InvalidOptions", field: "timout" })
      expect((yield* Pool.stats(pool)).submitted).toBe(0)
    }))

  it.effect("thread options on a pool of fiber workers are rejected, not silently ignored", () =>
    Effect.gen(function*() {
      const error = yield* rejects({ handler, thread: { maxHeapMb: 64 } })
      if (error._tag !== "InvalidOptions") throw error
      expect(error.field).toBe("thread")
      expect(error.message).toContain("Thread.handler")
    }))

  it.effect("awaitQueuedBelow with n of 0, -1, NaN or 1.5 fails at once instead of waiting forever", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler })
      for (const n of [0, -1, Number.NaN, 1.5]) {
        const error = yield* Pool.awaitQueuedBelow(pool, n).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "InvalidOptions", field: "n" })
        expect(error.value).toEqual(n)
      }
      yield* Pool.awaitQueuedBelow(pool, 1) // nothing queued: returns at once
    }))

  it.effect("setMaxWorkers and setRateLimit on a pool that has shut down fail with PoolClosed", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler })
      yield* Pool.shutdown(pool)
      expect(yield* Pool.setMaxWorkers(pool, 3).pipe(Effect.flip)).toMatchObject({ _tag: "PoolClosed", pool: "troupe" })
      expect(yield* Pool.setRateLimit(pool, { limit: 1, window: "1 second" }).pipe(Effect.flip)).toMatchObject({ _tag: "PoolClosed" })
      expect(yield* Pool.setRateLimit(pool, undefined).pipe(Effect.flip)).toMatchObject({ _tag: "PoolClosed" })
    }))

  // A strategy is a value made by its module: a look-alike object, null or a
  // function would pass on to the first submit and crash there with a TypeError.
  const lookAlikes = {
    mailbox: [{}, null, () => Mailbox.fifo(), { name: "mine", make: () => [] }, "stack"],
    dispatch: [{}, null, () => 0, { name: "mine", select: () => 0 }, "random"],
    scaling: [{}, null, () => Scaling.hold, { name: "mine", decide: () => Scaling.hold, idleTimeout: undefined }, "never"]
  } as const
  for (const [field, values] of Object.entries(lookAlikes)) {
    it.effect(`${field}: {}, null, a function, a look-alike object and an unknown name are rejected, naming the field and the value`, () =>
      Effect.gen(function*() {
        for (const value of values) {
          const error = yield* rejects({ handler, [field]: value })
          if (error._tag !== "InvalidOptions") throw error
          expect(error.field).toBe(field)
          expect(error.value).toBe(value)
        }
      }))
  }

  it.effect("strategies made by their modules are accepted and run jobs", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler,
        mailbox: Mailbox.make("mine", () => Mailbox.lifo().make()),
        dispatch: Dispatch.make("first", () => 0),
        scaling: Scaling.make("two", (s) => s.workers.length < 2 ? { _tag: "Spawn", count: 2 - s.workers.length, reason: "two" } : Scaling.hold)
      })
      expect(yield* Pool.submit(pool, 7)).toBe(7)
    }))
})
