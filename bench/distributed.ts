// Scenario I: troupe/Cluster on PostgreSQL. A child (`--child troupe-cluster`)
// starts PostgreSQL (embedded; `TROUPE_POSTGRES_URL` for a server of your
// own), runner processes (lib/cluster/runner.ts) and is itself a client only.
// With 1, then 2 runners: jobs of 0 ms and 50 ms without a key, persisted
// or volatile, batched or a message each, then persisted jobs of 50 ms over
// 20 keys, in jobs per second; then, with 2 runners, the time from
// SIGKILLing one mid-run to the last of its jobs done elsewhere. It prints
// `{ skipped }` if PostgreSQL cannot be had.
import { Cause, Effect, Exit, Scope } from "effect"
import type { Sharding } from "effect/cluster"
import * as Cluster from "troupe/Cluster"
import * as Processes from "../lib/cluster/processes.ts"
import { Work } from "../lib/cluster/work.ts"
import * as Postgres from "../lib/postgres.ts"
import * as Redis from "../lib/redis.ts"
import * as Bullmq from "./distributedBullmq.ts"
import { childName } from "./lib/harness.ts"

export const TINY_JOBS = 4_000
export const SLOW_JOBS = 400
export const SLOW_MS = 50
export const KEYED_JOBS = 200
export const KEYS = 20
export const KEYED_MS = 50
export const contenders = ["troupe-cluster", "bullmq"] as const

/** How a client sends: stored or volatile messages, in batches or one per job. */
export const modes = {
  persistedBatched: { persisted: true, batch: 256 },
  persistedSingle: { persisted: true, batch: false },
  volatileBatched: { persisted: false, batch: 256 },
  volatileSingle: { persisted: false, batch: false }
} as const satisfies Record<string, Cluster.ClientOptions>

type Jobs = Cluster.Client<typeof Work.input.Type, string, never>

/** Jobs per second for `n` jobs of `ms`, over `keys` keys (0: spread, no key). */
const rate = (jobs: Jobs, n: number, ms: number, keys: number) =>
  Effect.gen(function*() {
    const start = performance.now()
    yield* Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => jobs.submit({ id: `${i}`, ms }, keys > 0 ? { key: `k${i % keys}` } : {}), {
      concurrency: "unbounded"
    })
    return n / ((performance.now() - start) / 1000)
  })

const withRunners = async <A>(pg: Postgres.Postgres, names: ReadonlyArray<string>, f: (jobs: Jobs, runners: ReadonlyArray<Processes.Runner>) => Effect.Effect<A, unknown, Sharding.Sharding>) => {
  const runners = await Promise.all(names.map((name) => Processes.startRunner(pg, name)))
  try {
    return await Effect.runPromise(
      Effect.gen(function*() {
        const jobs = yield* Cluster.client(Work)
        yield* Processes.untilServing(jobs, names, "bench")
        yield* rate(jobs, 100, 0, 0) // warm-up
        return yield* f(jobs, runners)
      }).pipe(Effect.provide(Processes.clientLayer(pg))) as Effect.Effect<A>
    )
  } finally {
    await Promise.all(runners.map((r) => Processes.stopRunner(r, "SIGKILL")))
  }
}

const measure = (pg: Postgres.Postgres) =>
  Effect.promise(async () => {
    const out: Record<string, number> = {}
    for (const count of [1, 2]) {
      const names = Array.from({ length: count }, (_, i) => `r${i}`)
      await withRunners(pg, names, (jobs) =>
        Effect.gen(function*() {
          for (const [mode, options] of Object.entries(modes)) {
            const client = yield* Cluster.client(Work, options)
            yield* rate(client, 100, 0, 0) // warm-up
            out[`tiny-${mode}-${count}`] = yield* rate(client, TINY_JOBS, 0, 0)
            out[`slow-${mode}-${count}`] = yield* rate(client, SLOW_JOBS, SLOW_MS, 0)
          }
          out[`keyed${count}`] = yield* rate(jobs, KEYED_JOBS, KEYED_MS, KEYS)
        }))
    }
    // Fail-over: one of two runners SIGKILLed once 40 keyed jobs of 20 ms have ended.
    await withRunners(pg, ["a", "b"], (jobs, [a]) =>
      Effect.gen(function*() {
        let ended = 0
        let killedAt = 0
        yield* Effect.forEach(Array.from({ length: KEYED_JOBS }, (_, i) => i), (i) =>
          jobs.submit({ id: `${i}`, ms: 20 }, { key: `k${i % KEYS}` }).pipe(Effect.tap(() =>
            Effect.sync(() => {
              if (++ended !== 40) return
              killedAt = performance.now()
              a!.process.kill("SIGKILL")
            })
          )), { concurrency: "unbounded" })
        out.failoverMs = performance.now() - killedAt
      }))
    return out
  })

/** What went wrong, in a line, for `{ skipped }`. */
const why = (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : Cause.pretty(cause)
}

const child = childName()
if (child !== undefined) {
  const scope = Effect.runSync(Scope.make())
  const sizes = { tiny: TINY_JOBS, slow: SLOW_JOBS, slowMs: SLOW_MS }
  const server: Effect.Effect<() => Promise<Record<string, number>>, Redis.RedisError | Postgres.PostgresError, Scope.Scope> = child === "bullmq"
    ? Redis.start.pipe(Effect.map((redis) => () => Bullmq.measure(redis, sizes)))
    : Postgres.make(process.env.TROUPE_POSTGRES_URL).pipe(Effect.tap((pg) => Postgres.check(pg)), Effect.map((pg) => () => Effect.runPromise(measure(pg))))
  const run = await Effect.runPromise(Effect.exit(server.pipe(Scope.provide(scope))))
  console.log(JSON.stringify(Exit.isFailure(run) ? { skipped: why(run.cause) } : await run.value()))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  process.exit(0)
}
