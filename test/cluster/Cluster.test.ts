// A job type's jobs on Effect Cluster, in memory (TestRunner: sharding,
// storage and runner in one process, no server): results and typed failures
// come back as from a local pool; jobs with a key never overlap, jobs without
// one do; a job id submitted twice runs once.
import { it } from "@effect/vitest"
import { ConfigProvider, Effect, type Exit, Fiber, Layer, Option, Schema } from "effect"
import { MessageStorage, RunnerHealth, Runners, RunnerStorage, Sharding, ShardingConfig, TestRunner } from "effect/cluster"
import { describe, expect } from "vitest"
import { Pool } from "troupe"
import * as Cluster from "troupe/Cluster"
import { threadId } from "node:worker_threads"
import { orders, sumTo } from "../fixtures/threads.ts"

class Negative extends Schema.TaggedError<Negative>()("Negative", { n: Schema.Number }) {}

/** A job type whose handler records, per key, how many of its jobs run at once, and counts its runs. */
const makeType = () => {
  const running = new Map<string, number>()
  const seen = { runs: 0, maxPerKey: 0, maxAll: 0, now: 0 }
  const type = Cluster.jobType("Double", {
    input: Schema.Struct({ key: Schema.String, n: Schema.Number }),
    success: Schema.Number,
    error: Negative,
    handler: ({ key, n }) =>
      Effect.gen(function*() {
        seen.runs++
        const here = (running.get(key) ?? 0) + 1
        running.set(key, here)
        seen.maxPerKey = Math.max(seen.maxPerKey, here)
        seen.maxAll = Math.max(seen.maxAll, ++seen.now)
        yield* Effect.sleep("5 millis")
        running.set(key, running.get(key)! - 1)
        seen.now--
        if (n < 0) return yield* Effect.fail(new Negative({ n }))
        return n * 2
      })
  })
  return { type, seen }
}

const cluster = (type: ReturnType<typeof makeType>["type"]) =>
  Cluster.runner(type, { pool: { minWorkers: 8, maxWorkers: 8, scaling: "fixed" } }).pipe(Layer.provideMerge(TestRunner.layer))

describe("troupe/Cluster in memory", () => {
  it.live("results and the handler's typed failures come back as from a local pool", () => {
    const { type } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const results = yield* Effect.forEach(Array.from({ length: 40 }, (_, n) => n), (n) => jobs.submit({ key: `k${n % 4}`, n }), { concurrency: "unbounded" })
      expect(results).toEqual(Array.from({ length: 40 }, (_, n) => n * 2))
      const failure = yield* Effect.flip(jobs.submit({ key: "k0", n: -3 }))
      expect(failure).toBeInstanceOf(Negative)
      expect(failure).toMatchObject({ _tag: "Negative", n: -3 })
    }).pipe(Effect.provide(cluster(type)))
  })

  it.live("jobs with the same key run one at a time; jobs without a key run at once, up to the pool", () => {
    const { type, seen } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      yield* Effect.forEach(Array.from({ length: 30 }, (_, n) => n), (n) => jobs.submit({ key: "same", n }, { key: "same" }), { concurrency: "unbounded" })
      expect(seen.maxPerKey).toBe(1)
      expect(seen.maxAll).toBe(1)
      seen.maxAll = 0
      yield* Effect.forEach(Array.from({ length: 30 }, (_, n) => n), (n) => jobs.submit({ key: `free${n}`, n }), { concurrency: "unbounded" })
      expect(seen.maxAll).toBeGreaterThan(1)
      expect(seen.maxAll).toBeLessThanOrEqual(8)
    }).pipe(Effect.provide(cluster(type)))
  })

  it.live("a job id submitted again gets the first run's result, and the job runs once", () => {
    const { type, seen } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const first = yield* jobs.submit({ key: "a", n: 21 }, { id: "job-1" })
      const again = yield* jobs.submit({ key: "a", n: 21 }, { id: "job-1" })
      expect([first, again]).toEqual([42, 42])
      expect(seen.runs).toBe(1)
    }).pipe(Effect.provide(cluster(type)))
  })
})

