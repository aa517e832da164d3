// Section A: dispatch overhead, from the children of bench/dispatch.ts.
import * as Dispatch from "../dispatch.ts"
import { fileAt } from "../lib/baseline.ts"
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"

// The pool as it was before job policies, and before Promise handlers, run in the same rounds: what
// each cost a pool that does not use them. Looked up once (each may add a git worktree), when the
// section's size or run first needs it.
const earlier = {
  "troupe@before-policies": Dispatch.BEFORE_POLICIES,
  "troupe@before-async-handlers": Dispatch.BEFORE_ASYNC_HANDLERS,
  "troupe@before-engine-split": Dispatch.BEFORE_ENGINE_SPLIT,
  "troupe@before-timings": Dispatch.BEFORE_TIMINGS
}
let baselines: Record<string, readonly [string, string]> | undefined
const before = () =>
  (baselines ??= Object.fromEntries(
    Object.entries(earlier).flatMap(([name, commit]) => {
      const file = fileAt(commit, "bench/dispatch.ts")
      return file === undefined ? [] : [[name, [file, "troupe"] as const]]
    })
  ))
const contenders = (): ReadonlyArray<string> => [...Dispatch.contenders, ...Object.keys(before())]

export const dispatch: Section = {
  key: "A",
  label: `A. dispatch overhead: ${fmt(Dispatch.JOBS)} no-op jobs, ${Dispatch.WORKERS} workers`,
  runs: (rounds) => rounds * contenders().length,
  run: measured("A", async ({ rounds, log, tick, signal }) => {
    const elsewhere = before()
    const names = contenders()
    const results = await runRounds(new URL("../dispatch.ts", import.meta.url).href, names, rounds, { log, signal, onSample: tick, elsewhere })
    const ns = (name: string) => results.map((r) => Number(r[name]!.nsPerJob))
    const ratio = (name: string, base: string) => median(results.map((r) => Number(r[name]!.nsPerJob) / Number(r[base]!.nsPerJob)))
    const rows = names.map((name) => {
      const xs = ns(name)
      return [
        name,
        fmt(median(xs)),
        `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`,
        ratio(name, "effect-queue+8-fibers").toFixed(2),
        ratio(name, "p-queue").toFixed(2)
      ]
    })
    const vsBaseline = ratio("troupe", "effect-queue+8-fibers")
    const vsPQueue = ratio("p-queue", "troupe")
    const policies = ratio("troupe+idle-policies", "troupe")
    const unused = "troupe@before-policies" in elsewhere ? ratio("troupe", "troupe@before-policies") : undefined
    const handlers = "troupe@before-async-handlers" in elsewhere ? ratio("troupe", "troupe@before-async-handlers") : undefined
    const split = "troupe@before-engine-split" in elsewhere ? ratio("troupe", "troupe@before-engine-split") : undefined
    const timings = "troupe@before-timings" in elsewhere ? ratio("troupe", "troupe@before-timings") : undefined
    const asyncCost = ratio("troupe+async-handler", "troupe")
    const timed = ratio("troupe+timings-read", "troupe")
    const dashboardOpen = ratio("troupe+dashboard-open", "troupe")
    const traced = ratio("troupe+tracer", "troupe")
    const nsOf = (name: string) => median(ns(name))
    // What troupe's span per job adds, against what wrapping the handler in Effect.withSpan adds, both over the plain pool.
    const traceExtra = median(results.map((r) => Number(r["troupe+tracer"]!.nsPerJob) - Number(r.troupe!.nsPerJob)))
    const withSpanExtra = median(results.map((r) => Number(r["troupe+withspan-handler"]!.nsPerJob) - Number(r.troupe!.nsPerJob)))
    const tracedVsWithSpan = ratio("troupe+tracer", "troupe+withspan-handler")
    const markdown = [
      `### A. Dispatch overhead (${fmt(Dispatch.JOBS)} \`Effect.sync\` jobs, ${Dispatch.WORKERS} workers, all results awaited)`,
      "",
      "troupe: `Pool.make({ handler: (n) => Effect.sync(() => n), maxWorkers: 8, scaling: \"fixed\", capacity: 1024 })`; a producer fiber " +
      "`Pool.fork`s every job while the main fiber `Job.join`s them in order. Baseline: `Queue.bounded(1024)`, 8 fibers " +
      "looping on `Queue.take`, the producer offering one by one. p-queue: `concurrency: 8`, every job added up front, " +
      "`Promise.all`. `troupe+idle-policies`: the same pool with job policies configured that never fire " +
      "(`retry: { times: 3, schedule: Schedule.exponential(\"10 millis\") }`, `queueTimeout: \"1 hour\"`: every job succeeds " +
      "and starts within the hour), so each job carries its retry state and submission time and passes the queue-deadline heap. " +
      "`troupe@before-policies`: the plain pool at the last commit before job policies, checked out beside this one (a git worktree " +
      "under `out/`) and run in the same rounds; `troupe@before-async-handlers` likewise, at the last commit before fiber handlers " +
      "could return a Promise or a plain value; `troupe@before-engine-split` likewise, before the engine was split into its " +
      "parts; `troupe@before-timings` likewise, before the wait and run timings. `troupe+timings-read`: the plain pool with its " +
      "`Timings` read once before the jobs, so every job is timed. `troupe+dashboard-open`: the plain pool on `troupe/Dashboard` with " +
      "one page's event stream read throughout. `troupe+tracer`: the plain pool made with a tracer that is not Effect's native one " +
      "(native spans, exported nowhere), so troupe makes a span per job; `troupe+withspan-handler`: the plain pool, no tracer installed, " +
      "its handler wrapped in `Effect.withSpan`. `troupe+async-handler`: the same jobs from `async (n) => n`. " +
      "Each child warms up twice and reports the median of three runs.",
      "",
      table(["contender", "ns/job (median)", "min–max", "× Queue+fibers (same round)", "× p-queue (same round)"], rows),
      "",
      `troupe costs **${vsBaseline.toFixed(2)}×** the Effect Queue + 8 fibers baseline per job (target ≤ 1.5×: ${met(vsBaseline <= 1.5)}) ` +
      `and is **${vsPQueue.toFixed(1)}× faster** than p-queue (target ≥ 3×: ${met(vsPQueue >= 3)}). ` +
      (unused === undefined ? "" : `A pool that uses no job policies costs **${unused.toFixed(2)}×** what it did before they existed ` +
        `(\`troupe@before-policies\`, commit ${Dispatch.BEFORE_POLICIES}, same rounds; target ≤ 1.10×: ${met(unused <= 1.1)}). `) +
      (handlers === undefined ? "" : `An Effect handler costs **${handlers.toFixed(2)}×** what it did before handlers could ` +
        `return a Promise (\`troupe@before-async-handlers\`, commit ${Dispatch.BEFORE_ASYNC_HANDLERS}, same rounds; target ≤ 1.05×, ` +
        `within noise: ${met(handlers <= 1.05)}); an \`async\` handler costs ${asyncCost.toFixed(2)}× an Effect one per no-op job. `) +
      (split === undefined ? "" : `The engine split into its parts costs **${split.toFixed(2)}×** what the engine did as one ` +
        `(\`troupe@before-engine-split\`, commit ${Dispatch.BEFORE_ENGINE_SPLIT}, same rounds; target ≤ 1.05×, within noise: ${met(split <= 1.05)}). `) +
      (timings === undefined ? "" : `The wait and run timings and utilization (\`Timings\`, the \`troupe_job_*_ms\` histograms), with no ` +
        `exporter, tracer or dashboard, cost **${timings.toFixed(2)}×** the pool before them (\`troupe@before-timings\`, commit ` +
        `${Dispatch.BEFORE_TIMINGS}, same rounds; target ≤ 1.03×: ${met(timings <= 1.03)}): nothing is timed until someone reads. ` +
        `Read once (\`troupe+timings-read\`: every job timed from then on, a clock read at its submission, start and end), ` +
        `${timed.toFixed(2)}× the unread pool per no-op job. `) +
      `With the dashboard up and a page open (\`troupe+dashboard-open\`: its /events read for the whole run), ` +
      `**${dashboardOpen.toFixed(2)}×** the plain pool (target ≤ 1.10×: ${met(dashboardOpen <= 1.1)}). ` +
      `With a tracer installed (\`troupe+tracer\`: a span per job), **${fmt(nsOf("troupe+tracer"))} ns** per job, ${traced.toFixed(2)}× the ` +
      `plain pool: a span costs **${fmt(traceExtra)} ns** a job, where wrapping the handler in Effect's own \`Effect.withSpan\` ` +
      `(\`troupe+withspan-handler\`, no tracer installed) costs ${fmt(withSpanExtra)} ns; the traced pool runs at ` +
      `**${tracedVsWithSpan.toFixed(2)}×** the withSpan-wrapped one (target ≤ 1.2×: ${met(tracedVsWithSpan <= 1.2)}). ` +
      `Policies configured but never firing cost ${policies.toFixed(2)}× the plain pool per no-op job (each job then carries its ` +
      `submission time, retry policy and queue deadline: a fixed cost of a few hundred ns, which a job doing real work does not notice).`
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
