// Section C: thread workers against piscina, from the phases of bench/threads.ts.
import { fmt } from "../../lib/format.ts"
import { barChart } from "../../lib/report/charts.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, table } from "../lib/harness.ts"
import { type Chart, image, measured, met, type Section } from "../lib/section.ts"
import * as Threads from "../threads.ts"

export const threads: Section = {
  key: "C",
  label: `C. threads vs piscina: ${fmt(Threads.TINY_TASKS)} tiny tasks, ${Threads.CPU_JOBS} CPU jobs`,
  runs: (rounds) => rounds * Threads.phases.length,
  run: measured("C", async ({ rounds, log, tick, signal }) => {
    const raw = await runRounds(new URL("../threads.ts", import.meta.url).href, Threads.phases, rounds, { log, signal, onSample: tick })
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
    const chart: Chart = {
      file: "threads-tiny-tasks.svg",
      svg: barChart({
        title: "Tiny tasks per second, 2 threads (higher is better)",
        categories: Threads.contenders,
        yName: "tasks/s (median)",
        values: Threads.contenders.map((name) => Math.round(med(name, "tasksPerSec")))
      })
    }
    const markdown = [
      `### C. Thread workers against piscina (2 threads)`,
      "",
      `troupe: \`Pool.make({ handler: Thread.handler(...), minWorkers: 2, maxWorkers: 2, scaling: "fixed", dispatch: "workStealing" })\` with a plain handler ` +
      `(\`troupe\`) or the same work returning an Effect (\`troupe-effect\`, whose threads load \`effect/Effect\`). ` +
      `The troupe rows use the default options otherwise, in every phase: no \`concurrency\`, so each thread's window of jobs in flight ` +
      `adapts to its jobs' time (up to ${Threads.WINDOW} for the tiny tasks, 1 for the CPU jobs; see [threads](threads.md#jobs-in-flight-the-window)). piscina 5: ` +
      `\`minThreads = maxThreads = 2\`, its default one task at a time per thread (\`piscina\`), or ` +
      `\`concurrentTasksPerWorker: ${Threads.WINDOW}\` (\`piscina-window\`, troupe's largest window, for the tiny tasks). ` +
      `Both pools' task modules are TypeScript files running the same functions. Each phase runs in a fresh process per round: ` +
      `time to first result then the tiny tasks in one, the CPU jobs in another. Time to first result: pool creation ` +
      `to the first result, in a fresh process. Tiny tasks: ${fmt(Threads.TINY_TASKS)} sums of 1..1000, submitted at once, after an unmeasured warm-up run of the same size. ` +
      `CPU: ${Threads.CPU_JOBS} jobs of ${fmt(Threads.PI_DIGITS)} digits of pi (BigInt, ~50 ms each) on 1, then 2 threads, the best of three batches each (the code warms up over the first).`,
      "",
      table(["contender", "first result ms", "tiny tasks/s", "× piscina tasks/s (same round)", "CPU 1 thread ms", "CPU 2 threads ms", "speed-up 1→2"], rows),
      "",
      image("Tiny tasks per second on 2 threads, per contender (higher is better)", chart),
      "",
      `troupe runs **${tiny.toFixed(1)}×** piscina's tiny tasks per second (target ≥ 2×: ${met(tiny >= 2)}; ` +
      `${ratio("troupe", "piscina-window", "tasksPerSec").toFixed(2)}× piscina given a window of ${Threads.WINDOW}). ` +
      `Going from 1 to 2 threads speeds the CPU jobs up **${troupeSpeedup.toFixed(2)}×** (target ≥ 1.9: ${met(troupeSpeedup >= 1.9)}; piscina ${speedup("piscina").toFixed(2)}×). ` +
      `Its first result comes after **${ttfr.toFixed(2)}×** piscina's time (target ≤ 1.5×: ${met(ttfr <= 1.5)}); ` +
      `with an Effect handler, whose threads also load \`effect/Effect\`, ${ratio("troupe-effect", "piscina", "ttfrMs").toFixed(2)}×.`
    ].join("\n")
    return { markdown, charts: [chart], samples: raw }
  })
}
