/**
 * A live dashboard of troupe pools in a browser: each worker as its
 * lifecycle statechart with the current state lit, queue depth per worker,
 * throughput, wait and run percentiles, and the supervisors' decisions on a
 * timeline; in a process of a distributed troupe (`troupe/Cluster`), its
 * runners too. Served by Effect's HTTP server on 127.0.0.1 (another host
 * only when given), pushed over server-sent events while a page is open.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.make({ handler })
 *   yield* Dashboard.watch(pool)
 *   console.log((yield* Dashboard.Dashboard).url)
 * }).pipe(Effect.provide(Dashboard.layer({ port: 9464 })))
 * ```
 *
 * @since 0.6.0
 */
import { Context, Duration, Effect, Layer, PubSub, Schema, type Scope } from "effect"
import { RunnerStorage } from "effect/cluster"
import { HttpServer } from "effect/http"
import type { InspectionEvent } from "../engine/Inspection.ts"
import type * as Pool from "../Pool.ts"
import * as Server from "./internal/server.ts"
import { impl } from "../engine/internal/poolImpl.ts"

/** The dashboard could not start: no echarts to serve, or the address is taken. */
export class DashboardError extends Schema.TaggedError<DashboardError>()("DashboardError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Unknown)
}) {}

// A server error's Node cause, in words: "address in use (EADDRINUSE)".
const why = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  if (cause?.code === "EADDRINUSE") return "the address is in use (EADDRINUSE)"
  if (cause?.code === "EADDRNOTAVAIL") return "no such address on this machine (EADDRNOTAVAIL)"
  if (cause?.code === "EACCES") return "permission denied (EACCES)"
  return cause?.message ?? String(error)
}

/** @category models */
export interface Options {
  /** The interface to listen on (default 127.0.0.1: this machine only). `0.0.0.0` serves every interface: say so only on purpose. */
  readonly host?: string | undefined
  /** The port (default 0: a free one; read it from `url`). */
  readonly port?: number | undefined
  /** How often an open page gets a snapshot (default 250 ms). */
  readonly interval?: Duration.Input | undefined
}

/** A running dashboard: where it is, and how to put a pool on it. */
export class Dashboard extends Context.Service<Dashboard, {
  readonly url: string
  /** Shows `pool` until the scope closes (or the pool does). */
  readonly watch: (pool: Pool.Pool<any, any, any>) => Effect.Effect<void, never, Scope.Scope>
  /** Pages open now: with none, nothing is sampled or sent. */
  readonly clients: Effect.Effect<number>
}>()("troupe/Dashboard") {}

/**
 * The dashboard, listening for the layer's lifetime.
 *
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Dashboard, DashboardError> =>
  Layer.effect(Dashboard)(Effect.gen(function*() {
    const echarts = Server.echartsSource()
    if (echarts === undefined) {
      return yield* new DashboardError({ message: "the dashboard draws with echarts, which is not installed (npm install echarts)" })
    }
    const host = options.host ?? "127.0.0.1"
    const pools = new Set<Pool.Pool<any, any, any>>()
    const decisions = yield* PubSub.unbounded<InspectionEvent>()
    // In a process of a distributed troupe (a runner's, or a client's), its runners are on the page too.
    const storage = yield* Effect.serviceOption(RunnerStorage.RunnerStorage)
    const runners = storage._tag === "None" ? undefined : storage.value.getRunners.pipe(
      Effect.map((list) => list.map(([runner, healthy]) => ({ address: `${runner.address.host}:${runner.address.port}`, healthy }))),
      Effect.orElseSucceed(() => [])
    )
    const served: Server.Served = { pools, runners, open: 0, decisions, interval: options.interval ?? Duration.millis(250), echarts }
    const context = yield* Layer.build(Server.layer(served, host, options.port ?? 0)).pipe(
      Effect.mapError((cause) => new DashboardError({ message: `the dashboard could not listen on ${host}:${options.port ?? 0}: ${why(cause)}`, cause }))
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    if (!("port" in address)) return yield* new DashboardError({ message: "the dashboard's server is not on a TCP port" })
    const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host // every interface: this machine's is one of them
    const url = `http://${shown.includes(":") ? `[${shown}]` : shown}:${address.port}/`
    const watch = (pool: Pool.Pool<any, any, any>) =>
      Effect.gen(function*() {
        pools.add(pool)
        yield* Effect.addFinalizer(() => Effect.sync(() => void pools.delete(pool)))
        // The team's decisions, forwarded while the pool is watched: a listener on them alone, not a
        // subscriber to every worker transition (which a busy pool makes per job).
        const listeners = impl(pool).core.decisionListeners
        const forward = (event: InspectionEvent) => void PubSub.publishUnsafe(decisions, event)
        listeners.add(forward)
        yield* Effect.addFinalizer(() => Effect.sync(() => void listeners.delete(forward)))
      })
    return { url, watch, clients: Effect.sync(() => served.open) }
  }))

/**
 * Shows `pool` on the dashboard in the context until the scope closes.
 *
 * @category combinators
 */
export const watch = (pool: Pool.Pool<any, any, any>): Effect.Effect<void, never, Dashboard | Scope.Scope> =>
  Effect.gen(function*() {
    const dashboard = yield* Dashboard
    yield* dashboard.watch(pool)
  })
