// Section E: heap per queued job and per idle worker, from bench/memory.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"
import * as Memory from "../memory.ts"

// Half the rounds, at least one: heap sizes move little from run to run.
const memoryRounds = (rounds: number) => Math.max(1, Math.ceil(rounds / 2))

export const memory: Section = {
  key: "E",
  label: `E. memory: ${fmt(Memory.QUEUED)} queued jobs, ${fmt(Memory.IDLE_WORKERS)} idle workers`,
  runs: (rounds) => memoryRounds(rounds) * Memory.contenders.length,
  run: measured("E", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../memory.ts", import.meta.url).href, Memory.contenders, memoryRounds(rounds), { log, signal, onSample: tick })
    const bytes = (name: string) => median(results.map((r) => Number(r[name]!.bytes)))
    const rows = Memory.contenders.map((name) => [name, fmt(bytes(name))])
    const markdown = [
      "### E. Memory",
      "",
      table(["what", "heap bytes each (median)"], rows),
      "",
      `A queued troupe job (forked through its handle, not yet run) holds **${fmt(bytes("troupe-queued-job"))} bytes** of heap ` +
      `(target ≤ 500: ${met(bytes("troupe-queued-job") <= 500)}; p-queue ${fmt(bytes("p-queue-queued-job"))}); an idle fiber worker (fiber, mailbox, XState actor) ` +
      `${fmt(bytes("troupe-idle-worker"))} bytes. A \`PromisePool.run\` waiting for room (the pool holding 1,000, the rest of ` +
      `${fmt(Memory.QUEUED)} runs waiting) holds ${fmt(bytes("promise-pool-pending-run"))} bytes, its Promise included ` +
      `(target ≤ 500, was ~1,600 with a fiber per run: ${met(bytes("promise-pool-pending-run") <= 500)}).`
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
