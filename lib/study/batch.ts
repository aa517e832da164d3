// One batch of the study: the pool it runs on, its warm-up, the batch itself
// (every job at once, timed on Effect's clock) and, with --verbose, its jobs'
// starts and completions.
import { Clock, Duration, Effect, type Scope, Stream } from "effect"
import { type InvalidOptions, Pool, type Scaling } from "troupe"
import * as Dashboard from "troupe/Dashboard"
import { pi } from "./pi.thread.ts"
import type { KindPlan, StudyPlan } from "./plan.ts"

export type StudyPool = Pool.Pool<number, unknown, never>

/** Where --verbose lines go (stdout, or stderr under --json); undefined: not verbose. */
export type Say = ((line: string) => Effect.Effect<void>) | undefined

export const label = (plan: KindPlan) => (plan.kind === "sleep" ? `sleep ${plan.size} ms` : `pi ${plan.size} digits`)

export const team = (plan: KindPlan, n: number) => `${n} ${plan.kind === "sleep" ? "worker" : "thread"}${n === 1 ? "" : "s"}`

/** A sleep job's input is the ms it sleeps, a CPU job's the digits it computes: warm-ups send small ones. */
export const makePool = (
  plan: KindPlan,
  study: StudyPlan,
  size: { readonly min: number; readonly max: number; readonly scaling: "fixed" | Scaling.Scaling }
) => {
  const common = {
    minWorkers: size.min,
    maxWorkers: size.max,
    scaling: size.scaling,
    mailbox: study.mailbox,
    dispatch: study.dispatch,
    capacity: "unbounded" as const,
    name: `${plan.kind}-study`
  }
  const made = (plan.kind === "sleep"
    ? Pool.make({ ...common, handler: (ms: number) => Effect.sleep(Duration.millis(ms)) })
    : Pool.make({ ...common, handler: pi })) as Effect.Effect<StudyPool, InvalidOptions, Scope.Scope>
  // With --dashboard, every pool the study makes is on it while it lives.
  return Effect.tap(made, (pool) =>
    Effect.flatMap(Effect.serviceOption(Dashboard.Dashboard), (dashboard) => dashboard._tag === "Some" ? dashboard.value.watch(pool) : Effect.void))
}

/**
 * Before the clock runs, a few short jobs: thread workers start their threads
 * and compile the job, and the first team's row does not pay for the JIT.
 */
export const warmUp = (plan: KindPlan, pool: StudyPool, workers: number) =>
  Effect.forEach(Array.from({ length: 2 * workers }), () => Pool.submit(pool, plan.kind === "cpu" ? 200 : 1), {
    concurrency: "unbounded",
    discard: true
  })

/** Runs the batch, every job at once; its wall time until the last result. */
export const run = (plan: KindPlan, pool: StudyPool, tick: () => void) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeNanos
    yield* Effect.forEach(
      Array.from({ length: plan.jobs }),
      () => Pool.submit(pool, plan.size).pipe(Effect.tap(() => Effect.sync(tick))),
      { concurrency: "unbounded", discard: true }
    )
    return Number((yield* Clock.currentTimeNanos) - start) / 1e6 // sub-millisecond: a small job lasts a few ms
  })

/** With --verbose: every job's start and completion with its worker, from the pool's job events, timed from `since()`. */
export const watchJobs = (pool: StudyPool, say: (line: string) => Effect.Effect<void>, title: string, since: () => number) =>
  Pool.events(pool, { jobs: true }).pipe(
    Stream.runForEach((event) => {
      if (event.type !== "@troupe.job.started" && event.type !== "@troupe.job.finished") return Effect.void
      // "requeued": a thread job taken back from its thread's window before the thread began it; it starts again.
      const what = event.type === "@troupe.job.started" ? "started" : event.result === "success" ? "completed" : event.result === "requeue" ? "requeued" : event.result
      return say(`${title} +${Math.round(event.at - since())} ms: job ${event.jobId} ${what} on worker ${event.workerId}`)
    }),
    Effect.forkScoped({ startImmediately: true })
  )
