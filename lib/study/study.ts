// The scaling study: runs the plan, a job kind at a time, with progress on
// the Progress service, and returns its report. `troupe study` (cli/study.ts)
// prints and writes it; the bench's section F puts it in docs/benchmarks.md.
import { cpus, totalmem } from "node:os"
import { Clock, Console, Effect } from "effect"
import type { KindReport, StudyReport } from "../report/Report.ts"
import { version } from "../version.ts"
import type { StudyPlan } from "./plan.ts"
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
