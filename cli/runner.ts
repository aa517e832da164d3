// `troupe runner`: one runner process of a distributed troupe, serving the
// study's job type (lib/cluster/studyJob.ts) from a troupe pool, on Effect
// Cluster with PostgreSQL (`--postgres`, else one started here for its
// lifetime, whose URL it prints for more runners to join). It runs until
// SIGINT or SIGTERM, then hands its shards back gracefully.
import { NodeClusterSocket } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { RunnerAddress } from "effect/cluster"
import * as Cluster from "troupe/Cluster"
import * as Processes from "../lib/cluster/processes.ts"
import { StudyJob } from "../lib/cluster/studyJob.ts"
import * as Postgres from "../lib/postgres.ts"
import type { RunnerInput } from "./commands.ts"
import { reportError } from "./presenter.ts"

export const run = (input: RunnerInput) =>
  Effect.gen(function*() {
    const pg = yield* Postgres.make(Option.getOrUndefined(input.postgres))
    yield* Postgres.check(pg)
    const port = yield* Option.match(input.port, { onNone: () => Postgres.freePort, onSome: Effect.succeed })
    const name = Option.getOrElse(input.name, () => `runner-${process.pid}`)
    process.env.RUNNER_NAME = name // what its jobs answer
    if (pg.embedded) {
      yield* Console.error(
        `PostgreSQL started here (embedded) for this runner's lifetime. More runners: TROUPE_POSTGRES_URL='${Postgres.urlOf(pg)}' npm start -- runner`
      )
    }
    const cluster = NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: { ...Cluster.shardingConfig, runnerAddress: Option.some(RunnerAddress.make(input.host, port)) }
    }).pipe(Layer.provideMerge(Processes.sqlLayer(pg)))
    yield* Cluster.runner(StudyJob, { pool: { maxWorkers: input.maxWorkers } }).pipe(
      Layer.provide(cluster),
      Layer.tap(() => Console.error(`troupe runner ${name}: ready on ${input.host}:${port}, PostgreSQL at ${pg.host}:${pg.port}/${pg.database}`)),
      Layer.launch
    )
  }).pipe(Effect.scoped, Effect.catchTag("PostgresError", reportError("troupe runner")))
