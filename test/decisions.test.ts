// The team's decisions as log lines, through Effect's Logger, on TestClock:
// scaling up and down at Debug with the numbers behind them, a crash and its
// restart, an escalation at Warn; nothing at Debug unless the program asks.
import { it } from "@effect/vitest"
import { Effect, Logger, References } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Pool, Scaling } from "../src/index.ts"
import { makeGates, settle } from "./helpers.ts"
import { crashWorker, liveWorkerIds } from "./poolInternals.ts"

/** A logger that keeps each line's level, message and troupe annotations. */
const capture = () => {
  const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make((options) => {
    lines.push({ level: options.logLevel, message: String((options.message as Array<unknown>)[0]), annotations: { ...options.fiber.getRef(References.CurrentLogAnnotations) } })
  })
  return { lines, layer: Logger.layer([logger]) }
}

describe("the team's decisions, logged", () => {
  it.effect("scale up and down at Debug, with the team and queue behind each, annotated with the pool", () => {
    const { lines, layer } = capture()
    return Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({
        name: "burst",
        handler: gates.handler,
        maxWorkers: 4,
        scaling: Scaling.combine(Scaling.threshold({ jobsPerWorker: 2 }), Scaling.idleTimeout({ after: "1 second" }))
      })
      const jobs = yield* Effect.forEach(Array.from({ length: 8 }, (_, i) => i), (i) => Pool.fork(pool, i))
      yield* settle()
      for (const i of gates.started.slice()) yield* gates.release(i)
      yield* settle()
      for (const i of gates.started.slice()) yield* gates.release(i)
      yield* Effect.forEach(jobs, Job.join)
      yield* TestClock.adjust("2 seconds")
      yield* settle()
      const ups = lines.filter((l) => l.message.startsWith("scale up"))
      const downs = lines.filter((l) => l.message.startsWith("scale down"))
      expect(ups.length).toBeGreaterThan(0)
      expect(downs.length).toBeGreaterThan(0)
      for (const l of [...ups, ...downs]) {
        expect(l.level).toBe("Debug")
        expect(l.annotations).toMatchObject({ "troupe.pool": "burst" })
        expect(typeof l.annotations["troupe.team"]).toBe("number")
        expect(typeof l.annotations["troupe.queued"]).toBe("number")
      }
      expect(ups[0]!.message).toMatch(/^scale up: worker \d+ started \(.+\); \d+ workers, \d+ jobs queued$/)
      expect(downs[0]!.message).toMatch(/^scale down: worker \d+ retired \(.+\); \d+ workers, 0 jobs queued$/)
      expect(ups[0]!.annotations["troupe.event"]).toBe("Spawned")
    }).pipe(Effect.scoped, Effect.provide(layer), Effect.provideService(References.MinimumLogLevel, "Debug"))
  })

  it.effect("a crash at Info, its restart at Debug; an escalation at Warn; at the default level only those two show", () => {
    const { lines, layer } = capture()
    return Effect.gen(function*() {
      const pool = yield* Pool.make({
        name: "fragile",
        handler: (n: number) => Effect.succeed(n),
        minWorkers: 1,
        maxWorkers: 1,
        scaling: "fixed",
        restart: { intensity: 1, period: "1 minute" }
      })
      crashWorker(pool, liveWorkerIds(pool)[0]!, "planted")
      yield* settle()
      crashWorker(pool, liveWorkerIds(pool)[0]!, "planted again")
      yield* settle()
      expect(lines.map((l) => [l.level, l.message])).toEqual([
        ["Info", "worker 1 crashed (planted); 0 of its queued jobs sent to others"],
        ["Info", "worker 2 crashed (planted again); 0 of its queued jobs sent to others"],
        ["Warn", expect.stringMatching(/^escalated after \d+ restarts: .*planted again.*; the team stops$/)]
      ])
    }).pipe(Effect.scoped, Effect.provide(layer))
  })
})
