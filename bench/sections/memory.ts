// Section E: heap per queued job, and heap and spawn time per idle worker, from bench/memory.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"
import * as Memory from "../memory.ts"

// Half the rounds, at least one: heap sizes move little from run to run.
const memoryRounds = (rounds: number) => Math.max(1, Math.ceil(rounds / 2))

const queuedContenders = ["troupe-queued-job", "p-queue-queued-job", "promise-pool-pending-run"] as const

export const memory: Section = {
  key: "E",
  label: `E. memory: ${fmt(Memory.QUEUED)} queued jobs, ${fmt(Memory.IDLE_WORKERS)} idle workers`,
  runs: (rounds) => memoryRounds(rounds) * Memory.contenders.length,
  run: measured("E", async ({ rounds, log, tick, signal }) => {
    Memory.buildPackage() // the idle thread workers load dist/, as an installed troupe's do
    const results = await runRounds(new URL("../memory.ts", import.meta.url).href, Memory.contenders, memoryRounds(rounds), { log, signal, onSample: tick })
    const of = (name: string, field: string) => median(results.map((r) => Number(r[name]![field])))
    const bytes = (name: string) => of(name, "bytes")
    const idle = (field: string) => of("troupe-idle-worker", field)
    const workerBytes = idle("bytes")
    const workerUs = idle("us")
    // Within each child, then the median: the three were timed in one process.
    const threadRss = (name: string) => of(name, "rssMb")
    const threadMs = (name: string) => of(name, "spawnMs")
    const rssRatio = median(results.map((r) => Number(r["troupe-idle-thread"]!.rssMb) / Number(r["bare-idle-thread"]!.rssMb)))
    const spawnRatio = median(results.map((r) => Number(r["troupe-idle-thread"]!.spawnMs) / Number(r["bare-idle-thread"]!.spawnMs)))
    const xstateRatio = median(results.map((r) => Number(r["troupe-idle-worker"]!.us) / Number(r["troupe-idle-worker"]!.xstateUs)))
    const markdown = [
      "### E. Memory",
      "",
      table(["what", "heap bytes each (median)"], queuedContenders.map((name) => [name, fmt(bytes(name))])),
      "",
      `A queued troupe job (forked through its handle, not yet run) holds **${fmt(bytes("troupe-queued-job"))} bytes** of heap ` +
      `(target ≤ 500: ${met(bytes("troupe-queued-job") <= 500)}; p-queue ${fmt(bytes("p-queue-queued-job"))}). A \`PromisePool.run\` waiting for room (the pool holding 1,000, the rest of ` +
      `${fmt(Memory.QUEUED)} runs waiting) holds ${fmt(bytes("promise-pool-pending-run"))} bytes, its Promise included ` +
      `(target ≤ 500, was ~1,600 with a fiber per run: ${met(bytes("promise-pool-pending-run") <= 500)}).`,
      "",
      table(["idle, each", "heap bytes (median)", "µs to make (median)"], [
        ["troupe idle fiber worker", fmt(workerBytes), fmt(workerUs, 1)],
        ["XState actor alone", fmt(idle("xstateBytes")), fmt(idle("xstateUs"), 1)],
        ["Effect fiber on its own bounded queue", fmt(idle("fiberBytes")), fmt(idle("fiberUs"), 1)]
      ]),
      "",
      `An idle fiber worker (its mailbox, its lifecycle machine's actor, its lanes parked with no fiber) holds **${fmt(workerBytes)} bytes** ` +
      `of heap (target ≤ 4,000: ${met(workerBytes <= 4_000)}) and takes **${fmt(workerUs, 1)} µs** to spawn (target ≤ 15: ${met(workerUs <= 15)}), ` +
      `${fmt(xstateRatio, 2)}× an XState actor alone (\`createActor(WorkerLifecycle.machine).start()\`, a root actor with a system of its own); ` +
      `before issue 15's cuts, measured this way, 8,600 bytes and ~17 µs (1.5–1.9× the actor; earlier runs of this section, counting from ` +
      `\`Pool.make\` with no warm-up, showed ~10,000 bytes and ~50 µs). Workers join a running fixed pool of one ` +
      `(\`Pool.setMaxWorkers\`), ${fmt(Memory.IDLE_WORKERS)} at a time, timed until every one is idle; the actors and the fibers ` +
      `(\`Queue.bounded(16)\`, a fiber forked on \`Queue.take\` forever) are made ${fmt(Memory.IDLE_WORKERS)} at a time in the same process, after the workers. ` +
      `Each is the median of ${Memory.SPAWN_BATCHES} batches after warm-up ones, then of the rounds; on a busy machine the times grow, their ratio less.`,
      "",
      table(["idle thread, each", "resident MiB (median)", `ms until ${Memory.IDLE_THREADS} are ready (median)`], [
        ["troupe idle thread worker", fmt(threadRss("troupe-idle-thread"), 1), fmt(threadMs("troupe-idle-thread"))],
        ["bare worker_thread", fmt(threadRss("bare-idle-thread"), 1), fmt(threadMs("bare-idle-thread"))]
      ]),
      "",
      `An idle thread worker adds **${fmt(rssRatio, 2)}×** the resident memory a bare worker thread does (target ≤ 1.3×: ${met(rssRatio <= 1.3)}), ` +
      `and ${Memory.IDLE_THREADS} of them are ready after ${fmt(spawnRatio, 2)}× a bare thread's time. Each side in a process of its own, ` +
      `from the built package (\`dist/\`, as installed, built first) with a plain JavaScript handler module, \`Pool.make({ handler, minWorkers: ${Memory.IDLE_THREADS}, ` +
      `maxWorkers: ${Memory.IDLE_THREADS}, scaling: "fixed" })\` timed until every worker is idle, against ${Memory.IDLE_THREADS} \`new Worker(file)\` ` +
      "on a module that posts one message when loaded, timed until every one has; resident memory (RSS) before (after one warm-up thread came and went) and 200 ms after, each after a GC, " +
      "divided by the threads. Before issue 15, with each thread running the TypeScript entry through " +
      "Node's type stripper, a thread worker held 23.8 MiB against the bare thread's 10.9 (2.2×)."
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
