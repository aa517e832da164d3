// Section F: the scaling study (`troupe study` with its defaults), run in this
// process, its tables and charts in the document. It comes last, as F, so the
// keys A–E that --only, the docs and the strategies page use keep their
// meaning, and because it measures troupe alone where A–E compare it with peers.
import { Effect, Option } from "effect"
import { fmt } from "../../lib/format.ts"
import { Progress, type ProgressService } from "../../lib/progress.ts"
import type { StudyReport } from "../../lib/report/Report.ts"
import { speedupChart, timelineChart } from "../../lib/report/studyCharts.ts"
import { autoscaledHeader, autoscaledRows, bestFixed, kindHeader, kindRows, kindTitle } from "../../lib/report/summary.ts"
import { resolve, type StudyFlags } from "../../lib/study/plan.ts"
import { study } from "../../lib/study/study.ts"
import { table } from "../lib/harness.ts"
import { type Chart, image, type Section, type SectionContext, SectionFailed } from "../lib/section.ts"

/** `troupe study`'s defaults (cli/flags.ts). */
export const defaultFlags: StudyFlags = {
  kind: "both",
  jobs: Option.none(),
  sleepMs: 100,
  repeat: 3,
  digits: 9000,
  workers: Option.none(),
  threads: Option.none(),
  mailbox: "fifo",
  dispatch: "leastLoaded",
  scaling: "auto",
  jobsPerWorker: 1,
  idleAfterMs: 300,
  runners: Option.none(),
  postgres: Option.none(),
  dashboard: false,
  dashboardPort: Option.none()
}

const plan = resolve(defaultFlags)

/** The study's own progress steps (one per batch) become ticks of the section's bar, and --verbose lines. */
const asTicks = (context: SectionContext): ProgressService => ({
  step: (label) => ({
    tick: () => {},
    done: (summary) => {
      context.log(`  ${label}: ${summary}`)
      context.tick()
    }
  }),
  log: context.log
})

const worker = (k: StudyReport["kinds"][number]) => (k.kind === "sleep" ? "fiber worker" : "thread worker")

/** What the study shows, in a sentence per kind: the speed-up at the largest team, and where the autoscaled team landed. */
const findings = (report: StudyReport): string =>
  report.kinds.map((k) => {
    const top = k.rows.at(-1)!
    const best = bestFixed(k)
    const a = k.autoscaled
    return `${k.kind === "sleep" ? "Sleep" : "CPU"} jobs on ${top.workers} ${worker(k)}s run **${top.speedup.toFixed(2)}×** as fast as on one ` +
      `(ideal ${top.idealSpeedup.toFixed(2)}×, ${Math.round(top.utilization * 100)}% utilization); autoscaled (${a.policy}, ${a.minWorkers}..${a.maxWorkers}), ` +
      `the batch took ${fmt(a.wallMs)} ms, **${(a.wallMs / best.wallMs).toFixed(2)}×** the best fixed team (${best.workers}), ` +
      `the team peaking at ${a.peakWorkers} and back to ${a.finalWorkers} at the end.`
  }).join(" ")

export const scalingStudy: Section = {
  key: "F",
  label: `F. scaling study: ${plan.kinds.map((k) => `${k.jobs} ${k.kind} jobs on 1..${Math.max(...k.teams)}`).join(", ")}`,
  runs: () => plan.kinds.reduce((n, k) => n + k.teams.length + 1, 0),
  run: (context) =>
    study(plan, { verbose: false }).pipe(
      Effect.provideService(Progress, asTicks(context)),
      Effect.mapError((cause) => new SectionFailed({ message: `bench section F: ${cause.message}`, cause })),
      Effect.map((report) => {
        const speedup: Chart = { file: "study-speedup.svg", svg: speedupChart(report) }
        const timeline: Chart = { file: "study-timeline.svg", svg: timelineChart(report) }
        const markdown = [
          "### F. The scaling study (troupe alone: 1..N workers, then autoscaled)",
          "",
          "`troupe study` with its defaults, run once in the bench's own process (not per round): one batch of equal jobs, " +
          "submitted at once, on fixed teams of 1, 2, … N workers (sleep jobs on fiber workers; CPU jobs, digits of pi, on thread " +
          `workers, N the machine's cores), ${report.settings.repeat} batches per team (a row shows their median), then the same batch with \`Scaling.auto\` sizing the team from 1 (mailbox ${report.settings.mailbox}, ` +
          `dispatch ${report.settings.dispatch}, grow at ${report.settings.jobsPerWorker} waiting job per worker, retire after ${fmt(report.settings.idleAfterMs)} ms idle). ` +
          "Speed-up: the one-worker wall time over this team's; ideal: what ceil(jobs ÷ workers) job durations allow.",
          "",
          ...report.kinds.flatMap((k) => [`${kindTitle(k)}:`, "", table(kindHeader, kindRows(k)), ""]),
          "Autoscaled runs (the supervisor sizes the team):",
          "",
          table(autoscaledHeader, autoscaledRows(report)),
          "",
          image("Speed-up against workers for each job kind, with the ideal dashed", speedup),
          "",
          image("The autoscaled team's size over time for each job kind", timeline),
          "",
          findings(report)
        ].join("\n")
        return { markdown, charts: [speedup, timeline], samples: report }
      })
    )
}
