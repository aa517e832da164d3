// The dashboard's server without a browser: the page, echarts from this
// process, the worker statechart's graph, and the event stream: snapshots of
// the watched pools, and in a process of a distributed troupe its runners.
import { it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Runner, RunnerAddress, RunnerStorage } from "effect/cluster"
import { describe, expect } from "vitest"
import * as Dashboard from "../src/dashboard/Dashboard.ts"
import { Pool } from "../src/index.ts"

/** Reads `url`'s server-sent events until `until` holds of what came, or a deadline. */
const readEvents = (url: string, until: (text: string) => boolean) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    const reader = response.body!.getReader()
    let text = ""
    const deadline = Date.now() + 10_000
    while (!until(text) && Date.now() < deadline) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    await reader.cancel()
    return text
  })

describe("the dashboard's server", () => {
  it.live("serves the page, echarts and the worker statechart as a graph of its states and transitions", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const page = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
      expect(page).toContain('<script src="/echarts.js"></script>')
      const echarts = yield* Effect.promise(() => fetch(`${url}echarts.js`))
      expect(echarts.headers.get("content-type")).toContain("javascript")
      expect((yield* Effect.promise(() => echarts.text())).length).toBeGreaterThan(500_000)
      const graph = yield* Effect.promise(() => fetch(`${url}graph`).then((r) => r.json() as Promise<{ states: Array<string>; edges: Array<{ from: string; to: string; event: string }> }>))
      expect(graph.states).toEqual(["spawning", "idle", "busy", "draining", "stopped", "crashed"])
      expect(graph.edges).toContainEqual({ from: "idle", to: "busy", event: "BUSY" })
      expect(graph.edges).toContainEqual({ from: "busy", to: "crashed", event: "CRASH" })
    }).pipe(Effect.provide(Dashboard.layer())))

  it.live("streams snapshots of the watched pools: counts, timings and every worker's state and queue", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ name: "watched", handler: (n: number) => Effect.succeed(n), minWorkers: 2, maxWorkers: 2, scaling: "fixed" })
      yield* Dashboard.watch(pool)
      yield* Effect.forEach([1, 2, 3], (n) => Pool.submit(pool, n))
      const { url } = yield* Dashboard.Dashboard
      const text = yield* readEvents(`${url}events`, (t) => t.includes("event: snapshot"))
      const data = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)![1]!)
      expect(data).toHaveLength(1)
      expect(data[0]).toMatchObject({ name: "watched", state: "running", queued: 0, counts: { submitted: 3, completed: 3 } })
      expect(data[0].workers.map((w: { id: number; state: string }) => [w.id, w.state])).toEqual([[1, "idle"], [2, "idle"]])
      expect(data[0].timings).toHaveProperty("utilization")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ interval: "50 millis" }))))

  it.live("in a process of a distributed troupe, the runners from the cluster's storage, with their health", () =>
    Effect.gen(function*() {
      const storage = yield* RunnerStorage.RunnerStorage
      yield* storage.register(Runner.make({ address: RunnerAddress.make("10.0.0.5", 34431), groups: ["default"], weight: 1 }), true)
      const text = yield* Effect.gen(function*() {
        const { url } = yield* Dashboard.Dashboard
        return yield* readEvents(`${url}events`, (t) => t.includes("event: runners"))
      }).pipe(Effect.provide(Dashboard.layer()))
      const runners = JSON.parse(/event: runners\ndata: (.*)\n/.exec(text)![1]!)
      expect(runners).toEqual([{ address: "10.0.0.5:34431", healthy: true }])
    }).pipe(Effect.provide(RunnerStorage.layerMemory)))
})
