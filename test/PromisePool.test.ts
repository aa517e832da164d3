// The Promise façade: the same outcomes as the Effect API, as resolutions and
// rejections carrying the tagged errors themselves.
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { JobDefect, PoolClosed, PromisePool } from "../src/index.ts"

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
})
