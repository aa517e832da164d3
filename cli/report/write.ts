// Writes the report folder: study.json (checked against its Schema on the
// way out), the two SVG charts, and report.html showing them together.
import { Effect, FileSystem, Path, Schema } from "effect"
import { StudyReport } from "../../lib/report/Report.ts"
import { speedupChart, timelineChart } from "../../lib/report/studyCharts.ts"
import { html } from "./html.ts"

export interface Written {
  readonly json: string
  readonly speedup: string
  readonly timeline: string
  readonly html: string
}

export const writeReport = (dir: string, report: StudyReport) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const encoded = yield* Schema.encodeUnknownEffect(StudyReport)(report)
    const charts = { speedup: speedupChart(report), timeline: timelineChart(report) }
    const files: Written = {
      json: path.join(dir, "study.json"),
      speedup: path.join(dir, "speedup.svg"),
      timeline: path.join(dir, "timeline.svg"),
      html: path.join(dir, "report.html")
    }
    yield* fs.makeDirectory(dir, { recursive: true })
    yield* fs.writeFileString(files.json, `${JSON.stringify(encoded, null, 2)}\n`)
    yield* fs.writeFileString(files.speedup, charts.speedup)
    yield* fs.writeFileString(files.timeline, charts.timeline)
    yield* fs.writeFileString(files.html, html(report, charts))
    return files
  })
