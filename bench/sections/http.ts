// Section G: an HTTP service whose one route hashes on a pool of 2 threads,
// troupe against piscina and poolifier, from bench/http.ts.
import { fmt } from "../../lib/format.ts"
import { barChart } from "../../lib/report/charts.ts"
import { median } from "../../lib/stats.ts"
import { runRounds, type Sample, table } from "../lib/harness.ts"
import { type Chart, image, measured, met, type Section } from "../lib/section.ts"
import * as Http from "../http.ts"

export const http: Section = {
  key: "G",
  label: `G. HTTP /hash: ${Http.CONNECTIONS} connections, ${Http.THREADS} threads`,
  runs: (rounds) => rounds * Http.contenders.length,
  run: measured("G", async ({ rounds, log, tick, signal }) => {
    const results = await runRounds(new URL("../http.ts", import.meta.url).href, Http.contenders, rounds, { log, signal, onSample: tick })
    const num = (s: Sample, key: keyof Http.Result) => Number(s[key])
    const all = (name: string, key: keyof Http.Result) => results.map((r) => num(r[name]!, key))
    const med = (name: string, key: keyof Http.Result) => median(all(name, key))
    // Each round's best peer: the one that served the most requests per second in that round.
    const best = (round: Record<string, Sample>) =>
      Http.peers.map((p) => round[p]!).reduce((a, b) => (num(b, "reqPerSec") > num(a, "reqPerSec") ? b : a))
    const vsBest = (name: string, key: keyof Http.Result) => median(results.map((r) => num(r[name]!, key) / num(best(r), key)))
    // The per-round ratios' range: how far one round may stray on a shared machine.
    const spread = (name: string, key: keyof Http.Result) => {
      const xs = results.map((r) => num(r[name]!, key) / num(best(r), key))
      return `rounds ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`
    }
    const vs = (a: string, b: string, key: keyof Http.Result) => median(results.map((r) => num(r[a]!, key) / num(r[b]!, key)))
    const vsDiff = (name: string) => median(results.map((r) => num(r[name]!, "serverCpuUsPerReq") - num(r.inline!, "serverCpuUsPerReq")))
    const ms = (us: number) => fmt(us / 1000, 1)
    const rows = Http.contenders.map((name) => {
      const rps = all(name, "reqPerSec")
      return [
        name,
        fmt(median(rps)),
        `${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}`,
        ms(med(name, "p50Us")),
        ms(med(name, "p99Us")),
        vsBest(name, "reqPerSec").toFixed(2),
        vsBest(name, "p99Us").toFixed(2),
        fmt(med(name, "serverCpuUsPerReq")),
        `${fmt(100 * med(name, "mainElu"))}%`
      ]
    })
    const bestNames = results.map((r) => best(r).contender)
    const bestCount = Http.peers.map((p) => `${p} ${bestNames.filter((n) => n === p).length}`).join(", ")
    const rps = vsBest("troupe", "reqPerSec")
    const p99 = vsBest("troupe", "p99Us")
    const nodeRps = vsBest("troupe-node-http", "reqPerSec")
    const nodeP99 = vsBest("troupe-node-http", "p99Us")
    const charts: Array<Chart> = [
      {
        file: "http-throughput.svg",
        svg: barChart({
          title: `Requests per second, GET /hash on ${Http.THREADS} threads (higher is better)`,
          categories: Http.contenders,
          yName: "req/s (median)",
          values: Http.contenders.map((name) => Math.round(med(name, "reqPerSec")))
        })
      },
      {
        file: "http-p99.svg",
        svg: barChart({
          title: `p99 latency, GET /hash on ${Http.THREADS} threads (lower is better)`,
          categories: Http.contenders,
          yName: "p99 ms (median)",
          values: Http.contenders.map((name) => Math.round(med(name, "p99Us") / 100) / 10)
        })
      }
    ]
    const markdown = [
      `### G. An HTTP service: GET /hash on ${Http.THREADS} threads (${Http.CONNECTIONS} keep-alive connections)`,
      "",
      `One route, \`GET /hash?input=…\`, answers the PBKDF2-HMAC-SHA256 key of its input (\`crypto.pbkdf2Sync\`, ${fmt(Http.ITERATIONS)} iterations, ` +
      `32 bytes, in hex: ${fmt(med("inline", "serverCpuUsPerReq") / 1000, 2)} ms of server CPU per request, \`node:http\`'s part included, in \`inline\`'s runs) computed on a pool of ${Http.THREADS} threads; each contender's server runs in a fresh process per round on 127.0.0.1 (a free port). ` +
      `\`troupe\`: Effect's HTTP server, \`HttpRouter.serve(HttpRouter.add("GET", "/hash", handler), { disableLogger: true })\` on ` +
      `\`NodeHttpServer.layer(createServer, …)\`, whose handler is \`Pool.submit(pool, input)\` to ` +
      `\`Pool.make({ handler: Thread.handler(...), minWorkers: ${Http.THREADS}, maxWorkers: ${Http.THREADS}, scaling: "fixed" })\` (the other options default: one job in flight per thread); ` +
      `the route logs no line per request (\`disableLogger\`), as the \`node:http\` servers write none; its tracing is left on, as by default. ` +
      `\`troupe-node-http\`: the same pool from \`PromisePool.make\` (same options) behind a plain \`node:http\` server, \`await pool.run(input)\`: what the HTTP server costs apart from the pool. ` +
      `\`piscina\`: \`node:http\` and \`new Piscina({ minThreads: ${Http.THREADS}, maxThreads: ${Http.THREADS} })\`, \`pool.run(input)\`. ` +
      `\`poolifier\`: \`node:http\` and \`new FixedThreadPool(${Http.THREADS}, file)\`, \`pool.execute(input)\`. ` +
      `\`inline\`: \`node:http\` computing on the main thread, the floor without a pool. All other options are the libraries' defaults. ` +
      `The load comes from another process (\`node:http\` \`Agent({ keepAlive: true })\`): ${Http.CONNECTIONS} connections, each with one request at a time, ` +
      `${fmt(Http.WARM_UP_MS)} ms of warm-up, then ${fmt(Http.MEASURE_MS)} ms measured: the responses that arrive in that window per second, ` +
      `and each one's latency from its request to its last byte (p50 and p99 of all of a run's samples, then the median over rounds). ` +
      `The best peer is, in each round, whichever of piscina and poolifier served more requests per second (here: ${bestCount} of ${rounds} rounds); ` +
      `server CPU is the server process's (main thread and pool threads) per measured request; main thread busy is its event-loop utilization over the window. ` +
      `The machine's cores are shared by the server's main thread, its pool's threads and the load generator: what the HTTP server spends per request comes out of the hashing. ` +
      `With a closed loop, p50 ≈ ${Http.CONNECTIONS} ÷ requests per second (Little's law); p99 tells how unevenly requests wait.`,
      "",
      table(
        ["contender", "req/s (median)", "min–max", "p50 ms", "p99 ms", "× best peer req/s (same round)", "p99 × best peer's (same round)", "server CPU µs/req", "main thread busy"],
        rows
      ),
      "",
      image("Requests per second on GET /hash, per contender (higher is better)", charts[0]!),
      "",
      image("p99 latency on GET /hash, per contender (lower is better)", charts[1]!),
      "",
      `troupe behind Effect's HTTP server serves **${rps.toFixed(2)}×** the best peer's requests per second (${spread("troupe", "reqPerSec")}; target ≥ 1: ${met(rps >= 1)}) ` +
      `with **${p99.toFixed(2)}×** its p99 latency (${spread("troupe", "p99Us")}; target ≤ 1: ${met(p99 <= 1)}). ` +
      `Behind \`node:http\`, the same pool serves ${nodeRps.toFixed(2)}× the best peer's requests per second with ${nodeP99.toFixed(2)}× its p99; ` +
      `Effect's HTTP server serves ${vs("troupe", "troupe-node-http", "reqPerSec").toFixed(2)}× what \`node:http\` does in front of the same pool ` +
      `(${fmt(med("troupe", "serverCpuUsPerReq") - med("troupe-node-http", "serverCpuUsPerReq"))} µs more server CPU per request). ` +
      `The pools serve ${vs("troupe", "inline", "reqPerSec").toFixed(2)}× (troupe), ${vs("piscina", "inline", "reqPerSec").toFixed(2)}× (piscina) and ` +
      `${vs("poolifier", "inline", "reqPerSec").toFixed(2)}× (poolifier) what the main thread alone does. ` +
      `Server CPU per request beyond \`inline\`'s (what the pool and the HTTP server add to the hash and \`node:http\`): ` +
      Http.contenders.filter((name) => name !== "inline").map((name) => `${name} ${fmt(vsDiff(name))} µs`).join(", ") + "."
    ].join("\n")
    return { markdown, charts, samples: results }
  })
}
