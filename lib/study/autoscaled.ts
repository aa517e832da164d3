// The autoscaled run: the batch on a team that starts at one worker and that
// the supervisor sizes, with the team's size over time read off its decisions.
import { Clock, Duration, Effect, Fiber, Schedule, Stream } from "effect"
import { Pool, Scaling } from "troupe"
import { Progress } from "../progress.ts"
import type { Autoscaled, TimelinePoint } from "../report/Report.ts"
import * as Batch from "./batch.ts"
import type { KindPlan, StudyPlan } from "./plan.ts"

const policyOf = (study: StudyPlan): Scaling.Scaling =>
  study.scaling === "auto"
    ? Scaling.auto({ jobsPerWorker: study.jobsPerWorker, idleAfter: Duration.millis(study.idleAfterMs) })
    : Scaling.threshold({ jobsPerWorker: study.jobsPerWorker })

const poll = (until: () => boolean) =>
  Effect.sleep(Duration.millis(5)).pipe(Effect.repeat({ schedule: Schedule.spaced(Duration.millis(5)), until }))

/** The team's size as the supervisor changes it: +1 per worker spawned, −1 per worker retired or crashed. */
const trackTeam = (pool: Batch.StudyPool) =>
  Effect.gen(function*() {
    const w = Pool.statsUnsafe(pool).workers
    const team = { size: w.spawning + w.idle + w.busy, changes: [] as Array<{ at: number; workers: number }> }
    const fiber = yield* Pool.events(pool).pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          if (event.type === "@troupe.worker.spawned") team.size++
          else if (event.type === "@troupe.worker.retired" || event.type === "@troupe.worker.crashed") team.size--
          else return
          team.changes.push({ at: event.at, workers: team.size })
        })
      ),
      Effect.forkScoped({ startImmediately: true })
    )
    return { team, fiber }
  })

export const run = (plan: KindPlan, study: StudyPlan, say: Batch.Say) =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const max = Math.max(...plan.teams)
    const policy = policyOf(study)
    const pool = yield* Batch.makePool(plan, study, { min: 1, max, scaling: policy })
    // No warm-up jobs here (they would grow the team before the clock runs; the
    // fixed teams warmed the code up): only the floor's worker is let start.
    yield* poll(() => Pool.statsUnsafe(pool).workers.spawning === 0)
    const { team, fiber } = yield* trackTeam(pool)
    const initial = team.size
    const start = yield* Clock.currentTimeMillis
    const watcher = say ? yield* Batch.watchJobs(pool, say, `${Batch.label(plan)}, autoscaled`, () => start) : undefined
    const step = progress.step(`${Batch.label(plan)} · autoscaled 1..${max}`, plan.jobs)
    const wallMs = yield* Batch.run(plan, pool, step.tick)
    // With idle retirement, wait for the team to shrink back to its floor (or give up after a while).
    if (study.scaling === "auto") {
      yield* poll(() => team.size <= 1).pipe(Effect.timeout(Duration.millis(study.idleAfterMs * 4 + 5_000)), Effect.ignore)
    }
    const end = yield* Clock.currentTimeMillis
    yield* Pool.shutdown(pool)
    yield* Fiber.join(fiber)
    if (watcher !== undefined) yield* Fiber.join(watcher)
    const timeline: Array<TimelinePoint> = [{ atMs: 0, workers: initial }]
    for (const change of team.changes) {
      if (change.at > end) break // retirements after the wait for the floor gave up
      timeline.push({ atMs: Math.max(0, change.at - start), workers: change.workers })
    }
    timeline.push({ atMs: end - start, workers: timeline.at(-1)!.workers })
    const result: Autoscaled = {
      policy: policy.name,
      minWorkers: 1,
      maxWorkers: max,
      wallMs,
      peakWorkers: Math.max(...timeline.map((p) => p.workers)),
      finalWorkers: timeline.at(-1)!.workers,
      timeline
    }
    step.done(`${Math.round(wallMs)} ms, peak ${result.peakWorkers} workers, ${result.finalWorkers} at the end`)
    return result
  }).pipe(Effect.scoped)
