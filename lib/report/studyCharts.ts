// The study's two charts: speed-up against workers (with the ideal), and the
// autoscaled team's size over time.
import { lineChart } from "./charts.ts"
import type { StudyReport } from "./Report.ts"

const name = (kind: "sleep" | "cpu") => (kind === "sleep" ? "sleep jobs, fiber workers" : "CPU jobs, thread workers")

export const speedupChart = (report: StudyReport): string =>
  lineChart({
    title: "Speed-up against workers (dashed: ideal)",
    xName: "workers",
    yName: "speed-up vs 1 worker",
    series: report.kinds.flatMap((k) => [
      { name: name(k.kind), points: k.rows.map((r) => [r.workers, Number(r.speedup.toFixed(3))] as const) },
      { name: `ideal, ${k.kind}`, points: k.rows.map((r) => [r.workers, Number(r.idealSpeedup.toFixed(3))] as const), reference: true }
    ])
  })

export const timelineChart = (report: StudyReport): string =>
  lineChart({
    title: "Autoscaled team: workers over time",
    xName: "ms since the first submit",
    yName: "workers",
    series: report.kinds.map((k) => ({
      name: `${name(k.kind)} (${k.autoscaled.policy})`,
      points: k.autoscaled.timeline.map((p) => [Math.round(p.atMs), p.workers] as const),
      step: true
    }))
  })
