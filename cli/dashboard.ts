// `troupe dashboard`: the live dashboard (troupe/Dashboard) on a demo
// workload (lib/dashboardDemo.ts), until Ctrl-C. The address goes to stdout.
import { Console, Effect, Option } from "effect"
import * as Dashboard from "troupe/Dashboard"
import { demoPool, waves } from "../lib/dashboardDemo.ts"
import type { DashboardInput } from "./commands.ts"
import { reportError } from "./presenter.ts"

export const run = (input: DashboardInput) =>
  Effect.gen(function*() {
    const pool = yield* demoPool
    yield* Dashboard.watch(pool)
    yield* Console.log(`troupe dashboard: ${(yield* Dashboard.Dashboard).url} (a demo workload; Ctrl-C to stop)`)
    yield* waves(pool)
  }).pipe(
    Effect.scoped,
    Effect.provide(Dashboard.layer({ host: input.host, port: Option.getOrUndefined(input.port) })),
    Effect.catchTag("DashboardError", reportError("troupe dashboard"))
  )
