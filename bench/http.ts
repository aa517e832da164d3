// G. An HTTP service: GET /hash?input=… computes a PBKDF2 key (bench/http/work.ts)
// on a pool of 2 threads, or on the main thread (`inline`). A child
// (`--child NAME`) is the load generator: it starts NAME's server in a
// process of its own (bench/http/server.ts), keeps CONNECTIONS keep-alive
// connections busy (each one request at a time: a closed loop) for a warm-up,
// then measures MEASURE_MS (the run ends sooner after MAX_REQUESTS): the
// responses that arrive in the window per second and their latencies in µs;
// then it checks some answers and stops the server.
import { spawn } from "node:child_process"
import { Agent, request } from "node:http"
import { fileURLToPath } from "node:url"
import { childName } from "./lib/harness.ts"
import { CONNECTIONS, type FromServer, hashOf, MAX_REQUESTS, MEASURE_MS, PATH, type ToServer, WARM_UP_MS } from "./http/work.ts"

export { CONNECTIONS, ITERATIONS, MEASURE_MS, THREADS, WARM_UP_MS } from "./http/work.ts"

export const contenders = ["troupe", "troupe-node-http", "piscina", "poolifier", "inline"] as const
/** The pools troupe is measured against (`inline` is the no-pool floor). */
export const peers = ["piscina", "poolifier"] as const

/** A run's numbers, as the child prints them. */
export interface Result {
  readonly reqPerSec: number
  readonly p50Us: number
  readonly p99Us: number
  readonly requests: number
  /** The server process's CPU time (main thread and pool threads) per measured request. */
  readonly serverCpuUsPerReq: number
  /** How busy the server's main thread was over the measured window (0..1). */
  readonly mainElu: number
}

/** The `q`-th quantile (0..1) of sorted samples, by nearest rank. */
export const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!

const startServer = (name: string) => {
  const server = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL("./http/server.ts", import.meta.url)), name], {
    stdio: ["ignore", "ignore", "inherit", "ipc"]
  })
  // The server answers in order: each message settles the oldest wait; its exit fails them all.
  const waiting: Array<{ readonly resolve: (m: FromServer) => void; readonly reject: (e: Error) => void }> = []
  server.on("message", (message: FromServer) => waiting.shift()?.resolve(message))
  server.on("exit", (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`server ${name} exited with ${signal ?? code}`))
  })
  const next = (): Promise<FromServer> => new Promise((resolve, reject) => void waiting.push({ resolve, reject }))
  const ask = async (message: ToServer) => {
    const answer = next()
    server.send(message)
    const m = await answer
    if (m.type !== "mark") throw new Error(`server ${name}: unexpected ${m.type}`)
    return m
  }
  return { server, next, ask }
}

/** Answers checked against hashOf after the run. */
const CHECKS = 32

const run = async (name: string): Promise<Result> => {
  const { server, next, ask } = startServer(name)
  process.on("exit", () => server.kill())
  const listening = await next()
  if (listening.type !== "listening") throw new Error(`server ${name}: no port`)
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })

  // One request; resolves with its body (rejects on a status other than 200).
  const get = (input: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request({ agent, host: "127.0.0.1", port: listening.port, path: `${PATH}?input=${input}` }, (res) => {
        let body = ""
        res.setEncoding("latin1")
        res.on("data", (chunk: string) => (body += chunk))
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${name}: status ${res.statusCode}`))))
        res.on("error", reject)
      })
      req.on("error", reject)
      req.end()
    })

  const latencies = new Float64Array(MAX_REQUESTS)
  const checks: Array<readonly [string, string]> = []
  let measured = 0
  let issued = 0
  let phase: "warm-up" | "measure" | "done" = "warm-up"
  // A connection's loop: one request at a time, until the run is done.
  const connection = async (c: number) => {
    while (phase !== "done" && issued < MAX_REQUESTS) {
      const input = `c${c}-${issued++}`
      const start = performance.now()
      const body = await get(input)
      // Counted: every response that arrives in the measured window.
      if (phase === "measure") latencies[measured++] = (performance.now() - start) * 1000
      if (checks.length < CHECKS) checks.push([input, body])
    }
  }
  const loops = Array.from({ length: CONNECTIONS }, (_, c) => connection(c))
  const ended = Promise.all(loops)
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS))
  const before = await ask("mark")
  phase = "measure"
  const start = performance.now()
  await Promise.race([new Promise((resolve) => setTimeout(resolve, MEASURE_MS)), ended])
  phase = "done"
  const seconds = (performance.now() - start) / 1000
  const after = await ask("mark")
  await ended
  server.send("stop" satisfies ToServer)
  agent.destroy()

  for (const [input, body] of checks) if (body !== hashOf(input)) throw new Error(`${name}: wrong hash for ${input}`)
  const sorted = latencies.subarray(0, measured).sort()
  const active = after.elu.active - before.elu.active
  const idle = after.elu.idle - before.elu.idle
  return {
    reqPerSec: measured / seconds,
    p50Us: quantile(sorted, 0.5),
    p99Us: quantile(sorted, 0.99),
    requests: measured,
    serverCpuUsPerReq: (after.cpuUs - before.cpuUs) / measured,
    mainElu: active / (active + idle)
  }
}

const name = childName()
if (name !== undefined) {
  console.log(JSON.stringify(await run(name)))
  process.exit(0)
}
