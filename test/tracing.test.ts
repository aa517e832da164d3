// One span per job attempt, with a tracer installed: a child of the
// submitter's span, the handler's own spans under it, the attempt's facts as
// attributes; and nothing at all with no tracer. Then the same spans as
// OtlpTracer posts them (OTLP JSON through a fake HttpClient).
import { it } from "@effect/vitest"
import { Effect, Exit, Layer, Schedule, Tracer } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { OtlpExporter, OtlpSerialization, OtlpTracer } from "effect/observability"
import { describe, expect } from "vitest"
import { Job, Pool } from "../src/index.ts"
import type { JobRecord } from "../src/job/internal/jobRecord.ts"
import { parentSpan } from "./fixtures/threads.ts"

/** Effect's native spans, kept as they are made. */
const recording = () => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span(options) {
      const span = Tracer.nativeTracer.span(options)
      spans.push(span)
      return span
    }
  })
  return { spans, layer: Layer.succeed(Tracer.Tracer, tracer) }
}

const parentId = (span: Tracer.Span) => span.parent._tag === "Some" ? span.parent.value.spanId : undefined

describe("tracing", () => {
  it.live("a span per job, a child of the submitter's span, with the pool, worker, job, attempt, wait and outcome; the handler's spans under it", () => {
    const { spans, layer } = recording()
    return Effect.gen(function*() {
      const pool = yield* Pool.make({
        name: "traced",
        handler: (n: number) => n < 0 ? Effect.fail("negative") : Effect.succeed(n).pipe(Effect.withSpan("inner")),
        maxWorkers: 2
      })
      yield* Effect.all([Pool.submit(pool, 1), Pool.submit(pool, 2), Effect.flip(Pool.submit(pool, -1))], { concurrency: "unbounded" }).pipe(
        Effect.withSpan("request")
      )
      const request = spans.find((s) => s.name === "request")!
      const jobs = spans.filter((s) => s.name === "troupe.job")
      expect(jobs).toHaveLength(3)
      for (const span of jobs) {
        expect(parentId(span)).toBe(request.spanId)
        expect(span.traceId).toBe(request.traceId)
        expect(span.status._tag).toBe("Ended")
        expect(span.attributes.get("troupe.pool")).toBe("traced")
        expect(typeof span.attributes.get("troupe.worker")).toBe("number")
        expect(span.attributes.get("troupe.job.attempt")).toBe(1)
        expect(span.attributes.get("troupe.job.wait_ms")).toBeGreaterThanOrEqual(0)
      }
      expect(jobs.map((s) => s.attributes.get("troupe.job.outcome")).sort()).toEqual(["failure", "success", "success"])
      const failed = jobs.find((s) => s.attributes.get("troupe.job.outcome") === "failure")!
      expect(failed.status._tag === "Ended" && Exit.isFailure(failed.status.exit)).toBe(true)
      const inner = spans.filter((s) => s.name === "inner")
      expect(inner).toHaveLength(2)
      for (const span of inner) expect(jobs.map((j) => j.spanId)).toContain(parentId(span))
    }).pipe(Effect.scoped, Effect.provide(layer))
  })

  it.live("a retried job: one span per attempt, each a child of the submitter's span, numbered", () => {
    const { spans, layer } = recording()
    return Effect.gen(function*() {
      let tries = 0
      const pool = yield* Pool.make({
        handler: () => ++tries < 3 ? Effect.fail("again") : Effect.succeed("done"),
        retry: { times: 5, schedule: Schedule.spaced("1 millis") }
      })
      expect(yield* Pool.submit(pool, 0).pipe(Effect.withSpan("caller"))).toBe("done")
      const caller = spans.find((s) => s.name === "caller")!
      const attempts = spans.filter((s) => s.name === "troupe.job")
      expect(attempts.map((s) => [s.attributes.get("troupe.job.attempt"), s.attributes.get("troupe.job.outcome")])).toEqual([
        [1, "failure"],
        [2, "failure"],
        [3, "success"]
      ])
      for (const span of attempts) expect(parentId(span)).toBe(caller.spanId)
    }).pipe(Effect.scoped, Effect.provide(layer))
  })

  it.live("with no tracer installed (Effect's native one), a job carries no trace and no span is made", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const job = yield* Pool.fork(pool, 1).pipe(Effect.withSpan("request"))
      expect(yield* Job.join(job)).toBe(1)
      expect((job as unknown as JobRecord).trace).toBeUndefined()
    }).pipe(Effect.scoped))

  it.live("a thread handler runs under its attempt's span across the thread boundary (an external span); with no tracer, under none", () => {
    const { spans, layer } = recording()
    return Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: parentSpan, minWorkers: 1, maxWorkers: 1, scaling: "fixed" })
      // One job with a timeout, one without: both forms of the thread's job entry carry the trace.
      const seen = yield* Effect.all([Pool.submit(pool, 1), Pool.submit(pool, 2, { timeout: "10 seconds" })]).pipe(Effect.withSpan("request"))
      const request = spans.find((s) => s.name === "request")!
      const jobs = spans.filter((s) => s.name === "troupe.job")
      expect(jobs).toHaveLength(2)
      expect(seen.sort()).toEqual(jobs.map((j) => `${request.traceId}/${j.spanId}`).sort())
      const untraced = yield* Pool.make({ handler: parentSpan, minWorkers: 1, maxWorkers: 1, scaling: "fixed" }).pipe(Effect.provideService(Tracer.Tracer, Tracer.nativeTracer))
      expect(yield* Pool.submit(untraced, 1)).toBe("none")
    }).pipe(Effect.scoped, Effect.provide(layer))
  }, 30_000)

  it.live("OtlpTracer posts the job spans with the submitter's span as their parent", () => {
    const posted: Array<any> = []
    const client = HttpClient.make((request) =>
      Effect.sync(() => {
        if (request.body._tag === "Uint8Array") posted.push(JSON.parse(new TextDecoder().decode(request.body.body)))
        return HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 }))
      })
    )
    const exporter = OtlpTracer.layer({ url: "http://collector.test/v1/traces", resource: { serviceName: "jobs" } }).pipe(
      Layer.provideMerge(OtlpExporter.layerFlusher),
      Layer.provide(OtlpSerialization.layerJson),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
    )
    return Effect.gen(function*() {
      yield* Effect.gen(function*() {
        const pool = yield* Pool.make({ name: "exported", handler: (n: number) => Effect.succeed(n) })
        yield* Effect.forEach([1, 2], (n) => Pool.submit(pool, n)).pipe(Effect.withSpan("request"))
        yield* (yield* OtlpExporter.Flusher).flush
      }).pipe(Effect.scoped, Effect.provide(exporter))
      const spans = posted.flatMap((body) => body.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)))
      const request = spans.find((s: any) => s.name === "request")
      const jobs = spans.filter((s: any) => s.name === "troupe.job")
      expect(jobs).toHaveLength(2)
      for (const span of jobs) {
        expect(span.parentSpanId).toBe(request.spanId)
        expect(span.traceId).toBe(request.traceId)
        expect(span.attributes).toContainEqual({ key: "troupe.pool", value: { stringValue: "exported" } })
      }
    })
  })
})
