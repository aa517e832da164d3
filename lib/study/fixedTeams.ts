// The fixed teams: each runs the batch `repeat` times; a row is the median,
// set against the ideal for that many workers.
import { Clock, Effect, Fiber } from "effect"
import { Pool } from "troupe"
import { Progress } from "../progress.ts"
import type { Row } from "../report/Report.ts"
import { median } from "../stats.ts"
import * as Batch from "./batch.ts"
import type { KindPlan, StudyPlan } from "./plan.ts"

/** The wall times of `repeat` batches on a fixed team of `size`. */
export const samples = (plan: KindPlan, study: StudyPlan, size: number, say: Batch.Say) =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const pool = yield* Batch.makePool(plan, study, { min: size, max: size, scaling: "fixed" })
    yield* Batch.warmUp(plan, pool, size)
    let since = 0
    const watcher = say ? yield* Batch.watchJobs(pool, say, `${Batch.label(plan)}, ${Batch.team(plan, size)}`, () => since) : undefined
    const step = progress.step(`${Batch.label(plan)} · ${Batch.team(plan, size)}`, plan.jobs * study.repeat)
    const walls: Array<number> = []
    for (let i = 0; i < study.repeat; i++) {
      since = yield* Clock.currentTimeMillis
      walls.push(yield* Batch.run(plan, pool, step.tick))
    }
    step.done(`${Math.round(median(walls))} ms${study.repeat > 1 ? ` (median of ${study.repeat})` : ""}`)
    yield* Pool.shutdown(pool)
    if (watcher !== undefined) yield* Fiber.join(watcher)
    return walls
  }).pipe(Effect.scoped)

/**
 * The rows of one job kind, from each team's batches. A team of w takes
 * ceil(jobs / w) rounds of jobs: the ideal wall time is that many job
 * durations, and the smallest team's measured time, divided by its rounds,
 * gives a CPU job's duration (a sleep job's is known).
 */
export const rows = (plan: KindPlan, samples: ReadonlyArray<ReadonlyArray<number>>): { readonly jobMs: number; readonly rows: Array<Row> } => {
  const walls = samples.map(median)
  const rounds = (workers: number) => Math.ceil(plan.jobs / workers)
  const base = plan.teams[0]!
  const jobMs = plan.kind === "sleep" ? plan.size : walls[0]! / rounds(base)
  // Speed-up against one worker: measured when the teams start at 1, else the smallest team's time times its ideal speed-up.
  const idealSpeedup = (workers: number) => plan.jobs / rounds(workers)
  const oneWorkerMs = walls[0]! * idealSpeedup(base)
  return {
    jobMs,
    rows: plan.teams.map((workers, i) => ({
      workers,
      wallMs: walls[i]!,
      samplesMs: samples[i]!,
      idealMs: rounds(workers) * jobMs,
      speedup: oneWorkerMs / walls[i]!,
      idealSpeedup: idealSpeedup(workers),
      utilization: (plan.jobs * jobMs) / (workers * walls[i]!)
    }))
  }
}
