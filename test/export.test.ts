// A pool's metrics through Effect's own exporters, on a known workload (on
// TestClock): Prometheus text parsed and checked series by series, and the
// OTLP JSON that OtlpMetrics posts, captured by a fake HttpClient.
import { it } from "@effect/vitest"
import { Effect, Layer, Metric } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { OtlpExporter, OtlpMetrics, OtlpSerialization, PrometheusMetrics } from "effect/observability"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Pool, Timings } from "../src/index.ts"
import { settle } from "./helpers.ts"

/** Jobs of 10, 30 and 30 ms and one that fails, on two workers, timed from the start: the workload of Timings.test.ts, plus a failure. */
const workload = Effect.gen(function*() {
  const pool = yield* Pool.make({
    name: "web",
    handler: (ms: number) => ms < 0 ? Effect.fail("negative") : Effect.sleep(ms),
    minWorkers: 2,
    maxWorkers: 2,
    scaling: "fixed"
  })
  yield* Timings.reset(pool)
  const jobs = yield* Effect.forEach([10, 30, 30, -1], (ms) => Pool.fork(pool, ms))
  yield* settle()
  yield* TestClock.adjust("40 millis")
  yield* Effect.forEach(jobs, (job) => Effect.result(Job.join(job)))
  return pool
})

/** Prometheus text as `name{labels}` → value, the labels sorted, `pool_id` left out. */
const parse = (text: string): Map<string, number> => {
  const series = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    expect(m, line).not.toBeNull()
    const labels = [...(m![2] ?? "").matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].filter(([, k]) => k !== "pool_id").map(([, k, v]) => `${k}=${v}`).sort()
    series.set(`${m![1]}{${labels.join(",")}}`, Number(m![3]))
  }
  return series
}

describe("Prometheus", () => {
  it.effect("the pool's series, parsed: outcomes, tallies, queue and workers, and the wait and run histograms where the clock put them", () =>
    Effect.gen(function*() {
      yield* workload
      const text = yield* PrometheusMetrics.format()
      expect(text).toContain("# TYPE troupe_jobs counter")
      expect(text).toContain("# TYPE troupe_job_run_ms histogram")
      expect(text).toContain("# TYPE troupe_utilization gauge")
      const s = parse(text)
      expect(s.get("troupe_jobs{outcome=completed,pool=web}")).toBe(3)
      expect(s.get("troupe_jobs{outcome=failed,pool=web}")).toBe(1)
      expect(s.get("troupe_jobs{outcome=cancelled,pool=web}")).toBe(0)
      expect(s.get("troupe_jobs_submitted{pool=web}")).toBe(4)
      expect(s.get("troupe_jobs_queued{pool=web}")).toBe(0)
      expect(s.get("troupe_workers{pool=web,state=idle}")).toBe(2)
      expect(s.get("troupe_workers_spawned{pool=web,reason=initial}")).toBe(2)
      // Runs 10, 30, 30 and 0 (the failure, on the first worker at 10 ms, after the 10 ms job); waits 0, 0, 10, 30 ms.
      expect(s.get("troupe_job_run_ms_count{pool=web}")).toBe(4)
      expect(s.get("troupe_job_run_ms_sum{pool=web}")).toBe(70)
      expect(s.get("troupe_job_run_ms_bucket{le=1,pool=web}")).toBe(1)
      expect(s.get("troupe_job_run_ms_bucket{le=10,pool=web}")).toBe(2)
      expect(s.get("troupe_job_run_ms_bucket{le=50,pool=web}")).toBe(4)
      expect(s.get("troupe_job_run_ms_bucket{le=+Inf,pool=web}")).toBe(4)
      expect(s.get("troupe_job_wait_ms_count{pool=web}")).toBe(4)
      expect(s.get("troupe_job_wait_ms_sum{pool=web}")).toBe(40)
      expect(s.get("troupe_job_wait_ms_bucket{le=5,pool=web}")).toBe(2)
      expect(s.get("troupe_job_wait_ms_bucket{le=10,pool=web}")).toBe(3)
      // Busy 10 + 0 + 30 on one worker (the last 0 to 40), 30 + … on the other: 70 of 2 × 40.
      expect(s.get("troupe_utilization{pool=web}")).toBeCloseTo(70 / 80, 10)
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))
})

describe("OTLP", () => {
  it.effect("OtlpMetrics posts the pool's series as OTLP JSON: counters monotonic sums, the histograms with their bounds and counts", () =>
    Effect.gen(function*() {
      const posted: Array<{ readonly url: string; readonly body: any }> = []
      const client = HttpClient.make((request, url) =>
        Effect.sync(() => {
          const body = request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined
          posted.push({ url: url.toString(), body })
          return HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 }))
        })
      )
      const exporter = OtlpMetrics.layer({ url: "http://collector.test/v1/metrics", resource: { serviceName: "jobs" } }).pipe(
        Layer.provideMerge(OtlpExporter.layerFlusher),
        Layer.provide(OtlpSerialization.layerJson),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
      )
      yield* Effect.gen(function*() {
        yield* workload
        yield* (yield* OtlpExporter.Flusher).flush
      }).pipe(Effect.provide(exporter))
      expect(posted.length).toBeGreaterThan(0)
      expect(posted[0]!.url).toBe("http://collector.test/v1/metrics")
      const metrics = posted.at(-1)!.body.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics)
      const named = (name: string) => metrics.find((m: any) => m.name === name)
      const ours = (points: ReadonlyArray<any>) => points.filter((p) => p.attributes.some((a: any) => a.key === "pool" && a.value.stringValue === "web"))
      const jobs = named("troupe_jobs")
      expect(jobs.sum.isMonotonic).toBe(true)
      const completed = ours(jobs.sum.dataPoints).find((p: any) => p.attributes.some((a: any) => a.key === "outcome" && a.value.stringValue === "completed"))
      expect(Number(completed.asInt ?? completed.asDouble)).toBe(3)
      const run = ours(named("troupe_job_run_ms").histogram.dataPoints)[0]
      expect(Number(run.count)).toBe(4)
      expect(run.sum).toBe(70)
      expect(run.explicitBounds.slice(0, 4)).toEqual([1, 2, 5, 10])
      expect(run.bucketCounts.map(Number).slice(0, 6)).toEqual([1, 0, 0, 1, 0, 2]) // per bucket: ≤1, ≤2, ≤5, ≤10, ≤25, ≤50
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))
})
