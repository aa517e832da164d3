// What the study's numbers say, as tables: one per job kind, then the
// autoscaled runs. Shared by the terminal, the HTML report and the docs.
import type { KindReport, StudyReport } from "./Report.ts"
import { fmt } from "../format.ts"

export const kindTitle = (k: KindReport): string =>
  k.kind === "sleep"
    ? `Sleep jobs (I/O-bound) on fiber workers: ${k.jobs} jobs of ${fmt(k.jobSize)} ms`
    : `CPU jobs (digits of pi) on thread workers: ${k.jobs} jobs of ${fmt(k.jobSize)} digits (~${fmt(k.jobMs)} ms each)`

export const kindHeader = ["workers", "jobs", "wall ms", "ideal ms", "speed-up", "ideal speed-up", "utilization"] as const

export const kindRows = (k: Pick<KindReport, "jobs" | "rows">): Array<Array<string>> =>
  k.rows.map((r) => [
    String(r.workers),
    String(k.jobs),
    fmt(r.wallMs),
    fmt(r.idealMs),
    `${r.speedup.toFixed(2)}×`,
    `${r.idealSpeedup.toFixed(2)}×`,
    `${Math.round(r.utilization * 100)}%`
  ])

/** The fixed team that ran the batch fastest. */
export const bestFixed = (k: KindReport): KindReport["rows"][number] => k.rows.reduce((b, r) => (r.wallMs < b.wallMs ? r : b))

export const autoscaledHeader = ["jobs", "policy", "workers", "wall ms", "peak", "at the end", "× best fixed team"] as const

export const autoscaledRows = (report: StudyReport): Array<Array<string>> =>
  report.kinds.map((k) => {
    const a = k.autoscaled
    const best = bestFixed(k)
    return [
      k.kind,
      a.policy,
      `${a.minWorkers}..${a.maxWorkers}`,
      fmt(a.wallMs),
      String(a.peakWorkers),
      String(a.finalWorkers),
      `${(a.wallMs / best.wallMs).toFixed(2)}× (${best.workers})`
    ]
  })

/**
 * The autoscaled team's size over time in one line, "0 ms: 1 → 2 ms: 4 → …":
 * changes in the same millisecond collapse into their last (the starting size stays), long runs are cut in the middle.
 */
export const timelineLine = (k: KindReport, most = 12): string => {
  const points: Array<{ atMs: number; workers: number }> = []
  for (const p of k.autoscaled.timeline) {
    const at = Math.round(p.atMs)
    if (points.length > 1 && points.at(-1)!.atMs === at) points[points.length - 1] = { atMs: at, workers: p.workers }
    else if (points.at(-1)?.workers !== p.workers || p === k.autoscaled.timeline.at(-1)) points.push({ atMs: at, workers: p.workers })
  }
  const shown = points.length <= most ? points : [...points.slice(0, most / 2), undefined, ...points.slice(-most / 2)]
  return `${k.kind}: ` + shown.map((p) => (p === undefined ? "…" : `${fmt(p.atMs)} ms: ${p.workers}`)).join(" → ")
}

/** The machine and settings a run came from, in one line. */
export const provenance = (report: StudyReport): string =>
  `${report.date.slice(0, 10)}, ${report.machine.cpus} × ${report.machine.model}, ${fmt(report.machine.memoryGiB, 1)} GiB, ` +
  `Node ${report.machine.node}; mailbox ${report.settings.mailbox}, dispatch ${report.settings.dispatch}`
