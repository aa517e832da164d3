// The dashboard's one page: plain HTML and a script that reads the worker
// statechart (/graph), listens to /events (server-sent events: a snapshot of
// every watched pool four times a second, and each team decision), and draws
// with echarts, served from this process (/echarts.js): no external host.
// Elements carry data attributes (data-key, data-worker-id, data-state) so
// a test, or a curious reader, can read the page as the server meant it.
export const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>troupe dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; padding: 16px 24px; color: #1d2433; background: #f6f7fb; }
  header { display: flex; align-items: baseline; gap: 12px; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  h2 { font-size: 16px; margin: 16px 0 8px; }
  #conn { color: #6b7385; }
  .pool { background: #fff; border-radius: 8px; padding: 12px 16px; margin: 12px 0; box-shadow: 0 1px 3px #0001; }
  .totals { display: flex; flex-wrap: wrap; gap: 8px 20px; }
  .totals div { min-width: 92px; }
  .totals dt { color: #6b7385; font-size: 12px; }
  .totals dd { margin: 0; font-size: 18px; font-variant-numeric: tabular-nums; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; margin-top: 8px; }
  .chart { height: 200px; }
  .workers { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; margin-top: 8px; }
  .worker { border: 1px solid #e3e6ee; border-radius: 6px; padding: 4px 6px; }
  .worker .machine { height: 120px; }
  .worker .label { font-size: 12px; color: #3b4356; }
  #timeline { height: 220px; }
  #decisions { font-size: 12px; color: #3b4356; max-height: 180px; overflow: auto; }
</style>
</head>
<body>
<header><h1>troupe dashboard</h1><span id="conn">connecting…</span></header>
<main id="pools"></main>
<section class="pool" id="runners-section" hidden><h2>Runners of the distributed troupe</h2><ul id="runners"></ul></section>
<section class="pool"><h2>Decisions of the supervisors</h2><div id="timeline"></div><ol id="decisions" reversed></ol></section>
<script src="/echarts.js"></script>
<script>
const blue = "#2f6fde", grey = "#c9cfdb", red = "#e4572e"
const short = (id) => id.split(".").pop()
const layout = { spawning: [0, 0], idle: [1, 0], busy: [2, 0], draining: [1, 1], stopped: [2, 1], crashed: [0, 1] }
let graph = { states: [], edges: [] }
const pools = new Map()
const decisions = []
const t0 = Date.now()
const fmt = (n) => n === undefined || n === null ? "–" : Math.round(n * 10) / 10
const totalsOf = (v, rate) => [
  ["state", v.state], ["submitted", v.counts.submitted], ["completed", v.counts.completed], ["failed", v.counts.failed],
  ["queued", v.queued], ["running", v.running], ["jobs/s", fmt(rate)], ["utilization", Math.round(v.timings.utilization * 100) + "%"],
  ["wait p50/p90/p99 ms", [v.timings.wait.p50Ms, v.timings.wait.p90Ms, v.timings.wait.p99Ms].map(fmt).join(" / ")],
  ["run p50/p90/p99 ms", [v.timings.run.p50Ms, v.timings.run.p90Ms, v.timings.run.p99Ms].map(fmt).join(" / ")]
]
const machineOption = (state) => ({
  animation: false,
  series: [{
    type: "graph", layout: "none", symbolSize: 26, roam: false, left: 28, right: 28, top: 12, bottom: 24, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 5,
    label: { show: true, position: "bottom", fontSize: 9, distance: 1 },
    data: graph.states.map((s) => ({ name: s, x: layout[s][0], y: layout[s][1], itemStyle: { color: s === state ? (s === "crashed" ? red : blue) : grey } })),
    links: graph.edges.filter((e) => e.from !== e.to).map((e) => ({ source: e.from, target: e.to })),
    lineStyle: { color: "#aab2c3", curveness: 0.15 }
  }]
})
function poolSection(name) {
  const el = document.createElement("section")
  el.className = "pool"
  el.dataset.pool = name
  el.innerHTML = '<h2></h2><dl class="totals"></dl><div class="charts"><div class="chart queue"></div><div class="chart rate"></div></div><div class="workers"></div>'
  el.querySelector("h2").textContent = "pool " + name
  document.getElementById("pools").appendChild(el)
  const queue = echarts.init(el.querySelector(".queue")), rate = echarts.init(el.querySelector(".rate"))
  return { el, queue, rate, workers: new Map(), history: [], last: undefined }
}
function render(view) {
  let p = pools.get(view.name)
  if (!p) pools.set(view.name, p = poolSection(view.name))
  const now = Date.now()
  const done = view.counts.completed + view.counts.failed + view.counts.defects
  const rate = p.last ? (done - p.last.done) / ((now - p.last.at) / 1000) : 0
  p.last = { done, at: now }
  p.history.push([(now - t0) / 1000, rate])
  if (p.history.length > 240) p.history.shift()
  p.el.querySelector(".totals").innerHTML = totalsOf(view, rate).map(([k, v]) => '<div><dt>' + k + '</dt><dd data-key="' + k + '">' + v + '</dd></div>').join("")
  p.queue.setOption({ animation: false, title: { text: "queued per worker", textStyle: { fontSize: 12 } }, grid: { top: 30, bottom: 24, left: 36, right: 8 },
    xAxis: { type: "category", data: view.workers.map((w) => "w" + w.id) }, yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: view.workers.map((w) => w.queued), itemStyle: { color: blue } }] })
  p.rate.setOption({ animation: false, title: { text: "jobs/s", textStyle: { fontSize: 12 } }, grid: { top: 30, bottom: 24, left: 44, right: 8 },
    xAxis: { type: "value", name: "s", min: "dataMin" }, yAxis: { type: "value" }, series: [{ type: "line", showSymbol: false, data: p.history, itemStyle: { color: blue } }] })
  const box = p.el.querySelector(".workers")
  const live = new Set(view.workers.map((w) => w.id))
  for (const [id, w] of p.workers) if (!live.has(id)) { w.chart.dispose(); w.el.remove(); p.workers.delete(id) }
  for (const w of view.workers) {
    let card = p.workers.get(w.id)
    if (!card) {
      const el = document.createElement("div")
      el.className = "worker"
      el.dataset.workerId = w.id
      el.innerHTML = '<div class="machine"></div><div class="label"></div>'
      box.appendChild(el)
      card = { el, chart: echarts.init(el.querySelector(".machine")), state: undefined }
      p.workers.set(w.id, card)
    }
    card.el.dataset.state = w.state
    card.el.querySelector(".label").textContent = "worker " + w.id + " · " + w.state + " · " + w.queued + " queued"
    if (card.state !== w.state) card.chart.setOption(machineOption(w.state), true)
    card.state = w.state
  }
}
function decided(event) {
  decisions.push(event)
  const li = document.createElement("li")
  li.dataset.type = event.type
  li.textContent = new Date(event.at).toISOString().slice(11, 23) + "  " + event.pool + ": " + event.type.replace("@troupe.", "") +
    (event.workerId !== undefined ? " worker " + event.workerId : "") + (event.reason ? " (" + (event.reason.reason ?? event.reason) + ")" : "") +
    (event.detail ? " (" + event.detail + ")" : "")
  document.getElementById("decisions").prepend(li)
  const kinds = ["worker.spawned", "worker.retired", "worker.crashed", "pool.escalated"]
  timeline.setOption({ animation: false, grid: { left: 110, right: 16, top: 8, bottom: 24 }, xAxis: { type: "value", name: "s" },
    yAxis: { type: "category", data: kinds }, series: [{ type: "scatter", symbolSize: 8, itemStyle: { color: blue },
      data: decisions.map((d) => [(d.at - t0) / 1000, d.type.replace("@troupe.", "")]) }] })
}
const timeline = echarts.init(document.getElementById("timeline"))
fetch("/graph").then((r) => r.json()).then((g) => {
  graph = g
  const source = new EventSource("/events")
  source.addEventListener("open", () => document.getElementById("conn").textContent = "live")
  source.addEventListener("error", () => document.getElementById("conn").textContent = "reconnecting…")
  source.addEventListener("snapshot", (e) => JSON.parse(e.data).forEach(render))
  source.addEventListener("decision", (e) => decided(JSON.parse(e.data)))
  source.addEventListener("runners", (e) => {
    document.getElementById("runners-section").hidden = false
    document.getElementById("runners").innerHTML = JSON.parse(e.data).map((r) =>
      '<li data-runner="' + r.address + '" data-healthy="' + r.healthy + '">' + r.address + (r.healthy ? " · healthy" : " · unhealthy") + "</li>").join("")
  })
})
</script>
</body>
</html>
`
