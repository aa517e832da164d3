// The scaling study: one batch of equal jobs on fixed teams of 1, 2, … N
// workers, then the same batch with the supervisor sizing the team, recording
// the team's size as it grows and shrinks.
import { Clock, Console, Duration, Effect, Fiber, Schedule, type Scope, Stream } from "effect"
import { type InvalidOptions, Pool, Scaling } from "troupe"
import { Progress } from "../progress.ts"
import type { Autoscaled, KindReport, Row, TimelinePoint } from "../report/Report.ts"
import { pi } from "./pi.thread.ts"
import type { KindPlan, StudyPlan } from "./plan.ts"

type AnyPool = Pool.Pool<number, unknown, never>

const label = (plan: KindPlan) => (plan.kind === "sleep" ? `sleep ${plan.size} ms` : `pi ${plan.size} digits`)
const unit = (plan: KindPlan, n: number) => `${n} ${plan.kind === "sleep" ? "worker" : "thread"}${n === 1 ? "" : "s"}`

const makePool = (plan: KindPlan, study: StudyPlan, team: { min: number; max: number; scaling: "fixed" | Scaling.Scaling }) => {
  const common = {
    minWorkers: team.min,
    maxWorkers: team.max,
    scaling: team.scaling,
    mailbox: study.mailbox,
    dispatch: study.dispatch,
    capacity: "unbounded" as const,
    name: `${plan.kind}-study`
  }
  return (plan.kind === "sleep"
    ? Pool.make({ ...common, handler: (ms: number) => Effect.sleep(Duration.millis(ms)) })
    : Pool.make({ ...common, handler: pi })) as Effect.Effect<AnyPool, InvalidOptions, Scope.Scope>
}

/** A job's input: the ms a sleep job sleeps, the digits a CPU job computes. */
const input = (plan: KindPlan) => plan.size

/**
 * Before the clock runs, a few short jobs: thread workers start their threads
 * and compile the job, and the first team's row does not pay for the JIT.
 */
const warmUp = (plan: KindPlan, pool: AnyPool, team: number) =>
  Effect.forEach(Array.from({ length: 2 * team }), () => Pool.submit(pool, plan.kind === "cpu" ? 200 : 1), {
    concurrency: "unbounded",
    discard: true
  })

/** With --verbose: every job's start and completion, with its worker, from the pool's job events. */
const watchJobs = (pool: AnyPool, title: string, since: () => number) =>
  Pool.events(pool, { jobs: true }).pipe(
    Stream.runForEach((event) => {
      if (event.type === "@troupe.job.started") {
        return Console.log(`${title} +${Math.round(event.at - since())} ms: job ${event.jobId} started on worker ${event.workerId}`)
      }
      if (event.type === "@troupe.job.finished") {
        const what = event.result === "success" ? "completed" : event.result
        return Console.log(`${title} +${Math.round(event.at - since())} ms: job ${event.jobId} ${what} on worker ${event.workerId}`)
      }
      return Effect.void
    }),
    Effect.forkChild({ startImmediately: true })
  )

/** Runs the batch, every job at once; the wall time until the last result. */
const batch = (plan: KindPlan, pool: AnyPool, tick: () => void) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    yield* Effect.forEach(
      Array.from({ length: plan.jobs }),
      () => Pool.submit(pool, input(plan)).pipe(Effect.tap(() => Effect.sync(tick))),
      { concurrency: "unbounded", discard: true }
    )
    return { start, wallMs: (yield* Clock.currentTimeMillis) - start }
  })

