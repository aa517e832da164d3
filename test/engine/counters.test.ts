// One list for the counters, the stats and the metrics: every outcome and
// tally a pool counts shows in `Pool.stats` and has its metric series.
import { it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { describe, expect } from "vitest"
import { Counters, outcomes, tallies } from "../../src/engine/internal/counters.ts"
import * as Metrics from "../../src/engine/internal/metrics.ts"
import { Timings } from "../../src/engine/internal/timings.ts"
import { Pool } from "../../src/index.ts"

describe("Counters", () => {
  it("a snapshot has every outcome and tally, served as the sum of what handlers ran to an end", () => {
    const counters = new Counters()
    outcomes.forEach((outcome, i) => {
      for (let n = 0; n <= i; n++) counters.settled(outcome)
    })
    counters.add("stolen", 3)
    counters.spawned("scaleUp")
    counters.workerTransition("spawning", "idle")
    const snapshot = counters.snapshot()
    outcomes.forEach((outcome, i) => expect(snapshot[outcome], outcome).toBe(i + 1))
    for (const tally of Object.keys(tallies)) expect(snapshot[tally as keyof typeof tallies]).toBe(tally === "stolen" ? 3 : 0)
    expect(snapshot.served).toBe(snapshot.completed + snapshot.failed + snapshot.defects)
    expect(snapshot.spawned).toEqual({ initial: 0, replacement: 0, scaleUp: 1 })
    expect(snapshot.workers).toMatchObject({ spawning: 0, idle: 1 })
  })

  it.effect("every count a pool's stats show is exported as a metric series with the same value", () =>
    Effect.gen(function*() {
      const counters = new Counters()
      counters.settled("completed")
      counters.add("retried", 2)
      counters.add("deadLettersDropped")
      const context = yield* Effect.context<never>()
      const registered = Metrics.register("counted", counters, new Timings(() => 0, { busy: () => 0, available: () => 0 }), () => 5, context)
      const snapshot = yield* Metric.snapshot
      const mine = snapshot.filter((m) => m.attributes?.pool === "counted")
      for (const outcome of outcomes) {
        const series = mine.find((m) => m.id === "troupe_jobs" && m.attributes?.outcome === outcome)
        expect(series?.state, outcome).toMatchObject({ count: outcome === "completed" ? 1 : 0 })
      }
      for (const [tally, { metric }] of Object.entries(tallies)) {
        expect(mine.find((m) => m.id === metric)?.state, metric).toMatchObject({ count: counters.get(tally as keyof typeof tallies) })
      }
      expect(mine.find((m) => m.id === "troupe_jobs_queued")?.state).toMatchObject({ value: 5 })
      registered.remove()
      expect((yield* Metric.snapshot).filter((m) => m.attributes?.pool === "counted")).toEqual([])
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("Pool.stats carries every outcome and tally of the counters", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      yield* Pool.submit(pool, 1)
      const stats = yield* Pool.stats(pool)
      for (const key of [...outcomes, ...Object.keys(tallies)]) expect(stats, key).toHaveProperty(key)
      expect(stats).toMatchObject({ submitted: 1, completed: 1, served: 1 })
    }).pipe(Effect.scoped))
})