/** The stored requests' message names, in the order they were saved. */
const storedRequests = Effect.gen(function*() {
  const driver = yield* MessageStorage.MemoryDriver
  return driver.journal.flatMap((envelope) => envelope._tag === "Request" ? [envelope.tag] : [])
})

describe("troupe/Cluster: batches", () => {
  it.live("jobs with no id or key leave in batches: each submitter gets its own job's outcome", () => {
    const { type, seen } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type, { batch: 16 })
      const outcomes = yield* Effect.forEach(Array.from({ length: 40 }, (_, n) => n === 7 ? -7 : n), (n) => Effect.result(jobs.submit({ key: "b", n })), {
        concurrency: "unbounded"
      })
      expect(outcomes.map((r) => r._tag === "Success" ? r.success : r.failure)).toEqual(
        Array.from({ length: 40 }, (_, n) => n === 7 ? new Negative({ n: -7 }) : n * 2)
      )
      expect(seen.runs).toBe(40)
      expect(yield* storedRequests).toEqual(["RunBatch", "RunBatch", "RunBatch"]) // 16 + 16 + 8
    }).pipe(Effect.provide(cluster(type)))
  })

  it.live("a job with an id or a key is a message of its own; so is every job with batch: false", () => {
    const { type } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      yield* Effect.all([jobs.submit({ key: "a", n: 1 }, { id: "one" }), jobs.submit({ key: "a", n: 2 }, { key: "a" })], { concurrency: "unbounded" })
      const single = yield* Cluster.client(type, { batch: false })
      yield* Effect.forEach([3, 4, 5], (n) => single.submit({ key: "a", n }), { concurrency: "unbounded" })
      expect(yield* storedRequests).toEqual(["Run", "Run", "Run", "Run", "Run"])
    }).pipe(Effect.provide(cluster(type)))
  })

  it.live("persisted: false stores nothing, batched or not, and the results come back the same", () => {
    const { type } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type, { persisted: false })
      const results = yield* Effect.all([
        jobs.submit({ key: "a", n: 1 }),
        jobs.submit({ key: "a", n: 2 }),
        jobs.submit({ key: "a", n: 3 }, { id: "three" }),
        jobs.submit({ key: "a", n: 4 }, { key: "a" })
      ], { concurrency: "unbounded" })
      expect(results).toEqual([2, 4, 6, 8])
      expect(yield* Effect.flip(jobs.submit({ key: "a", n: -1 }))).toBeInstanceOf(Negative)
      expect(yield* storedRequests).toEqual([])
    }).pipe(Effect.provide(cluster(type)))
  })

  it.live("a submitter that stops waiting before its batch leaves is left out of it: its job never runs", () => {
    const { type, seen } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      // started at once: it has joined the batch, which leaves on the event loop's next turn
      const gone = yield* Effect.forkChild(jobs.submit({ key: "a", n: 1 }), { startImmediately: true })
      yield* Fiber.interrupt(gone)
      expect(yield* jobs.submit({ key: "a", n: 2 })).toBe(4)
      expect(seen.runs).toBe(1)
    }).pipe(Effect.provide(cluster(type)))
  })
})

