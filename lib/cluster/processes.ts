// Runner processes and a client layer for the distributed tests and
// benchmark: each runner is `runner.ts` in a process of its own, on a free
// port, sharing one PostgreSQL.
import { NodeClusterSocket } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import * as Cluster from "troupe/Cluster"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Postgres from "../postgres.ts"
import type { Work } from "./work.ts"

const runnerFile = fileURLToPath(new URL("./runner.ts", import.meta.url))

export interface Runner {
  readonly name: string
  readonly process: ChildProcess
  /** Job ids this runner started, one per start (with `LOG_STARTS`; a job run twice shows twice). */
  readonly starts: Array<string>
  /** Each start's job id and attempt number (`Cluster.Delivery`), in the same order. */
  readonly attempts: Array<readonly [id: string, attempt: number]>
}

/** `pg` as one command-line argument for a child process (its password in clear: the child is ours). */
export const toArg = (pg: Postgres.Postgres): string => JSON.stringify({ ...pg, password: pg.password && Redacted.value(pg.password) })

/** The argument `toArg` made, read back. */
export const fromArg = (arg: string): Postgres.Postgres => {
  const pg = JSON.parse(arg) as Omit<Postgres.Postgres, "password"> & { readonly password?: string }
  return { ...pg, password: pg.password === undefined ? undefined : Redacted.make(pg.password) }
}

/** The SQL client layer for `pg`. */
export const sqlLayer = (pg: Postgres.Postgres) =>
  PgClient.layer({ host: pg.host, port: pg.port, database: pg.database, username: pg.username, ...(pg.password && { password: pg.password }) })

/** A client-only cluster member on `pg`: submits jobs, runs none. */
export const clientLayer = (pg: Postgres.Postgres) =>
  NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: Cluster.shardingConfig }).pipe(Layer.provide(sqlLayer(pg)))

/**
 * Starts a runner process named `name` on `pg`, on `port` (default: a free
 * one); resolves once it listens, rejects with its stderr if it exits first.
 * `env` adds to its environment.
 */
export const startRunner = async (pg: Postgres.Postgres, name: string, env: Record<string, string> = {}, port?: number): Promise<Runner> => {
  port ??= await Effect.runPromise(Postgres.freePort)
  return start(name, [runnerFile, toArg(pg), String(port)], env)
}

/**
 * Starts `node <args>` as the runner `name` (`RUNNER_NAME`, with `env`);
 * resolves once it says "ready" on stderr, rejects with what it said if it
 * exits first. Its `start <id> <attempt>` lines on stdout are kept in
 * `starts` and `attempts`.
 */
export const start = async (name: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Runner> => {
  // The parent's flags (`--conditions=troupe-source`: this repository's `troupe` is its sources) go along.
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    env: { ...process.env, RUNNER_NAME: name, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const runner: Runner = { name, process: child, starts: [], attempts: [] }
  let buffered = ""
  let out = "" // what it printed before it was ready (an error, if it exits)
  child.stdout!.on("data", (chunk: Buffer) => {
    if (out.length < 4096) out += chunk.toString()
    buffered += chunk.toString()
    const lines = buffered.split("\n")
    buffered = lines.pop()!
    for (const line of lines) {
      const [word, id, attempt] = line.split(" ")
      if (word !== "start" || id === undefined) continue
      runner.starts.push(id)
      runner.attempts.push([id, Number(attempt)])
    }
  })
  await new Promise<void>((resolve, reject) => {
    let err = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString()
      if (err.includes("ready")) resolve()
    })
    // "close": after its output has been read, so the message holds what it said
    child.once("close", (code) => reject(new Error(`runner ${name} exited (${code}) before it was ready: ${err}${out}`)))
  })
  return runner
}

/** Stops a runner (SIGTERM: gracefully, by default) and waits for it to exit. */
export const stopRunner = (runner: Runner, signal: NodeJS.Signals = "SIGTERM"): Promise<unknown> => {
  if (runner.process.exitCode !== null || runner.process.signalCode !== null) return Promise.resolve()
  const exited = new Promise((resolve) => runner.process.once("exit", resolve))
  runner.process.kill(signal)
  return exited
}

/**
 * Keyed probe jobs (20 keys, ids `<tag>-probe-…`, which `LOG_STARTS` lines
 * show) until every runner named has answered one: each has its shards.
 */
export const untilServing = (jobs: Cluster.Client<typeof Work.input.Type, string, never>, names: ReadonlyArray<string>, tag: string) =>
  untilAnswered((round, k) => jobs.submit({ id: `${tag}-probe-${round}-${k}`, ms: 0 }, { key: `k${k}` }), names)

/** Rounds of 20 probes (`probe(round, k)`, each answering its runner's name) until every runner named has answered one. */
export const untilAnswered = <E>(probe: (round: number, k: number) => Effect.Effect<string, E>, names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    for (let round = 0; round < 80; round++) {
      const who = yield* Effect.forEach(Array.from({ length: 20 }, (_, k) => k), (k) => probe(round, k), { concurrency: "unbounded" })
      if (names.every((name) => who.includes(name))) return
      yield* Effect.sleep("250 millis")
    }
    return yield* Effect.die(new Error(`runners ${names.join(", ")} never all served`))
  })
