// The dashboard in a real headless Chromium (the machine's, else the npm
// package's): a pool with a scripted workload on the dashboard, the page
// opened; the workers change state on it, the counters reach the workload's
// totals, the supervisor's decisions reach the timeline; the page is drawn
// (a screenshot is kept as the test's artifact, out/test-artifacts/); and a
// closed page ends its stream.
import { Effect, Exit, Fiber, Layer, Scope } from "effect"
import { mkdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchChromium } from "../scripts/chromium.ts"
import * as Dashboard from "../src/dashboard/Dashboard.ts"
import { Pool, Scaling } from "../src/index.ts"

const artifacts = fileURLToPath(new URL("../out/test-artifacts/", import.meta.url))
const WAVES = 3
const PER_WAVE = 60
const TOTAL = WAVES * PER_WAVE

let browser: Browser | undefined
let scope: Scope.Closeable
let dashboard: Dashboard.Dashboard["Service"]
let workload: Fiber.Fiber<void, unknown>

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(Dashboard.layer(), scope))
  dashboard = context.mapUnsafe.get(Dashboard.Dashboard.key) as Dashboard.Dashboard["Service"]
  // Waves of 60 jobs of 20-80 ms, 700 ms apart: the team grows for each and retires idle workers between them.
  workload = await Effect.runPromise(Effect.gen(function*() {
    const pool = yield* Pool.make({
      name: "browser-demo",
      handler: (ms: number) => Effect.sleep(ms),
      maxWorkers: 6,
      scaling: Scaling.combine(Scaling.threshold({ jobsPerWorker: 4 }), Scaling.idleTimeout({ after: "300 millis" }))
    })
    yield* dashboard.watch(pool)
    return yield* Effect.forkDetach(Effect.gen(function*() {
      yield* Effect.sleep("1500 millis") // the page connects first
      for (let wave = 0; wave < WAVES; wave++) {
        yield* Effect.forEach(Array.from({ length: PER_WAVE }, (_, i) => 20 + (i % 7) * 10), (ms) => Pool.submit(pool, ms), { concurrency: "unbounded" })
        yield* Effect.sleep("700 millis")
      }
    }))
  }).pipe(Scope.provide(scope)))
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
}, 30_000)

describe("the dashboard in Chromium", () => {
  it("shows the workers' states changing, the counters reaching the workload's totals, the decisions; a closed page ends its stream", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(dashboard.url)
    await page.waitForSelector("[data-worker-id]", { timeout: 15_000 })
    expect(await Effect.runPromise(dashboard.clients)).toBe(1)
    const seen = new Set<string>()
    const deadline = Date.now() + 30_000
    let completed = ""
    while (Date.now() < deadline) {
      for (const state of await page.$$eval("[data-worker-id]", (els) => els.map((el) => (el as unknown as { dataset: Record<string, string | undefined> }).dataset.state ?? ""))) seen.add(state)
      completed = (await page.textContent('[data-key="completed"]')) ?? ""
      if (completed === String(TOTAL) && seen.has("busy") && seen.has("idle")) break
      await page.waitForTimeout(50)
    }
    expect(completed).toBe(String(TOTAL))
    expect(await page.textContent('[data-key="submitted"]')).toBe(String(TOTAL))
    expect(seen).toContain("busy")
    expect(seen).toContain("idle")
    // The decisions: workers started for the waves, and retired between them.
    await page.waitForSelector('#decisions li[data-type="@troupe.worker.retired"]', { timeout: 10_000 })
    expect(await page.$$eval('#decisions li[data-type="@troupe.worker.spawned"]', (els) => els.length)).toBeGreaterThan(0)
    // Drawn: each worker's statechart is a canvas with pixels, and the percentiles have numbers.
    expect(await page.$$eval("[data-worker-id] canvas", (els) => els.length)).toBeGreaterThan(0)
    expect(await page.textContent('[data-key="run p50/p90/p99 ms"]')).toMatch(/^\d/)
    mkdirSync(artifacts, { recursive: true })
    const png = await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true })
    expect(png.length).toBeGreaterThan(20_000)
    await page.close()
    const until = Date.now() + 5_000
    while ((await Effect.runPromise(dashboard.clients)) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
    expect(await Effect.runPromise(dashboard.clients)).toBe(0)
    await Effect.runPromise(Fiber.join(workload))
  }, 90_000)
})