describe("troupe/Cluster: attempts", () => {
  const Attempt = Cluster.jobType("Attempt", {
    input: Schema.Number,
    success: Schema.Number,
    handler: () =>
      Effect.gen(function*() {
        return (yield* Cluster.Delivery).attempt
      })
  })

  it.live("a fiber handler reads its job's attempt through Cluster.Delivery: 1 on a first run, alone or batched; 1 in a local pool", () =>
    Effect.gen(function*() {
      const jobs = yield* Cluster.client(Attempt)
      expect(yield* Effect.all([jobs.submit(1, { id: "a" }), jobs.submit(2), jobs.submit(3, { key: "k" })], { concurrency: "unbounded" })).toEqual([1, 1, 1])
      const local = yield* Pool.make({ handler: Attempt.handler })
      expect(yield* Pool.submit(local, 1)).toBe(1)
    }).pipe(Effect.provide(Cluster.runner(Attempt).pipe(Layer.provideMerge(TestRunner.layer)))))

  it.live("a runner whose context has neither the in-memory storage nor a SqlClient fails to start, with RunnerSetupError saying what to provide", () =>
    Effect.gen(function*() {
      // Sharding on storage that is not the memory driver, and no SQL client: nowhere to count attempts.
      const sharding = Sharding.layer.pipe(
        Layer.provideMerge(Runners.layerNoop),
        Layer.provideMerge(MessageStorage.layerNoop),
        Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
        Layer.provide(ShardingConfig.layer())
      )
      const error = yield* Effect.flip(Layer.build(Cluster.runner(Attempt).pipe(Layer.provide(sharding))).pipe(Effect.scoped))
      expect(error._tag).toBe("RunnerSetupError")
      expect(error.message).toContain("no SqlClient")
      expect(error.message).toContain("Layer.provideMerge")
    }))
})

describe("troupe/Cluster: waiting, timing out, cancelling", () => {
  /** Jobs that sleep `ms`, counting those that ended and those interrupted. */
  const makeSlow = () => {
    const seen = { ended: 0, interrupted: 0 }
    const type = Cluster.jobType("Slow", {
      input: Schema.Number,
      success: Schema.Number,
      handler: (ms) =>
        Effect.sleep(ms).pipe(
          Effect.andThen(Effect.sync(() => ++seen.ended)),
          Effect.onInterrupt(() => Effect.sync(() => void seen.interrupted++))
        )
    })
    return { type, seen, layer: Cluster.runner(type, { pool: { maxWorkers: 4 } }).pipe(Layer.provideMerge(TestRunner.layer)) }
  }

  it.live("past its timeout a submit fails with ResultTimedOut naming the job; the job goes on, and its id submitted again gets the result", () => {
    const { type, seen, layer } = makeSlow()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const error = yield* Effect.flip(jobs.submit(300, { id: "slow-1", timeout: "50 millis" }))
      expect(error).toBeInstanceOf(Cluster.ResultTimedOut)
      expect(error.message).toBe("Slow job slow-1: no result within 50ms; the job goes on, and its id submitted again awaits its result")
      expect(yield* jobs.submit(300, { id: "slow-1" })).toBe(1) // the same run's result
      expect(seen).toEqual({ ended: 1, interrupted: 0 })
      // The client's default timeout, for batched jobs too.
      const impatient = yield* Cluster.client(type, { timeout: "50 millis" })
      const batched = yield* Effect.flip(impatient.submit(300))
      expect(batched).toMatchObject({ _tag: "ResultTimedOut", jobType: "Slow", timeout: "50ms" })
      expect(yield* impatient.submit(1)).toBeGreaterThan(0) // a quick job beats it
    }).pipe(Effect.provide(layer))
  })

  it.live("fork returns a handle at once: poll sees nothing until the job ends, join awaits its result, cancel interrupts it on the runner", () => {
    const { type, seen, layer } = makeSlow()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const quick = yield* jobs.fork(50, { id: "quick" })
      expect(Option.isNone(yield* quick.poll)).toBe(true)
      expect(yield* quick.join).toBe(1)
      expect(Option.map(yield* quick.poll, (exit) => exit._tag)).toEqual(Option.some("Success"))
      const slow = yield* jobs.fork(5_000, { id: "slow" })
      yield* Effect.sleep("200 millis") // it runs
      yield* slow.cancel
      yield* Effect.sleep("200 millis")
      expect(seen).toEqual({ ended: 1, interrupted: 1 })
    }).pipe(Effect.provide(layer))
  })

  it.live("interrupting a submit cancels its job on the runner", () => {
    const { type, seen, layer } = makeSlow()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const fiber = yield* Effect.forkChild(jobs.submit(5_000, { id: "cancel-me" }))
      yield* Effect.sleep("200 millis") // it runs
      yield* Fiber.interrupt(fiber)
      yield* Effect.sleep("200 millis")
      expect(seen).toEqual({ ended: 0, interrupted: 1 })
    }).pipe(Effect.provide(layer))
  })
})

