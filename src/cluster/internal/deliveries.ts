// How many times each persisted message has been started on a runner: its
// attempt number. Effect Cluster redelivers a message whose runner died
// before storing the reply, and keeps no count; a runner counts here, once
// per message (a job alone, or a whole batch), before its jobs start. In the
// cluster's SQL database when it has one (a table of its own, rows deleted
// with the runner's retention), else in memory (one process: the test runner).
import { Clock, Duration, Effect, Schedule, type Scope } from "effect"
import { MessageStorage } from "effect/cluster"
import { SqlClient } from "effect/sql"

export interface Deliveries {
  /** The attempt that starts now for the message `id`: 1 the first time. */
  readonly next: (id: string) => Effect.Effect<number>
}

const table = "troupe_deliveries"

const inSql = (sql: SqlClient.SqlClient): Effect.Effect<Deliveries> =>
  Effect.gen(function*() {
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (id TEXT PRIMARY KEY, attempts INTEGER NOT NULL, at BIGINT NOT NULL)`.pipe(Effect.orDie)
    const next = (id: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        sql<{ attempts: number }>`
          INSERT INTO ${sql(table)} (id, attempts, at) VALUES (${id}, 1, ${now})
          ON CONFLICT (id) DO UPDATE SET attempts = ${sql(table)}.attempts + 1, at = ${now}
          RETURNING attempts`).pipe(
          Effect.map((rows) => Number(rows[0]!.attempts)),
          Effect.orDie // the same database as the cluster's messages: without it, no job runs anyway
        )
    return { next }
  })

// One process's runner (Effect's TestRunner), for tests: kept for its life.
const inMemory = (): Deliveries => {
  const attempts = new Map<string, number>()
  return { next: (id) => Effect.sync(() => attempts.set(id, (attempts.get(id) ?? 0) + 1).get(id)!) }
}

/** Rows older than `retention` go, every `interval`, as the cluster's own finished messages do. */
const pruned = (sql: SqlClient.SqlClient, retention: Duration.Duration, interval: Duration.Duration) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => sql`DELETE FROM ${sql(table)} WHERE at < ${now - Duration.toMillis(retention)}`).pipe(
    Effect.ignore,
    Effect.repeat(Schedule.spaced(interval)),
    Effect.forkScoped
  )

/**
 * The counts for a runner: in memory on Effect's in-memory test runner (its
 * storage's memory driver), else in the cluster's SQL database, whose client
 * must be in the context. Never silently in memory across processes: with
 * neither, `none` (a runner's layer reports it).
 */
export const make = (retention: Duration.Duration, interval: Duration.Duration): Effect.Effect<Deliveries | undefined, never, Scope.Scope> =>
  Effect.gen(function*() {
    if ((yield* Effect.serviceOption(MessageStorage.MemoryDriver))._tag === "Some") return inMemory()
    const client = yield* Effect.serviceOption(SqlClient.SqlClient)
    if (client._tag === "None") return undefined
    yield* pruned(client.value, retention, interval)
    return yield* inSql(client.value)
  })
