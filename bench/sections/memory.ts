// Section E: heap per queued job, and heap and spawn time per idle worker, from bench/memory.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"
import * as Memory from "../memory.ts"

// Half the rounds, at least one: heap sizes move little from run to run.
const memoryRounds = (rounds: number) => Math.max(1, Math.ceil(rounds / 2))

const queuedContenders = Memory.contenders.filter((name) => name !== "troupe-idle-worker")

export const memory: Section = {
  key: "E",
  label: `E. memory: ${fmt(Memory.QUEUED)} queued jobs, ${fmt(Memory.IDLE_WORKERS)} idle workers`,
  runs: (rounds) => memoryRounds(rounds) * Memory.contenders.length,
  run: measured("E", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../memory.ts", import.meta.url).href, Memory.contenders, memoryRounds(rounds), { log, signal, onSample: tick })
    const of = (name: string, field: string) => median(results.map((r) => Number(r[name]![field])))
    const bytes = (name: string) => of(name, "bytes")
    const idle = (field: string) => of("troupe-idle-worker", field)
    const workerBytes = idle("bytes")
    const workerUs = idle("us")
    // Within each child, then the median: the three were timed in one process.
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
      `Each is the median of ${Memory.SPAWN_BATCHES} batches after warm-up ones, then of the rounds; on a busy machine the times grow, their ratio less.`
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
