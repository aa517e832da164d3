// The Promise façade: the same outcomes as the Effect API, as resolutions and
// rejections carrying the tagged errors themselves.
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { JobDefect, MailboxFull, PoolClosed, PromisePool } from "../src/index.ts"

class Negative extends Schema.TaggedError<Negative>()("Negative", { n: Schema.Number }) {}

const handler = (n: number) =>
  n < 0 ? Effect.fail(new Negative({ n })) : n === 13 ? Effect.die(new Error("unlucky")) : Effect.succeed(n * 2)

describe("PromisePool", () => {
  it("run resolves with the result and rejects with the tagged error itself", async () => {
    const pool = await PromisePool.make({ handler, maxWorkers: 2 })
    try {
      expect(await pool.run(21)).toBe(42)
      const failure = await pool.run(-1).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(Negative)
      expect(failure).toMatchObject({ _tag: "Negative", n: -1 })
      const defect = await pool.run(13).catch((error: unknown) => error)
      expect(defect).toBeInstanceOf(JobDefect)
      expect((defect as JobDefect).message).toContain("unlucky")
      expect(await Promise.all([1, 2, 3].map((n) => pool.run(n)))).toEqual([2, 4, 6])
      await pool.idle()
      expect(pool.stats()).toMatchObject({ submitted: 6, completed: 4, failed: 1, defects: 1, queued: 0, running: 0 })
    } finally {
      await pool.close()
    }
  })

  it("close shuts the pool down once; a later run rejects with PoolClosed", async () => {
    const pool = await PromisePool.make({ handler })
    const first = pool.close()
    expect(pool.close()).toBe(first)
    expect((await first).pool).toBe("troupe")
    const error = await pool.run(1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PoolClosed)
  })

  it("bad options reject make with InvalidOptions naming the field", async () => {
    const error = await PromisePool.make({ handler, maxWorkers: 0 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "InvalidOptions", field: "maxWorkers" })
  })

  it("per-job options pass through, and their errors reject the run", async () => {
    const pool = await PromisePool.make({ handler })
    try {
      const error = await pool.run(1, { priority: Number.NaN }).catch((e: unknown) => e)
      expect(error).toMatchObject({ _tag: "InvalidOptions", field: "priority" })
      expect(await pool.run(2, { retry: { times: 2 } })).toBe(4)
    } finally {
      await pool.close()
    }
  })

  it("takes an async function with no Effect in sight; run rejects with the handler's own error, not a wrapper", async () => {
    class NotFound extends Error {
      readonly status = 404
    }
    const missing = new NotFound("no such user")
    const pool = await PromisePool.make({
      handler: async (id: number) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        if (id === 0) throw missing
        return { id, name: `user ${id}` }
      },
      maxWorkers: 2
    })
    try {
      expect(await pool.run(7)).toEqual({ id: 7, name: "user 7" })
      const error = await pool.run(0).catch((e: unknown) => e)
      expect(error).toBe(missing)
      expect(await Promise.all([1, 2, 3].map((n) => pool.run(n).then((u) => u.id)))).toEqual([1, 2, 3])
      expect(pool.stats()).toMatchObject({ completed: 4, failed: 1, defects: 0 })
    } finally {
      await pool.close()
    }
  })

  it("a handler that throws before returning its Promise rejects run with JobDefect carrying the throw", async () => {
    const pool = await PromisePool.make({
      handler: (n: number): Promise<number> => {
        if (n < 0) throw new RangeError("negative")
        return Promise.resolve(n)
      }
    })
    try {
      const error = await pool.run(-1).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(JobDefect)
      expect((error as JobDefect).defect).toBeInstanceOf(RangeError)
      expect(await pool.run(1)).toBe(1)
    } finally {
      await pool.close()
    }
  })

  it("a producer paces itself: awaitQueuedBelow, and the saturated and drained events", async () => {
    const gate = Promise.withResolvers<void>()
    const pool = await PromisePool.make({
      handler: async (n: number) => {
        await gate.promise
        return n
      },
      maxWorkers: 1,
      capacity: 4,
      onFull: "fail"
    })
    const seen: Array<string> = []
    const offSaturated = pool.on("saturated", () => seen.push("saturated"))
    const offDrained = pool.on("drained", () => seen.push("drained"))
    try {
      const runs = [1, 2, 3, 4].map((n) => pool.run(n)) // all queued before the worker takes one
      const full = await pool.run(5).catch((e: unknown) => e)
      expect(full).toBeInstanceOf(MailboxFull)
      let below = false
      const waiting = pool.awaitQueuedBelow(2).then(() => (below = true))
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(below).toBe(false)
      gate.resolve()
      await waiting
      expect(await Promise.all(runs)).toEqual([1, 2, 3, 4])
      await pool.idle()
      await new Promise((resolve) => setTimeout(resolve, 5)) // events reach listeners on their own fiber
      expect(seen).toEqual(["saturated", "drained"])
      const bad = await pool.awaitQueuedBelow(0).catch((e: unknown) => e)
      expect(bad).toMatchObject({ _tag: "InvalidOptions", field: "n", value: 0 })
    } finally {
      offSaturated()
      offDrained()
      await pool.close()
    }
  })

  it("close takes a shutdown's options: a deadline and what to do with queued jobs", async () => {
    const pool = await PromisePool.make({
      handler: (_: number, signal: AbortSignal) =>
        new Promise<number>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      maxWorkers: 1,
      scaling: "fixed"
    })
    const running = pool.run(1).catch((e: unknown) => e)
    const queued = pool.run(2).catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const started = performance.now()
    const report = await pool.close({ deadline: "20 millis", queued: "handBack" })
    expect(performance.now() - started).toBeLessThan(5_000) // not the default 30 seconds
    expect(report).toMatchObject({ handedBack: [{ id: 2, input: 2 }], interrupted: [{ id: 1, input: 1 }], deadlineReached: true })
    expect(await running).toMatchObject({ _tag: "JobInterrupted" })
    expect(await queued).toMatchObject({ _tag: "JobHandedBack" })
    const bad = await PromisePool.make({ handler: async (n: number) => n })
    const error = await bad.close({ deadline: Infinity }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "InvalidOptions", field: "deadline", value: Infinity })
    await bad.close()
  })
})
