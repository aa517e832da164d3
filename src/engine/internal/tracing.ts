// One span per job attempt, when the pool's context has a tracer of its own
// (not Effect's native one): named `troupe.job`, a child of the submitter's
// span, from the attempt's start to its end, with the pool, worker, job id,
// attempt, outcome and queue wait as attributes. The handler's own spans
// nest under it. With no tracer installed, nothing here runs: a job carries
// no trace and pays one flag test.
import { type Clock, Context, Exit, Fiber, Option, References, Tracer } from "effect"
import type { JobRecord } from "../../job/internal/jobRecord.ts"

export class Tracing {
  private readonly tracer: Tracer.Tracer
  private readonly clock: Clock.Clock
  private readonly pool: string

  private constructor(tracer: Tracer.Tracer, clock: Clock.Clock, pool: string) {
    this.tracer = tracer
    this.clock = clock
    this.pool = pool
  }

  /** Tracing for a pool made in `context`, or none when it has no tracer but Effect's native one. */
  static of(context: Context.Context<never>, clock: Clock.Clock, pool: string): Tracing | undefined {
    const tracer = Context.get(context, Tracer.Tracer)
    if (tracer === Tracer.nativeTracer || !Context.get(context, References.TracerEnabled)) return undefined
    return new Tracing(tracer, clock, pool)
  }

  /** The span of the fiber submitting now (admission runs on the submitter's fiber), if any. */
  parentSpan(): Tracer.AnySpan | undefined {
    const fiber = Fiber.getCurrent()
    return fiber === undefined ? undefined : Option.getOrUndefined(Context.getOption(fiber.context, Tracer.ParentSpan))
  }

  /** An attempt starts on `workerId`, after waiting `waitMs` (-1: unknown). */
  started(job: JobRecord, workerId: number, attempt: number, waitMs: number): void {
    const trace = job.trace
    if (trace === undefined) return
    const parent = trace.parent
    const span = this.tracer.span({
      name: "troupe.job",
      parent: Option.fromUndefinedOr(parent),
      annotations: Context.empty(),
      links: [],
      startTime: this.clock.currentTimeNanosUnsafe(),
      kind: "internal",
      root: parent === undefined,
      sampled: parent?.sampled ?? true
    })
    span.attribute("troupe.pool", this.pool)
    span.attribute("troupe.worker", workerId)
    span.attribute("troupe.job.id", job.id)
    span.attribute("troupe.job.attempt", attempt)
    if (waitMs >= 0) span.attribute("troupe.job.wait_ms", waitMs)
    trace.span = span
  }

  /** The attempt ended: `outcome` is its exit, or how troupe ended it ("cancel", "crash", …). */
  ended(job: JobRecord, outcome: Exit.Exit<unknown, unknown> | string): void {
    const span = job.trace?.span
    if (span === undefined) return
    job.trace!.span = undefined
    const exit = typeof outcome === "string" ? Exit.fail(outcome) : outcome // troupe's own ends are errors too
    span.attribute("troupe.job.outcome", typeof outcome === "string" ? outcome : Exit.isSuccess(outcome) ? "success" : "failure")
    span.end(this.clock.currentTimeNanosUnsafe(), exit)
  }
}
