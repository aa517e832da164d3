// `npm run bench`: every scenario, side by side with its peers in one run,
// printed as tables and written to docs/benchmarks.md.
import { readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import * as Dispatch from "./dispatch.ts"
import * as Memory from "./memory.ts"
import * as Scale from "./scaling.ts"
import * as Stealing from "./stealing.ts"
import * as Threads from "./threads.ts"
import { fileAt } from "./lib/baseline.ts"
import { fmt, median, runRounds, table } from "./lib/harness.ts"

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const log = process.env.BENCH_VERBOSE ? (line: string) => console.error(line) : () => {}

const dispatchSection = (): string => {
  console.error(`A. dispatch overhead: ${fmt(Dispatch.JOBS)} no-op jobs, ${Dispatch.WORKERS} workers, ${rounds} rounds`)
  // The pool as it was before job policies, run in the same rounds: what they cost a pool that does not use them.
  const base = fileAt(Dispatch.BEFORE_POLICIES, "bench/dispatch.ts")
  const contenders = base === undefined ? Dispatch.contenders : [...Dispatch.contenders, "troupe@before-policies"]
  const elsewhere = base === undefined ? {} : { "troupe@before-policies": [base, "troupe"] as const }
  const results = runRounds(new URL("./dispatch.ts", import.meta.url).href, contenders, rounds, log, elsewhere)
  const ns = (name: string) => results.map((r) => Number(r[name]!.nsPerJob))
  const ratio = (name: string, base: string) => median(results.map((r) => Number(r[name]!.nsPerJob) / Number(r[base]!.nsPerJob)))
  const rows = contenders.map((name) => {
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
  const unused = base === undefined ? undefined : ratio("troupe", "troupe@before-policies")
  return [
    `### A. Dispatch overhead (${fmt(Dispatch.JOBS)} \`Effect.sync\` jobs, ${Dispatch.WORKERS} workers, all results awaited)`,
    "",
    "troupe: `Pool.make({ handler: (n) => Effect.sync(() => n), maxWorkers: 8, scaling: \"fixed\", capacity: 1024 })`; a producer fiber " +
    "`Pool.fork`s every job while the main fiber `Job.join`s them in order. Baseline: `Queue.bounded(1024)`, 8 fibers " +
    "looping on `Queue.take`, the producer offering one by one. p-queue: `concurrency: 8`, every job added up front, " +
    "`Promise.all`. `troupe+idle-policies`: the same pool with job policies configured that never fire " +
    "(`retry: { times: 3, schedule: Schedule.exponential(\"10 millis\") }`, `queueTimeout: \"1 hour\"`: every job succeeds " +
    "and starts within the hour), so each job carries its retry state and submission time and passes the queue-deadline heap. " +
    "`troupe@before-policies`: the plain pool at the last commit before job policies, checked out beside this one (a git worktree " +
    "under `out/`) and run in the same rounds. Each child warms up twice and reports the median of three runs.",
    "",
    table(["contender", "ns/job (median)", "min–max", "× Queue+fibers (same round)", "× p-queue (same round)"], rows),
    "",
    `troupe costs **${vsBaseline.toFixed(2)}×** the Effect Queue + 8 fibers baseline per job (target ≤ 1.5×: ${met(vsBaseline <= 1.5)}) ` +
    `and is **${vsPQueue.toFixed(1)}× faster** than p-queue (target ≥ 3×: ${met(vsPQueue >= 3)}). ` +
    (unused === undefined ? "" : `A pool that uses no job policies costs **${unused.toFixed(2)}×** what it did before they existed ` +
      `(\`troupe@before-policies\`, commit ${Dispatch.BEFORE_POLICIES}, same rounds; target ≤ 1.10×: ${met(unused <= 1.1)}). `) +
    `Policies configured but never firing cost ${policies.toFixed(2)}× the plain pool per no-op job (each job then carries its ` +
    `submission time, retry policy and queue deadline: a fixed cost of a few hundred ns, which a job doing real work does not notice).`
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

const threadsSection = (): string => {
  console.error(`C. threads vs piscina: ${fmt(Threads.TINY_TASKS)} tiny tasks, ${Threads.CPU_JOBS} CPU jobs, ${rounds} rounds`)
  const raw = runRounds(new URL("./threads.ts", import.meta.url).href, Threads.phases, rounds, log)
  // One record per contender and round, from its phases' children.
  const results = raw.map((round) => {
    const merged: Record<string, Record<string, number | string>> = {}
    for (const [phase, sample] of Object.entries(round)) Object.assign((merged[phase.split("/")[0]!] ??= {}), sample)
    return merged
  })
  const med = (name: string, key: string) => median(results.map((r) => Number(r[name]![key])))
  const ratio = (a: string, b: string, key: string) => median(results.map((r) => Number(r[a]![key]) / Number(r[b]![key])))
  const speedup = (name: string) => median(results.map((r) => Number(r[name]!.cpu1Ms) / Number(r[name]!.cpu2Ms)))
  const tiny = ratio("troupe", "piscina", "tasksPerSec")
  const ttfr = ratio("troupe", "piscina", "ttfrMs")
  const troupeSpeedup = speedup("troupe")
  const rows = Threads.contenders.map((name) => [
    name,
    fmt(med(name, "ttfrMs")),
    fmt(med(name, "tasksPerSec")),
    ratio(name, "piscina", "tasksPerSec").toFixed(2),
    name === "troupe-effect" ? "–" : fmt(med(name, "cpu1Ms")),
    name === "troupe-effect" ? "–" : fmt(med(name, "cpu2Ms")),
    name === "troupe-effect" ? "–" : speedup(name).toFixed(2)
  ])
  const bars = Threads.contenders.map((name) => fmt(med(name, "tasksPerSec")).replace(/,/g, ""))
  return [
    `### C. Thread workers against piscina (2 threads)`,
    "",
    `troupe: \`Pool.make({ handler: Thread.handler(...), minWorkers: 2, maxWorkers: 2, scaling: "fixed", dispatch: "workStealing" })\` with a plain handler ` +
    `(\`troupe\`) or the same work returning an Effect (\`troupe-effect\`, whose threads load \`effect/Effect\`); ` +
    `\`concurrency: ${Threads.WINDOW}\` jobs in flight per thread for the tiny tasks, 1 for the CPU jobs. piscina 5: ` +
    `\`minThreads = maxThreads = 2\`, its default one task at a time per thread (\`piscina\`), or ` +
    `\`concurrentTasksPerWorker: ${Threads.WINDOW}\` (\`piscina-window\`, the same window as troupe's). ` +
    `Both pools' task modules are TypeScript files running the same functions. Each phase runs in a fresh process per round: ` +
    `time to first result then the tiny tasks in one, the CPU jobs in another. Time to first result: pool creation ` +
    `to the first result, in a fresh process. Tiny tasks: ${fmt(Threads.TINY_TASKS)} sums of 1..1000, submitted at once, after an unmeasured warm-up run of the same size. ` +
    `CPU: ${Threads.CPU_JOBS} jobs of ${fmt(Threads.PI_DIGITS)} digits of pi (BigInt, ~50 ms each) on 1, then 2 threads, the best of three batches each (the code warms up over the first).`,
    "",
    table(["contender", "first result ms", "tiny tasks/s", "× piscina tasks/s (same round)", "CPU 1 thread ms", "CPU 2 threads ms", "speed-up 1→2"], rows),
    "",
    "```mermaid",
    "xychart-beta",
    `  title "Tiny tasks per second, 2 threads (higher is better)"`,
    `  x-axis [${Threads.contenders.map((n) => `"${n}"`).join(", ")}]`,
    `  bar [${bars.join(", ")}]`,
    "```",
    "",
    `troupe runs **${tiny.toFixed(1)}×** piscina's tiny tasks per second (target ≥ 2×: ${met(tiny >= 2)}; ` +
    `${ratio("troupe", "piscina-window", "tasksPerSec").toFixed(2)}× piscina given the same window). ` +
    `Going from 1 to 2 threads speeds the CPU jobs up **${troupeSpeedup.toFixed(2)}×** (target ≥ 1.9: ${met(troupeSpeedup >= 1.9)}; piscina ${speedup("piscina").toFixed(2)}×). ` +
    `Its first result comes after **${ttfr.toFixed(2)}×** piscina's time (target ≤ 1.5×: ${met(ttfr <= 1.5)}); ` +
    `with an Effect handler, whose threads also load \`effect/Effect\`, ${ratio("troupe-effect", "piscina", "ttfrMs").toFixed(2)}×.`
  ].join("\n")
}

const stealingSection = (): string => {
  console.error(`D. work stealing: ${fmt(Stealing.JOBS)} skewed sleeping jobs, ${Stealing.WORKERS} workers, ${rounds} rounds`)
  const results = runRounds(new URL("./stealing.ts", import.meta.url).href, Stealing.contenders, rounds, log)
  const med = (name: string, key: string) => median(results.map((r) => Number(r[name]![key])))
  const ms = (name: string) => results.map((r) => Number(r[name]!.makespanMs))
  const vsPQueue = (name: string) => median(results.map((r) => Number(r[name]!.makespanMs) / Number(r["p-queue"]!.makespanMs)))
  const bound = Stealing.BOUND_MS
  const rows = Stealing.contenders.map((name) => {
    const xs = ms(name)
    return [
      name,
      fmt(median(xs)),
      `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`,
      fmt(bound),
      (median(xs) / bound).toFixed(3),
      vsPQueue(name).toFixed(3),
      name === "troupe-workStealing" ? fmt(med(name, "stolen")) : "–"
    ]
  })
  const stealing = med("troupe-workStealing", "makespanMs") / bound
  const pq = med("p-queue", "makespanMs") / bound
  // The timers fire late: what the handlers measured, spread evenly, is a bound no scheduler beats either.
  const measuredBound = (name: string) => median(results.map((r) => Number(r[name]!.workMs) / Stealing.WORKERS))
  const bars = Stealing.contenders.map((name) => Math.round(med(name, "makespanMs")))
  const top = Math.ceil(Math.max(...bars) / 500) * 500
  const longShare = Stealing.LONG_JOBS / Stealing.JOBS
  return [
    `### D. Work stealing on a skewed workload (${fmt(Stealing.JOBS)} sleeping jobs, ${Stealing.WORKERS} fiber workers)`,
    "",
    `${fmt(Stealing.JOBS - Stealing.LONG_JOBS)} jobs sleep ${Stealing.SHORT_MS} ms and ${fmt(Stealing.LONG_JOBS)} (${fmt(longShare * 100)}%) sleep ` +
    `${Stealing.LONG_MS} ms (\`Effect.sleep\`, real clock), in one fixed order shuffled by a seeded generator (the same for every contender and round). ` +
    `troupe: \`Pool.make({ handler, minWorkers: 8, maxWorkers: 8, scaling: "fixed", dispatch, capacity: "unbounded" })\` with each built-in ` +
    `\`dispatch\`; every job submitted at once (\`Effect.forEach\` of \`Pool.submit\`, unbounded concurrency). p-queue: \`concurrency: 8\`, ` +
    `the same durations as \`setTimeout\` promises, every job added at once, \`Promise.all\`: one shared queue, the greedy schedule. ` +
    `Makespan: wall time from the first submit to the last result, one batch per fresh process after an unmeasured warm-up batch ` +
    `(the first ${Stealing.WARM_UP_JOBS} jobs of the same order, on the same pool or queue). Lower bound: max(total work ÷ ${Stealing.WORKERS}, longest job) = ` +
    `max(${fmt(Stealing.TOTAL_MS)} ÷ ${Stealing.WORKERS}, ${Stealing.LONG_MS}) = ${fmt(bound)} ms. ` +
    `Jobs stolen: \`Pool.statsUnsafe(pool).stolen\` over the measured batch.`,
    "",
    table(["contender", "makespan ms (median)", "min–max", "lower bound ms", "× bound", "× p-queue (same round)", "jobs stolen"], rows),
    "",
    "```mermaid",
    "xychart-beta",
    `  title "Makespan ms, ${fmt(Stealing.JOBS)} skewed jobs on ${Stealing.WORKERS} workers (lower is better; line: lower bound)"`,
    `  x-axis [${Stealing.contenders.map((n) => `"${n}"`).join(", ")}]`,
    `  y-axis "ms" 0 --> ${top}`,
    `  bar [${bars.join(", ")}]`,
    `  line [${Stealing.contenders.map(() => Math.round(bound)).join(", ")}]`,
    "```",
    "",
    `Work stealing finishes in **${stealing.toFixed(3)}×** the lower bound (target: within 1.1× the bound: ${met(stealing <= 1.1)}), ` +
    `${vsPQueue("troupe-workStealing").toFixed(2)}× p-queue's makespan, moving ${fmt(med("troupe-workStealing", "stolen"))} jobs; ` +
    `round robin and least loaded, which place jobs by count, not length, take ` +
    `${(med("troupe-roundRobin", "makespanMs") / bound).toFixed(2)}× and ${(med("troupe-leastLoaded", "makespanMs") / bound).toFixed(2)}×, ` +
    `and p-queue ${pq.toFixed(2)}×. The timers fire late: the handlers' measured sleeps, spread over ${Stealing.WORKERS} workers, come to ` +
    `${fmt(measuredBound("troupe-workStealing"))} ms for work stealing and ${fmt(measuredBound("p-queue"))} ms for p-queue, ` +
    `so part of every contender's distance from the bound is the clock's, not the scheduler's.`
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

const only = process.env.BENCH_ONLY?.split(",")
const pick = (key: string, section: () => string) => (only === undefined || only.includes(key) ? [section()] : [])
const stealing = pick("D", stealingSection)
const sections = [
  ...pick("A", dispatchSection),
  ...pick("B", scalingSection),
  ...pick("C", threadsSection),
  ...stealing,
  ...pick("E", memorySection)
]
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
if (process.env.BENCH_WRITE !== "0") {
  writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc)
  // The strategies page shows section D between its markers, with the date and machine.
  if (stealing[0] !== undefined) {
    const page = new URL("../docs/strategies.md", import.meta.url)
    const measured = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine} by \`npm run bench\` (${rounds} rounds).`
    const body = stealing[0].replace(/^### .*\n\n/, "")
    const text = readFileSync(page, "utf8")
    const marked = /<!-- bench:D -->[\s\S]*<!-- \/bench:D -->/
    writeFileSync(page, text.replace(marked, `<!-- bench:D -->\n${measured}\n\n${body}\n<!-- /bench:D -->`))
  }
}
