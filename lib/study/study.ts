// `troupe study`: runs the plan with live progress, then prints the tables
// (or the JSON) and writes the report folder.
import { cpus, totalmem } from "node:os"
import { Clock, Console, Effect, Path } from "effect"
import { profiled } from "../../cli/profile.ts"
import * as Progress from "../progress.ts"
import type { KindReport, StudyReport } from "../report/Report.ts"
import { autoscaledHeader, autoscaledRows, kindHeader, kindRows, kindTitle, provenance, timelineLine } from "../report/summary.ts"
import { textTable } from "../../cli/report/table.ts"
import { writeReport } from "../../cli/report/write.ts"
import { version } from "../version.ts"
import type { StudyInput } from "../../cli/commands.ts"
import { resolve, type StudyPlan } from "./plan.ts"
import { runKind } from "./run.ts"

/** Runs the study and returns its report; progress and --verbose lines as it goes. */
export const study = (plan: StudyPlan, options: { readonly verbose: boolean; readonly json?: boolean }) =>
  Effect.gen(function*() {
    const kinds: Array<KindReport> = []
    // --verbose lines go to stdout, or to stderr when stdout carries the JSON.
    const say = options.verbose ? (options.json === true ? Console.error : Console.log) : undefined
    for (const kind of plan.kinds) kinds.push(yield* runKind(kind, plan, say))
    const report: StudyReport = {
      tool: "troupe study",
      version,
      date: new Date(yield* Clock.currentTimeMillis).toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model.trim() ?? "unknown",
        memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        node: process.version,
        platform: `${process.platform}-${process.arch}`
      },
      settings: {
        repeat: plan.repeat,
        mailbox: plan.mailbox,
        dispatch: plan.dispatch,
        scaling: plan.scaling,
        jobsPerWorker: plan.jobsPerWorker,
        idleAfterMs: plan.idleAfterMs
      },
      kinds
    }
    return report
  })

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

export const run = (options: StudyInput) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const plan = resolve(options)
    const profile = options.profile ? path.join(options.out, "study.cpuprofile") : undefined
    const report = yield* study(plan, options).pipe(
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
