// The dashboard's HTTP server, on Effect's HTTP server (NodeHttpServer):
// the page, echarts from this process's node_modules, the worker statechart
// as a graph (xstate/graph), and /events, a stream of server-sent events per
// open page: snapshots of the watched pools on a tick, and the teams'
// decisions as they come. A stream exists only while its page is open; a
// closed tab ends it, and with it the tick.
import { NodeHttpServer } from "@effect/platform-node"
import { type Duration, Effect, Layer, PubSub, Stream } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import { createRequire } from "node:module"
import { toDirectedGraph } from "xstate/graph"
import * as WorkerLifecycle from "../../actors/WorkerLifecycle.ts"
import type { InspectionEvent } from "../../engine/Inspection.ts"
import type { Pool } from "../../Pool.ts"
import { html } from "./page.ts"
import { poolView } from "./snapshot.ts"

/** echarts' browser build, read once; undefined when the package is not installed. */
export const echartsSource = (): string | undefined => {
  try {
    return readFileSync(createRequire(import.meta.url).resolve("echarts/dist/echarts.min.js"), "utf8")
  } catch {
    return undefined
  }
}

const short = (id: string) => id.slice(id.lastIndexOf(".") + 1)

/** The worker machine's states and transitions, for the page to draw. */
export const graph = () => {
  const directed = toDirectedGraph(WorkerLifecycle.machine)
  return {
    states: directed.children.map((node) => short(node.id)),
    edges: directed.children.flatMap((node) =>
      node.edges.map((edge) => ({ from: short(edge.source.id), to: short(edge.target.id), event: edge.label.text }))
    )
  }
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** A distributed troupe's runner, as the cluster's runner storage has it. */
export interface RunnerView {
  readonly address: string
  readonly healthy: boolean
}

export interface Served {
  readonly pools: ReadonlySet<Pool<any, any, any>>
  /** In a process of a distributed troupe: its runners, read from the cluster's storage once a second. */
  readonly runners: Effect.Effect<ReadonlyArray<RunnerView>> | undefined
  /** Pages with /events open now. */
  open: number
  readonly decisions: PubSub.PubSub<InspectionEvent>
  readonly interval: Duration.Input
  readonly echarts: string
}

const routes = (served: Served) => {
  const page = HttpServerResponse.text(html, { contentType: "text/html; charset=utf-8" })
  const script = HttpServerResponse.text(served.echarts, { contentType: "text/javascript; charset=utf-8" })
  const machine = HttpServerResponse.text(JSON.stringify(graph()), { contentType: "application/json" })
  const events = Effect.sync(() => {
    served.open++
    const snapshots = Stream.tick(served.interval).pipe(
      Stream.mapEffect(() => Effect.forEach([...served.pools], poolView)),
      Stream.map((views) => sse("snapshot", views))
    )
    const decisions = Stream.fromPubSub(served.decisions).pipe(Stream.map((event) => sse("decision", event)))
    const runners = served.runners === undefined ? Stream.empty : Stream.tick("1 second").pipe(
      Stream.mapEffect(() => served.runners!),
      Stream.map((list) => sse("runners", list))
    )
    const body = Stream.mergeAll([snapshots, decisions, runners], { concurrency: "unbounded" }).pipe(Stream.ensuring(Effect.sync(() => void served.open--)))
    return HttpServerResponse.stream(Stream.encodeText(body), {
      contentType: "text/event-stream",
      headers: { "cache-control": "no-cache" }
    })
  })
  return Layer.mergeAll(
    HttpRouter.add("GET", "/", page),
    HttpRouter.add("GET", "/echarts.js", script),
    HttpRouter.add("GET", "/graph", machine),
    HttpRouter.add("GET", "/events", events)
  )
}

/** The server for `served`, listening on `host:port` (0: a free port). */
export const layer = (served: Served, host: string, port: number) =>
  HttpRouter.serve(routes(served), { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port, host }))
  )
