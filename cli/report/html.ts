// One self-contained HTML page: the charts inline, the tables, and what the
// numbers mean. No scripts: it opens the same from disk, a server or a CI artifact.
import type { StudyReport } from "./Report.ts"
import { autoscaledHeader, autoscaledRows, kindHeader, kindRows, kindTitle, provenance } from "./summary.ts"

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join("")}</tr></thead><tbody>` +
  rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`).join("") +
  `</tbody></table>`

const figure = (id: string, svg: string, caption: string): string =>
  `<figure id="${id}" class="chart">${svg}<figcaption>${escape(caption)}</figcaption></figure>`

export const html = (report: StudyReport, charts: { readonly speedup: string; readonly timeline: string }): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>troupe scaling study</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1480px; padding: 0 1rem; color: #222; }
  .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
  figure { margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: .5rem; background: #fff; }
  figcaption { font-size: .85rem; color: #555; max-width: 680px; }
  table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
  th, td { padding: .25rem .75rem; border-bottom: 1px solid #eee; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .meta { color: #555; }
</style>
</head>
<body>
<h1>troupe scaling study</h1>
<p class="meta">${escape(provenance(report))}</p>
<div class="charts">
${figure("speedup", charts.speedup, "Each point: the batch's wall time on one worker over its time on this team. The dashed line is the best any pool could do with this many equal jobs.")}
${figure("timeline", charts.timeline, report.settings.scaling === "auto"
  ? "The autoscaled run: the supervisor grows the team while jobs wait, then retires workers idle past the timeout."
  : "The autoscaled run: the supervisor grows the team while jobs wait (threshold only: it never retires them).")}
</div>
${report.kinds.map((k) => `<h2>${escape(kindTitle(k))}</h2>\n${table(kindHeader, kindRows(k))}`).join("\n")}
<h2>Autoscaled runs</h2>
${table(autoscaledHeader, autoscaledRows(report))}
<h2>What the numbers mean</h2>
<ul>
  <li><b>wall ms</b>: from submitting the whole batch at once to its last result.</li>
  <li><b>ideal ms</b>: ceil(jobs ÷ workers) job durations, what a pool with no overhead takes.</li>
  <li><b>speed-up</b>: the one-worker time over this team's time; <b>ideal speed-up</b> is the same for the ideal times.</li>
  <li><b>utilization</b>: the share of the team's time spent running jobs. Sleep jobs stay near 100% at any size; CPU jobs fall once there are more threads than cores.</li>
  <li><b>autoscaled</b>: the same batch with the team starting at one worker; <b>peak</b> is the largest team the supervisor chose, <b>× best fixed team</b> its wall time against the fastest fixed team.</li>
</ul>
</body>
</html>
`