describe("troupe/Cluster: a runner's configuration", () => {
  const read = (env: Record<string, string>) => Effect.exit(Cluster.runnerConfig.parse(ConfigProvider.fromEnv({ env })))

  it.effect("runnerConfig reads the runner's address from TROUPE_RUNNER_HOST and TROUPE_RUNNER_PORT, with the tuned failure detection", () =>
    Effect.gen(function*() {
      const exit = yield* read({ TROUPE_RUNNER_HOST: "10.0.0.5", TROUPE_RUNNER_PORT: "34500", HOST: "stray", PORT: "1" })
      expect(exit._tag).toBe("Success")
      const config = (exit as Exit.Success<Partial<ShardingConfig.ShardingConfig["Service"]>>).value
      expect(Option.getOrThrow(config.runnerAddress!)).toMatchObject({ host: "10.0.0.5", port: 34500 })
      expect(config).toMatchObject(Cluster.shardingConfig)
    }))

  it.effect("without either variable, or with a port that is not one, it fails naming the variable: no stray HOST or PORT, no default", () =>
    Effect.gen(function*() {
      for (const [env, named] of [
        [{ HOST: "h", PORT: "1" }, "TROUPE_RUNNER_HOST"],
        [{ TROUPE_RUNNER_HOST: "h", PORT: "1" }, "TROUPE_RUNNER_PORT"],
        [{ TROUPE_RUNNER_HOST: "h", TROUPE_RUNNER_PORT: "99999" }, "TROUPE_RUNNER_PORT"]
      ] as const) {
        const exit = yield* read(env)
        expect(exit._tag, JSON.stringify(env)).toBe("Failure")
        expect(String((exit as Exit.Failure<unknown, unknown>).cause), JSON.stringify(env)).toContain(named)
      }
    }))
})

describe("troupe/Cluster: bad input", () => {
  it.live("an input its Schema refuses fails with InvalidInput naming the field, and nothing is sent", () => {
    const { type, seen } = makeType()
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const error = yield* Effect.flip(jobs.submit({ key: "a", n: "many" } as never))
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toContain(`at ["n"]`)
      expect(error.message).toContain("Expected number")
      expect(seen.runs).toBe(0)
      expect(yield* jobs.submit({ key: "a", n: 1 })).toBe(2) // the client carries on
    }).pipe(Effect.provide(cluster(type)))
  })
})

describe("troupe/Cluster: thread handlers", () => {
  it.live("a job type whose handler is a Thread.handler runs its jobs on the runner pool's worker threads", () => {
    const type = Cluster.jobType("WhichThread", {
      input: Schema.Struct({ op: Schema.Literal("threadId") }),
      success: Schema.Number,
      handler: orders as never
    })
    const layer = Cluster.runner(type, { pool: { minWorkers: 2, maxWorkers: 2, scaling: "fixed" } }).pipe(Layer.provideMerge(TestRunner.layer))
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      const ran = yield* Effect.forEach(Array.from({ length: 8 }, () => ({ op: "threadId" as const })), (input) => jobs.submit(input), { concurrency: "unbounded" })
      expect(ran).toHaveLength(8)
      for (const id of ran) expect(id).not.toBe(threadId) // not this (the runner's main) thread
    }).pipe(Effect.provide(layer))
  }, 30_000)

  it.live("a typed Thread.handler fits a job type as it is (its input and result types are the Schemas')", () => {
    const type = Cluster.jobType("SumTo", { input: Schema.Number, success: Schema.Number, handler: sumTo })
    const layer = Cluster.runner(type, { pool: { maxWorkers: 1 } }).pipe(Layer.provideMerge(TestRunner.layer))
    return Effect.gen(function*() {
      const jobs = yield* Cluster.client(type)
      expect(yield* jobs.submit(100)).toBe(5050)
    }).pipe(Effect.provide(layer))
  }, 30_000)
})
