// The scaling study of one job kind: the batch on fixed teams of 1, 2, … N
// workers, then on a team the supervisor sizes.
import { Effect } from "effect"
import type { KindReport } from "../report/Report.ts"
import * as Autoscaled from "./autoscaled.ts"
import * as FixedTeams from "./fixedTeams.ts"
import type { Say } from "./batch.ts"
import type { KindPlan, StudyPlan } from "./plan.ts"

export const runKind = (plan: KindPlan, study: StudyPlan, say: Say) =>
  Effect.gen(function*() {
    const samples: Array<ReadonlyArray<number>> = []
    for (const size of plan.teams) samples.push(yield* FixedTeams.samples(plan, study, size, say))
    const autoscaled = yield* Autoscaled.run(plan, study, say)
    const { jobMs, rows } = FixedTeams.rows(plan, samples)
    const report: KindReport = {
      kind: plan.kind,
      workerType: plan.kind === "sleep" ? "fiber" : "thread",
      jobs: plan.jobs,
      jobSize: plan.size,
      jobUnit: plan.kind === "sleep" ? "ms" : "digits",
      jobMs,
      rows,
      autoscaled
    }
    return report
  })
