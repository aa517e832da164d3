// Bench G's server, one contender per process (`server.ts NAME`), started by
// the load generator (bench/http.ts) with an IPC channel: it listens on
// 127.0.0.1 at a free port, says which, and serves GET /hash?input=… (the
// PBKDF2 of work.ts) until told to stop or its parent goes away. "mark"
// answers with the process's CPU time (its threads' included) and the main
// thread's event-loop utilization, for the measured window.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { type FromServer, hashOf, inputOf, PATH, THREADS, type ToServer } from "./work.ts"

const tell = (message: FromServer): void => void process.send!(message)

process.on("message", (message: ToServer) => {
  if (message === "stop") process.exit(0)
  const { user, system } = process.cpuUsage()
  tell({ type: "mark", cpuUs: user + system, elu: performance.eventLoopUtilization() })
})
process.on("disconnect", () => process.exit(0))

const respond = (res: ServerResponse, hex: string): void => {
  res.writeHead(200, { "content-type": "text/plain", "content-length": hex.length })
  res.end(hex)
}

/** A plain `node:http` server whose route hands the input to `compute`. */
const nodeServer = (compute: (input: string) => Promise<string> | string): Promise<void> => {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const input = req.url?.startsWith(`${PATH}?`) ? inputOf(req.url) : undefined
    if (input === undefined) return void res.writeHead(404).end()
    const out = compute(input)
    if (typeof out === "string") return respond(res, out)
    out.then((hex) => respond(res, hex), () => void res.writeHead(500).end())
  })
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      tell({ type: "listening", port: (server.address() as AddressInfo).port })
      resolve()
    }))
}

/** troupe behind Effect's HTTP server: the route's handler is `Pool.submit`. */
const troupeEffect = async (): Promise<void> => {
  const [{ Context, Effect, Layer }, { HttpRouter, HttpServer, HttpServerResponse }, { NodeHttpServer }, { Pool }, { hash }] = await Promise.all([
    import("effect"),
    import("effect/http"),
    import("@effect/platform-node"),
    import("troupe"),
    import("./hash.troupe.ts")
  ])
  const program = Effect.gen(function*() {
    const pool = yield* Pool.make({ handler: hash, minWorkers: THREADS, maxWorkers: THREADS, scaling: "fixed" })
    const route = HttpRouter.add("GET", PATH, (request) => {
      const input = inputOf(request.url)
      return input === undefined
        ? Effect.succeed(HttpServerResponse.empty({ status: 400 }))
        : Pool.submit(pool, input).pipe(Effect.map((hex) => HttpServerResponse.text(hex)))
    })
    // No per-request log line (the node:http servers write none either).
    const app = HttpRouter.serve(route, { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    )
    const context = yield* Layer.build(app)
    const address = Context.get(context, HttpServer.HttpServer).address
    if (!("port" in address)) return yield* Effect.die(new Error("not a TCP address"))
    tell({ type: "listening", port: address.port })
    return yield* Effect.never
  })
  Effect.runFork(Effect.scoped(program))
}

/** troupe's Promise façade behind `node:http`: `await pool.run(input)`. */
const troupeNodeHttp = async (): Promise<void> => {
  const [{ PromisePool }, { hash }] = await Promise.all([import("troupe"), import("./hash.troupe.ts")])
  const pool = await PromisePool.make({ handler: hash, minWorkers: THREADS, maxWorkers: THREADS, scaling: "fixed" })
  return nodeServer((input) => pool.run(input))
}

const piscina = async (): Promise<void> => {
  const { Piscina } = await import("piscina")
  const pool = new Piscina<string, string>({ filename: new URL("./hash.piscina.ts", import.meta.url).href, minThreads: THREADS, maxThreads: THREADS })
  return nodeServer((input) => pool.run(input))
}

const poolifier = async (): Promise<void> => {
  const { FixedThreadPool } = await import("poolifier")
  const pool = new FixedThreadPool<string, string>(THREADS, fileURLToPath(new URL("./hash.poolifier.ts", import.meta.url)))
  return nodeServer((input) => pool.execute(input))
}

const servers: Record<string, () => Promise<void>> = {
  troupe: troupeEffect,
  "troupe-node-http": troupeNodeHttp,
  piscina,
  poolifier,
  inline: () => nodeServer(hashOf)
}

const name = process.argv[2]
if (name === undefined || !(name in servers)) throw new Error(`bench/http/server.ts: unknown server ${name}`)
await servers[name]!()
