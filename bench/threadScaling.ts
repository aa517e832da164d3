// CPU jobs on 1, 2, 4, … N thread workers (N: the machine's cores), troupe
// against piscina, each in a fresh process per round: the speed-up a machine
// with more than two cores shows. Not part of `npm run bench` (the usual
// machines have two cores, which section C covers); run it where there are
// more: `npx node bench/threadScaling.ts` (TROUPE_ROUNDS, default 2).
import { availableParallelism, cpus } from "node:os"
import { fmt } from "../lib/format.ts"
import { median } from "../lib/stats.ts"
import { runRounds, table } from "./lib/harness.ts"
import { CPU_JOBS, PI_DIGITS, scaleContenders, scaleJobs, scaleTeams } from "./threads.ts"

const rounds = Number(process.env.TROUPE_ROUNDS ?? 2)
const cores = availableParallelism()
const teams = scaleTeams(cores)
const who = scaleContenders
const results = await runRounds(new URL("./threads.ts", import.meta.url).href, who.map((w) => `${w}/scale`), rounds, {
  log: (line) => console.error(line)
})
const ms = (w: string, threads: number) => median(results.map((r) => Number(r[`${w}/scale`]![`ms${threads}`])))
const rows = teams.map((threads) => [
  String(threads),
  ...who.flatMap((w) => [fmt(ms(w, threads)), (ms(w, 1) / ms(w, threads)).toFixed(2)]),
  (ms("troupe", threads) / ms("piscina", threads)).toFixed(2),
  (ms("troupe", threads) / ms("troupe-leastLoaded", threads)).toFixed(2)
])
console.log([
  `${scaleJobs(cores)} CPU jobs (${fmt(PI_DIGITS)} digits of pi each, as section C's ${CPU_JOBS}) on ${cpus()[0]?.model ?? "cpu"}, ` +
  `${cores} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; best of three batches, median of ${rounds} rounds.`,
  "",
  "troupe: default options, work stealing; troupe-leastLoaded: the same with least-loaded dispatch.",
  "",
  table([
    "threads",
    ...who.flatMap((w) => [`${w} ms`, `${w} speed-up`]),
    "troupe ÷ piscina time",
    "stealing ÷ least-loaded time"
  ], rows),
  "",
  "Raw (ms per team, each round): " + JSON.stringify(results)
].join("\n"))
