// `troupe study` (also what a bare `troupe` runs): runs the study
// (lib/study/) with live progress, then prints the tables (or the JSON) and
// writes the report folder.
import { Console, Effect, Option, Path } from "effect"
import * as Dashboard from "troupe/Dashboard"
import * as Progress from "../lib/progress.ts"
import type { StudyReport } from "../lib/report/Report.ts"
import { autoscaledHeader, autoscaledRows, kindHeader, kindRows, kindTitle, provenance, timelineLine } from "../lib/report/summary.ts"
import { resolve } from "../lib/study/plan.ts"
import { study } from "../lib/study/study.ts"
import type { StudyInput } from "./commands.ts"
import * as Distributed from "./distributed.ts"
import { profiled } from "./profile.ts"
import { textTable } from "./report/table.ts"
import { writeReport } from "./report/write.ts"

export const printTables = (report: StudyReport) =>
  Console.log(
    [
      `troupe scaling study: ${provenance(report)}`,
      ...report.kinds.flatMap((k) => ["", kindTitle(k), textTable(kindHeader, kindRows(k))]),
      "",
      "Autoscaled runs (the supervisor sizes the team)",
      textTable(autoscaledHeader, autoscaledRows(report)),
      "",
      "Team size over time (ms since the first submit: workers)",
      ...report.kinds.map((k) => timelineLine(k))
    ].join("\n")
  )

/** With --dashboard, `effect` runs with the dashboard up (its address on stderr), and the study's pools on it. */
const withDashboard = <A, E, R>(options: StudyInput, effect: Effect.Effect<A, E, R>) =>
  !options.dashboard ? effect : Effect.gen(function*() {
    yield* Console.error(`troupe: the study's dashboard: ${(yield* Dashboard.Dashboard).url}`)
    return yield* effect
  }).pipe(Effect.provide(Dashboard.layer({ port: Option.getOrUndefined(options.dashboardPort) })))

export const run = (options: StudyInput) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const plan = resolve(options)
    if (plan.distributed !== undefined) return yield* Distributed.run({ ...plan, distributed: plan.distributed }, options)
    const profile = options.profile ? path.join(options.out, "study.cpuprofile") : undefined
    const report = yield* withDashboard(options, study(plan, options)).pipe(
      Effect.provide(Progress.layer(Progress.modeFor(options))),
      profiled(profile)
    )
    const files = yield* writeReport(options.out, report)
    if (options.json) return yield* Console.log(JSON.stringify(report, null, 2))
    yield* printTables(report)
    yield* Console.log(
      `\nReport: ${files.html} (charts ${files.speedup}, ${files.timeline}; data ${files.json})` +
        (profile === undefined ? "" : `; CPU profile ${profile}`)
    )
  })
