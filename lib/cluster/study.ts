// The scaling study, distributed: the same batches of jobs, on 1, 2, … N
// runner processes (each a troupe pool of one worker, `troupe runner`)
// sharing PostgreSQL, with this process as a client only. A runner is
// added per team size, and the batch starts once every runner serves.
import { Clock, Effect, Schema } from "effect"
import * as Cluster from "troupe/Cluster"
import { Progress } from "../progress.ts"
import type { Row } from "../report/Report.ts"
import { label } from "../study/batch.ts"
import { median } from "../stats.ts"
import { rows } from "../study/fixedTeams.ts"
import type { KindPlan, StudyPlan } from "../study/plan.ts"
import * as Processes from "./processes.ts"
import { StudyJob } from "./studyJob.ts"

/** Starts the runner process `name`. */
export type Start = (name: string) => Promise<Processes.Runner>

/** A runner process would not start. */
export class RunnerFailed extends Schema.TaggedError<RunnerFailed>()("RunnerFailed", { message: Schema.String }) {}

export interface KindResult {
  readonly plan: KindPlan
  readonly jobMs: number
  readonly rows: ReadonlyArray<Row>
  /** Per team: the runners whose results came back in its measured batches. */
  readonly servedBy: ReadonlyArray<ReadonlyArray<string>>
}

const team = (n: number) => `${n} runner${n === 1 ? "" : "s"}`

/** One job kind on each team of runners in `plan.teams`, `study.repeat` batches each. */
export const runKind = (plan: KindPlan, study: StudyPlan, start: Start) =>
  Effect.gen(function*() {
    const progress = yield* Progress
    // A message per job: a batch would go to one runner.
    const jobs = yield* Cluster.client(StudyJob, { batch: false })
    const runners: Array<Processes.Runner> = []
    yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all(runners.map((r) => Processes.stopRunner(r)))))
    const batch = (size: number) =>
      Effect.forEach(Array.from({ length: plan.jobs }), () => jobs.submit({ kind: plan.kind, size }), { concurrency: "unbounded" })
    const samples: Array<Array<number>> = []
    const servedBy: Array<Array<string>> = []
    for (const size of plan.teams) {
      while (runners.length < size) {
        const name = `runner-${runners.length + 1}`
        runners.push(yield* Effect.tryPromise({ try: () => start(name), catch: (e) => new RunnerFailed({ message: String(e) }) }))
      }
      yield* Processes.untilAnswered(() => jobs.submit({ kind: "sleep", size: 0 }), runners.map((r) => r.name))
      yield* batch(0) // warm-up
      const step = progress.step(`${label(plan)} · ${team(size)}`, study.repeat, "batches")
      const walls: Array<number> = []
      const served = new Set<string>()
      for (let i = 0; i < study.repeat; i++) {
        const since = yield* Clock.currentTimeMillis
        for (const name of yield* batch(plan.size)) served.add(name)
        walls.push((yield* Clock.currentTimeMillis) - since)
        step.tick()
      }
      servedBy.push([...served].sort())
      step.done(`${Math.round(median(walls))} ms`)
      samples.push(walls)
    }
    return { plan, ...rows(plan, samples), servedBy } satisfies KindResult
  }).pipe(Effect.scoped)
