// `troupe --runners N` (`npm start -- --runners N`): the study across 1..N
// runner processes (`troupe runner`, each a troupe pool of one worker)
// sharing PostgreSQL: the server at --postgres, else one started here and
// stopped at the end. Prints a table per job kind, as the study does, with
// runner processes where the study has workers.
import { Console, Effect } from "effect"
import { fileURLToPath } from "node:url"
import * as Processes from "../lib/cluster/processes.ts"
import { type KindResult, runKind } from "../lib/cluster/study.ts"
import { fmt } from "../lib/format.ts"
import * as Postgres from "../lib/postgres.ts"
import * as Progress from "../lib/progress.ts"
import { kindHeader, kindRows } from "../lib/report/summary.ts"
import type { StudyPlan } from "../lib/study/plan.ts"
import type { StudyInput } from "./commands.ts"
import { reportError } from "./presenter.ts"
import { textTable } from "./report/table.ts"

const main = fileURLToPath(new URL("./main.ts", import.meta.url))

const title = (k: KindResult) =>
  k.plan.kind === "sleep"
    ? `Sleep jobs across runner processes: ${k.plan.jobs} jobs of ${fmt(k.plan.size)} ms`
    : `CPU jobs (digits of pi) across runner processes: ${k.plan.jobs} jobs of ${fmt(k.plan.size)} digits (~${fmt(k.jobMs)} ms each)`

export const run = (plan: StudyPlan & { readonly distributed: NonNullable<StudyPlan["distributed"]> }, options: StudyInput) =>
  Effect.gen(function*() {
    const pg = yield* Postgres.make(plan.distributed.postgres)
    yield* Postgres.check(pg)
    const env = { TROUPE_POSTGRES_URL: Postgres.urlOf(pg) } // in the environment, not on a command line others can read
    const start = (name: string) => Processes.start(name, [main, "runner", "--name", name, "--max-workers", "1"], env)
    const kinds = yield* Effect.forEach(plan.kinds, (kind) => runKind(kind, plan, start)).pipe(
      Effect.provide(Processes.clientLayer(pg)),
      Effect.provide(Progress.layer(Progress.modeFor(options)))
    )
    if (options.json) return yield* Console.log(JSON.stringify({ postgres: { embedded: pg.embedded }, kinds }, null, 2))
    const where = pg.embedded ? "PostgreSQL embedded (started here)" : `PostgreSQL at ${pg.host}:${pg.port}/${pg.database}`
    yield* Console.log(
      [
        `troupe distributed study: 1..${plan.distributed.runners} runner processes (troupe runner, a pool of one worker each), ${where}; ` +
        `a message per job, the median of ${plan.repeat} batches`,
        ...kinds.flatMap((k) => ["", title(k), textTable(["runners", ...kindHeader.slice(1)], kindRows({ jobs: k.plan.jobs, rows: k.rows }))])
      ].join("\n")
    )
  }).pipe(Effect.scoped, Effect.catchTags({ PostgresError: reportError("troupe"), RunnerFailed: reportError("troupe") }))
