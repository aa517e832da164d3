// Section D: makespan of a skewed workload per dispatch, against p-queue, from
// bench/stealing.ts. Its text also goes into docs/strategies.md.
import { fmt } from "../../lib/format.ts"
import { barChart } from "../../lib/report/charts.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { type Chart, image, measured, met, type Section } from "../lib/section.ts"
import * as Stealing from "../stealing.ts"

export const stealing: Section = {
  key: "D",
  label: `D. work stealing: ${fmt(Stealing.JOBS)} skewed sleeping jobs, ${Stealing.WORKERS} workers`,
  runs: (rounds) => rounds * Stealing.contenders.length,
  run: measured("D", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../stealing.ts", import.meta.url).href, Stealing.contenders, rounds, { log, signal, onSample: tick })
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
    const longShare = Stealing.LONG_JOBS / Stealing.JOBS
    const chart: Chart = {
      file: "stealing-makespan.svg",
      svg: barChart({
        title: `Makespan, ${fmt(Stealing.JOBS)} skewed jobs on ${Stealing.WORKERS} workers (lower is better)`,
        categories: Stealing.contenders,
        yName: "makespan ms (median)",
        values: Stealing.contenders.map((name) => Math.round(med(name, "makespanMs"))),
        reference: { name: `lower bound, ${fmt(bound)} ms`, value: Math.round(bound) }
      })
    }
    const markdown = [
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
      image("Makespan per contender, with the lower bound as a dashed line (lower is better)", chart),
      "",
      `Work stealing finishes in **${stealing.toFixed(3)}×** the lower bound (target: within 1.1× the bound: ${met(stealing <= 1.1)}), ` +
      `${vsPQueue("troupe-workStealing").toFixed(2)}× p-queue's makespan, moving ${fmt(med("troupe-workStealing", "stolen"))} jobs; ` +
      `round robin and least loaded, which place jobs by count, not length, take ` +
      `${(med("troupe-roundRobin", "makespanMs") / bound).toFixed(2)}× and ${(med("troupe-leastLoaded", "makespanMs") / bound).toFixed(2)}×, ` +
      `and p-queue ${pq.toFixed(2)}×. The timers fire late: the handlers' measured sleeps, spread over ${Stealing.WORKERS} workers, come to ` +
      `${fmt(measuredBound("troupe-workStealing"))} ms for work stealing and ${fmt(measuredBound("p-queue"))} ms for p-queue, ` +
      `so part of every contender's distance from the bound is the clock's, not the scheduler's.`
    ].join("\n")
    return { markdown, charts: [chart], samples: results }
  })
}
