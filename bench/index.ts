// `npm run bench`: every scenario, side by side with its peers in one run,
// printed as tables and written to docs/benchmarks.md.
import { writeFileSync } from "node:fs"
import os from "node:os"
import * as Dispatch from "./dispatch.ts"
import * as Memory from "./memory.ts"
import * as Scale from "./scaling.ts"
import { fmt, median, runRounds, table } from "./lib/harness.ts"

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const log = process.env.BENCH_VERBOSE ? (line: string) => console.error(line) : () => {}

const dispatchSection = (): string => {
  console.error(`A. dispatch overhead: ${fmt(Dispatch.JOBS)} no-op jobs, ${Dispatch.WORKERS} workers, ${rounds} rounds`)
  const results = runRounds(new URL("./dispatch.ts", import.meta.url).href, Dispatch.contenders, rounds, log)
  const ns = (name: string) => results.map((r) => Number(r[name]!.nsPerJob))
  const ratio = (name: string, base: string) => median(results.map((r) => Number(r[name]!.nsPerJob) / Number(r[base]!.nsPerJob)))
  const rows = Dispatch.contenders.map((name) => {
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
  return [
    `### A. Dispatch overhead (${fmt(Dispatch.JOBS)} \`Effect.sync\` jobs, ${Dispatch.WORKERS} workers, all results awaited)`,
    "",
    "troupe: `Pool.make({ handler: (n) => Effect.sync(() => n), maxWorkers: 8, scaling: \"fixed\", capacity: 1024 })`; a producer fiber " +
    "`Pool.fork`s every job while the main fiber `Job.join`s them in order. Baseline: `Queue.bounded(1024)`, 8 fibers " +
    "looping on `Queue.take`, the producer offering one by one. p-queue: `concurrency: 8`, every job added up front, " +
    "`Promise.all`. Each child warms up twice and reports the median of three runs.",
    "",
    table(["contender", "ns/job (median)", "min–max", "× Queue+fibers (same round)", "× p-queue (same round)"], rows),
    "",
    `troupe costs **${vsBaseline.toFixed(2)}×** the Effect Queue + 8 fibers baseline per job (target ≤ 1.5×: ${met(vsBaseline <= 1.5)}) ` +
    `and is **${vsPQueue.toFixed(1)}× faster** than p-queue (target ≥ 3×: ${met(vsPQueue >= 3)}).`
  ].join("\n")
}

const scalingSection = (): string => {
  console.error(`B. scaling: ${Scale.JOBS} jobs x ${Scale.SLEEP_MS} ms sleep, ${rounds} rounds`)
  const results = runRounds(new URL("./scaling.ts", import.meta.url).href, ["all"], rounds, log)
  const ms = (name: string) => median(results.map((r) => Number(r["all"]![name])))
  const one = ms("fixed-1")
  const rows = Scale.TEAMS.map((n) => {
    const ideal = Math.ceil(Scale.JOBS / n) * Scale.SLEEP_MS
    const t = ms(`fixed-${n}`)
    return [`${n}`, fmt(t, 1), fmt(ideal), `+${((t / ideal - 1) * 100).toFixed(1)}%`, (one / t).toFixed(2)]
  })
  const auto = ms("threshold-1..16")
  const sixteen = ms("fixed-16")
  const worst = Math.max(...Scale.TEAMS.map((n) => ms(`fixed-${n}`) / (Math.ceil(Scale.JOBS / n) * Scale.SLEEP_MS)))
  rows.push([
    `1..16, threshold (grew to ${median(results.map((r) => Number(r["all"]!["threshold-1..16:workers"])))})`,
    fmt(auto, 1),
    fmt(100),
    `+${((auto / 100 - 1) * 100).toFixed(1)}%`,
    (one / auto).toFixed(2)
  ])
  return [
    `### B. Scaling (${Scale.JOBS} jobs that each sleep ${Scale.SLEEP_MS} ms)`,
    "",
    "Fixed teams (`scaling: \"fixed\"`), then `minWorkers: 1, maxWorkers: 16, scaling: Scaling.threshold({ jobsPerWorker: 1 })`. " +
    "All 16 jobs are submitted at once; wall time until the last result.",
    "",
    table(["workers", "wall ms (median)", "ideal ms", "over ideal", "speed-up vs 1"], rows),
    "",
    `Every fixed row is within ${((worst - 1) * 100).toFixed(1)}% of ideal (target 3%: ${met(worst <= 1.03)}); ` +
    `the autoscaled run takes ${(auto / sixteen).toFixed(2)}× the 16-worker row (target ≤ 1.2×: ${met(auto / sixteen <= 1.2)}).`
  ].join("\n")
}

const memorySection = (): string => {
  console.error(`E. memory: ${fmt(Memory.QUEUED)} queued jobs, ${fmt(Memory.IDLE_WORKERS)} idle workers, ${rounds} rounds`)
  const results = runRounds(new URL("./memory.ts", import.meta.url).href, Memory.contenders, Math.max(1, Math.ceil(rounds / 2)), log)
  const bytes = (name: string) => median(results.map((r) => Number(r[name]!.bytes)))
  const rows = Memory.contenders.map((name) => [name, fmt(bytes(name))])
  return [
    "### E. Memory",
    "",
    table(["what", "heap bytes each (median)"], rows),
    "",
    `A queued troupe job (forked through its handle, not yet run) holds **${fmt(bytes("troupe-queued-job"))} bytes** of heap ` +
    `(target ≤ 500: ${met(bytes("troupe-queued-job") <= 500)}; p-queue ${fmt(bytes("p-queue-queued-job"))}); an idle fiber worker (fiber, mailbox, XState actor) ` +
    `${fmt(bytes("troupe-idle-worker"))} bytes.`
  ].join("\n")
}

const met = (ok: boolean): string => (ok ? "met" : "**missed**")

const sections = [dispatchSection(), scalingSection(), memorySection()]
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`
const doc = [
  "# Benchmarks",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine} by \`npm run bench\` ` +
  `(${rounds} rounds; each contender in a fresh process per round, order alternating; ratios taken within a round, then the median).`,
  "The machine is a shared VM: trust the same-round ratios more than absolute times.",
  "",
  ...sections.flatMap((s) => [s, ""])
].join("\n")
console.log(doc)
if (process.env.BENCH_WRITE !== "0") writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc)
