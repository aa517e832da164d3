// Section H: the idioms users write to run many jobs, from bench/idioms.ts.
import { fmt } from "../../lib/format.ts"
import { median } from "../../lib/stats.ts"
import * as Idioms from "../idioms.ts"
import { runRounds, table } from "../lib/harness.ts"
import { measured, met, type Section } from "../lib/section.ts"

const what: Record<string, string> = {
  "troupe forEach(submit)": "`Effect.forEach(inputs, (i) => Pool.submit(pool, i), { concurrency: \"unbounded\" })`",
  "troupe PromisePool.run, Promise.all": "`Promise.all(inputs.map((i) => pool.run(i)))`",
  "troupe submitAll": "`Pool.submitAll(pool, inputs)` (the recommended batch path)",
  "troupe stream": "`Stream.fromIterable(inputs).pipe(Pool.stream(pool), Stream.runDrain)`",
  "troupe PromisePool.runAll": "`pool.runAll(inputs)`",
  "p-queue, Promise.all": "`Promise.all(inputs.map((i) => queue.add(async () => i)))`, concurrency 8",
  "effect-queue+8-fibers": "`Queue.bounded(1024)`, 8 fibers on `Queue.take`, a producer offering one by one",
  "forEach(async no-op)": "`Effect.forEach` unbounded over an effect that suspends and is resumed in batches: the first idiom's floor, no pool",
  "troupe round trip": "one submitter: `yield* Pool.submit(pool, i)` in a loop",
  "effect-queue+deferred round trip": "one submitter: offer `[i, Deferred]` to a queue a fiber serves, await the Deferred"
}

export const idioms: Section = {
  key: "H",
  label: `H. the idioms users write: ${fmt(Idioms.JOBS)} no-op jobs, ${Idioms.WORKERS} workers`,
  runs: (rounds) => rounds * Idioms.contenders.length,
  run: measured("H", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../idioms.ts", import.meta.url).href, Idioms.contenders, rounds, { log, signal, onSample: tick })
    const ns = (name: string) => median(results.map((r) => Number(r[name]!.nsPerJob)))
    const heap = (name: string) => median(results.map((r) => Number(r[name]!.peakMb)))
    const ratio = (name: string, base: string) => median(results.map((r) => Number(r[name]!.nsPerJob) / Number(r[base]!.nsPerJob)))
    const rows = Idioms.contenders.map((name) => [
      name,
      what[name]!,
      fmt(ns(name)),
      name.includes("round trip") ? "–" : ratio(name, "p-queue, Promise.all").toFixed(2),
      name.includes("round trip") ? "–" : ratio(name, "effect-queue+8-fibers").toFixed(2),
      fmt(heap(name), 1)
    ])
    const forEach = ratio("troupe forEach(submit)", "p-queue, Promise.all")
    const floor = ratio("forEach(async no-op)", "p-queue, Promise.all")
    const promises = ratio("troupe PromisePool.run, Promise.all", "p-queue, Promise.all")
    const batch = ratio("troupe submitAll", "effect-queue+8-fibers")
    const batchHeap = heap("troupe submitAll") / heap("effect-queue+8-fibers")
    const trip = ratio("troupe round trip", "effect-queue+deferred round trip")
    const markdown = [
      `### H. The idioms users write (${fmt(Idioms.JOBS)} no-op jobs, ${Idioms.WORKERS} workers)`,
      "",
      "Each idiom in a fresh process per round, warmed up twice, the median of three runs; the pool is " +
      "`Pool.make({ handler: (n) => Effect.sync(() => n), maxWorkers: 8 })`, its defaults otherwise. Peak heap: the " +
      "most the heap held above its level before the run, sampled every millisecond in a run of its own (untimed). Round trips: " +
      `${fmt(Idioms.ROUND_TRIPS)} of them, one at a time.`,
      "",
      table(["idiom", "what it runs", "ns/job (median)", "× p-queue (same round)", "× Queue+fibers (same round)", "peak heap MiB"], rows),
      "",
      `The batch path, \`Pool.submitAll\`, costs **${batch.toFixed(2)}×** an Effect Queue + 8 fibers per job (target ≤ 1.2×: ${met(batch <= 1.2)}) ` +
      `with **${batchHeap.toFixed(2)}×** its peak heap (target ≤ 2×: ${met(batchHeap <= 2)}). ` +
      `\`PromisePool.run\` under \`Promise.all\` takes **${promises.toFixed(2)}×** p-queue's time per job (target ≤ 0.5×: ${met(promises <= 0.5)}). ` +
      `\`Effect.forEach\` of \`Pool.submit\`, unbounded, takes **${forEach.toFixed(2)}×** p-queue's time (target ≤ 0.5×: ${met(forEach <= 0.5)}); ` +
      `the idiom itself, with no pool behind it (\`forEach(async no-op)\`), already takes ${floor.toFixed(2)}×: a fiber per element is ` +
      `its price, which is why the docs recommend \`submitAll\` or \`Pool.stream\` for batches. ` +
      `One submitter at a time: **${trip.toFixed(2)}×** an Effect Queue + Deferred round trip (target ≤ 2×: ${met(trip <= 2)}).`
    ].join("\n")
    return { markdown, charts: [], samples: results }
  })
}