const fixedTeam = (plan: KindPlan, study: StudyPlan, team: number, verbose: boolean) =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const pool = yield* makePool(plan, study, { min: team, max: team, scaling: "fixed" })
    yield* warmUp(plan, pool, team)
    let since = 0
    const watcher = verbose ? yield* watchJobs(pool, `${label(plan)}, ${unit(plan, team)}`, () => since) : undefined
    const step = progress.step(`${label(plan)} · ${unit(plan, team)}`, plan.jobs * study.repeat)
    const samples: Array<number> = []
    for (let i = 0; i < study.repeat; i++) {
      since = yield* Clock.currentTimeMillis
      samples.push((yield* batch(plan, pool, step.tick)).wallMs)
    }
    step.done(`${Math.round(median(samples))} ms${study.repeat > 1 ? ` (median of ${study.repeat})` : ""}`)
    yield* Pool.shutdown(pool)
    if (watcher !== undefined) yield* Fiber.join(watcher)
    return samples
  }).pipe(Effect.scoped)

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const autoscaled = (plan: KindPlan, study: StudyPlan, verbose: boolean) =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const max = Math.max(...plan.teams)
    const policy = study.scaling === "auto"
      ? Scaling.auto({ jobsPerWorker: study.jobsPerWorker, idleAfter: Duration.millis(study.idleAfterMs) })
      : Scaling.threshold({ jobsPerWorker: study.jobsPerWorker })
    const pool = yield* makePool(plan, study, { min: 1, max, scaling: policy })
    // No warm-up jobs here (they would grow the team before the clock runs; the
    // fixed teams warmed the code up): only the floor's worker is let start.
    yield* Effect.sleep(Duration.millis(5)).pipe(
      Effect.repeat({ schedule: Schedule.spaced(Duration.millis(5)), until: () => Pool.statsUnsafe(pool).workers.spawning === 0 })
    )
    // The team's size from the supervisor's decisions: +1 per worker spawned, −1 per worker retired.
    let team = liveWorkers(pool)
    let start = 0
    const changes: Array<{ at: number; workers: number }> = []
    const sizes = yield* Pool.events(pool).pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          if (event.type === "@troupe.worker.spawned") team++
          else if (event.type === "@troupe.worker.retired") team--
          else return
          changes.push({ at: event.at, workers: team })
        })
      ),
      Effect.forkChild({ startImmediately: true })
    )
    const watcher = verbose ? yield* watchJobs(pool, `${label(plan)}, autoscaled`, () => start) : undefined
    const initial = team
    const step = progress.step(`${label(plan)} · autoscaled 1..${max}`, plan.jobs)
    const run = yield* batch(plan, pool, step.tick)
    start = run.start
    // With idle retirement, wait for the team to shrink back to its floor (or give up after a while).
    if (study.scaling === "auto") {
      yield* Effect.sleep(Duration.millis(10)).pipe(
        Effect.repeat({ schedule: Schedule.spaced(Duration.millis(10)), until: () => team <= 1 }),
        Effect.timeout(Duration.millis(study.idleAfterMs * 4 + 5_000)),
        Effect.ignore
      )
    }
    const end = yield* Clock.currentTimeMillis
    step.done(`${Math.round(run.wallMs)} ms, peak ${Math.max(initial, ...changes.map((c) => c.workers))} workers, ${team} at the end`)
    yield* Pool.shutdown(pool)
    yield* Fiber.join(sizes)
    if (watcher !== undefined) yield* Fiber.join(watcher)
    const timeline: Array<TimelinePoint> = [{ atMs: 0, workers: initial }]
    for (const change of changes) {
      if (change.at > end) break
      timeline.push({ atMs: Math.max(0, change.at - run.start), workers: change.workers })
    }
    timeline.push({ atMs: end - run.start, workers: timeline.at(-1)!.workers })
    const result: Autoscaled = {
      policy: policy.name,
      minWorkers: 1,
      maxWorkers: max,
      wallMs: run.wallMs,
      peakWorkers: Math.max(...timeline.map((p) => p.workers)),
      finalWorkers: timeline.at(-1)!.workers,
      timeline
    }
    return result
  }).pipe(Effect.scoped)

const liveWorkers = (pool: AnyPool): number => {
  const w = Pool.statsUnsafe(pool).workers
  return w.spawning + w.idle + w.busy
}

/** The rows of one job kind, from the fixed teams' batches (each row: the median of its batches). */
export const rows = (plan: KindPlan, samples: ReadonlyArray<ReadonlyArray<number>>): { readonly jobMs: number; readonly rows: Array<Row> } => {
  const walls = samples.map(median)
  const base = plan.teams[0]!
  const baseWall = walls[0]!
  // A sleep job's time is known; a CPU job's is what the smallest team measured, per job and worker.
  const jobMs = plan.kind === "sleep" ? plan.size : (baseWall * base) / plan.jobs
  const ideal = (w: number) => Math.ceil(plan.jobs / w) * jobMs
  return {
    jobMs,
    rows: plan.teams.map((workers, i) => ({
      workers,
      wallMs: walls[i]!,
      samplesMs: samples[i]!,
      idealMs: ideal(workers),
      speedup: (baseWall * base) / walls[i]!,
      idealSpeedup: (ideal(base) * base) / ideal(workers),
      utilization: (plan.jobs * jobMs) / (workers * walls[i]!)
    }))
  }
}

export const runKind = (plan: KindPlan, study: StudyPlan, verbose: boolean) =>
  Effect.gen(function*() {
    const walls: Array<ReadonlyArray<number>> = []
    for (const team of plan.teams) walls.push(yield* fixedTeam(plan, study, team, verbose))
    const auto = yield* autoscaled(plan, study, verbose)
    const { jobMs, rows: table } = rows(plan, walls)
    const report: KindReport = {
      kind: plan.kind,
      workerType: plan.kind === "sleep" ? "fiber" : "thread",
      jobs: plan.jobs,
      jobSize: plan.size,
      jobUnit: plan.kind === "sleep" ? "ms" : "digits",
      jobMs,
      rows: table as unknown as KindReport["rows"],
      autoscaled: auto
    }
    return report
  })
