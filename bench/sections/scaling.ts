// Section B: fixed teams and a threshold-scaled pool on sleeping jobs, from bench/scaling.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"
import * as Scale from "../scaling.ts"

export const scaling: Section = {
  key: "B",
  label: `B. scaling: ${Scale.JOBS} jobs x ${Scale.SLEEP_MS} ms sleep`,
  runs: (rounds) => rounds,
  run: measured("B", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../scaling.ts", import.meta.url).href, ["all"], rounds, { log, signal, onSample: tick })
    const ms = (name: string) => median(results.map((r) => Number(r["all"]![name])))
    const one = ms("fixed-1")
    const rows = Scale.TEAMS.map((n) => {
      const ideal = Math.ceil(Scale.JOBS / n) * Scale.SLEEP_MS
      const t = ms(`fixed-${n}`)
      return [`${n}`, fmt(t, 1), fmt(ideal), `+${((t / ideal - 1) * 100).toFixed(1)}%`, (one / t).toFixed(2)]
    })
    const auto = ms("threshold-1..16")
    // At most 16 workers: the ideal is the 16-worker team's, ceil(jobs / 16) sleeps.
    const autoIdeal = Math.ceil(Scale.JOBS / 16) * Scale.SLEEP_MS
    const sixteen = ms("fixed-16")
    const worst = Math.max(...Scale.TEAMS.map((n) => ms(`fixed-${n}`) / (Math.ceil(Scale.JOBS / n) * Scale.SLEEP_MS)))
    rows.push([
      `1..16, threshold (grew to ${median(results.map((r) => Number(r["all"]!["threshold-1..16:workers"])))})`,
      fmt(auto, 1),
      fmt(autoIdeal),
      `+${((auto / autoIdeal - 1) * 100).toFixed(1)}%`,
      (one / auto).toFixed(2)
    ])
    const defaults = ms("defaults-16")
    const best = Math.min(...Scale.TEAMS.map((n) => ms(`fixed-${n}`)))
    rows.push([
      `defaults, maxWorkers 16 (grew to ${median(results.map((r) => Number(r["all"]!["defaults-16:workers"])))})`,
      fmt(defaults, 1),
      fmt(autoIdeal),
      `+${((defaults / autoIdeal - 1) * 100).toFixed(1)}%`,
      (one / defaults).toFixed(2)
    ])
    const markdown = [
      `### B. Scaling (${Scale.JOBS} jobs that each sleep ${Scale.SLEEP_MS} ms)`,
      "",
      "Fixed teams (`scaling: \"fixed\"`), then `minWorkers: 1, maxWorkers: 16, scaling: Scaling.threshold({ jobsPerWorker: 1 })`, " +
      "then what a user writes: `Pool.make({ handler, maxWorkers: 16 })` (the default policy, `\"auto\"`: grow under pressure). " +
      "All 16 jobs are submitted at once (`Effect.forEach` of `Pool.submit`, unbounded); wall time until the last result.",
      "",
      table(["workers", "wall ms (median)", "ideal ms", "over ideal", "speed-up vs 1"], rows),
      "",
      `Every fixed row is within ${((worst - 1) * 100).toFixed(1)}% of ideal (target 3%: ${met(worst <= 1.03)}); ` +
      `the autoscaled run takes ${(auto / sixteen).toFixed(2)}× the 16-worker row (target ≤ 1.2×: ${met(auto / sixteen <= 1.2)}), ` +
      `and the defaults ${(defaults / best).toFixed(2)}× the best fixed team (target ≤ 1.2×: ${met(defaults / best <= 1.2)}).`
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
