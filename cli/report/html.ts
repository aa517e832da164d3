// One self-contained HTML page: the charts inline, the tables, and what the
// numbers mean. No scripts: it opens the same from disk, a server or a CI artifact.
import type { StudyReport } from "../../lib/report/Report.ts"
import { autoscaledHeader, autoscaledRows, kindHeader, kindRows, kindTitle, provenance } from "../../lib/report/summary.ts"

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join("")}</tr></thead><tbody>` +
  rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`).join("") +
  `</tbody></table>`

// A heading and its table; on a narrow screen the table scrolls in its own box, not the page.
const section = (title: string, header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  `<section><h2>${escape(title)}</h2>\n<div class="scroll" tabindex="0" role="region" aria-label="${escape(title)}">${table(header, rows)}</div></section>`

const figure = (id: string, svg: string, caption: string): string =>
  `<figure id="${id}" class="chart">${svg}<figcaption>${escape(caption)}</figcaption></figure>`

export const html = (report: StudyReport, charts: { readonly speedup: string; readonly timeline: string }): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>troupe scaling study</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1480px; padding: 0 1rem; color: #222; overflow-wrap: break-word; }
  /* As many columns as fit at 26rem or more each: two charts side by side from ~880 px, one below. */
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 1rem; }
  figure { margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: .5rem; background: #fff; min-width: 0; }
  /* The SVGs carry a viewBox: they shrink with their column, and grow no larger than drawn. */
  figure > svg { display: block; width: 100%; max-width: 680px; height: auto; margin: 0 auto; }
  /* Lines keep their width when the chart shrinks: a phone still shows them solid. */
  figure > svg path { vector-effect: non-scaling-stroke; }
  figcaption { font-size: .85rem; color: #555; max-width: 680px; margin: 0 auto; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-variant-numeric: tabular-nums; }
  th, td { padding: .25rem .75rem; border-bottom: 1px solid #eee; text-align: right; }
  td { white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; }
  .meta { color: #555; }
  @media (max-width: 40rem) {
    body { margin: 1rem auto; padding: 0 .5rem; }
    h1 { font-size: 1.5rem; }
    h2 { font-size: 1.2rem; }
    figure { padding: .25rem; }
    th, td { padding: .25rem .4rem; }
  }
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
${report.kinds.map((k) => section(kindTitle(k), kindHeader, kindRows(k))).join("\n")}
${section("Autoscaled runs", autoscaledHeader, autoscaledRows(report))}
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
