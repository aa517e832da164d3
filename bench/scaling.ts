// Scenario B: the classic scaling table. 16 jobs that each sleep 100 ms on
// fixed teams of 1, 2, 4, 8 and 16 workers, then the same 16 jobs with
// minWorkers 1, maxWorkers 16 and the threshold policy sizing the team, and
// with `maxWorkers: 16` alone (the default policy).
import { Effect } from "effect"
import { median } from "../lib/stats.ts"
import { Pool, Scaling } from "../src/index.ts"
import { childName, gc } from "./lib/harness.ts"

export const JOBS = 16
export const SLEEP_MS = 100
export const TEAMS = [1, 2, 4, 8, 16] as const

const batch = (options: Omit<Pool.Options<number, number, never, never>, "handler">) =>
  Effect.gen(function*() {
    const pool = yield* Pool.make({ handler: (n: number) => Effect.sleep(SLEEP_MS).pipe(Effect.as(n)), ...options })
    const start = performance.now()
    yield* Effect.forEach(Array.from({ length: JOBS }, (_, i) => i), (i) => Pool.submit(pool, i), { concurrency: "unbounded" })
    const ms = performance.now() - start
    return { ms, workers: Pool.statsUnsafe(pool).workers.idle + Pool.statsUnsafe(pool).workers.busy }
  }).pipe(Effect.scoped)

export const configs = [
  ...TEAMS.map((n) => ({ name: `fixed-${n}`, options: { maxWorkers: n, scaling: "fixed" as const } })),
  { name: "threshold-1..16", options: { minWorkers: 1, maxWorkers: 16, scaling: Scaling.threshold({ jobsPerWorker: 1 }) } },
  // What a user writes: a ceiling, and the default policy.
  { name: "defaults-16", options: { maxWorkers: 16 } }
]

// A full GC before each measured batch, so no row pays for the garbage of the
// one before it; each row is the median of three batches.
const child = childName()
if (child !== undefined) {
  await Effect.runPromise(batch({ maxWorkers: 4, scaling: "fixed" })) // warm-up
  const out: Record<string, number> = {}
  for (const { name, options } of configs) {
    const runs: Array<{ ms: number; workers: number }> = []
    for (let i = 0; i < 3; i++) {
      gc()
      runs.push(await Effect.runPromise(batch(options)))
    }
    out[name] = median(runs.map((r) => r.ms))
    out[`${name}:workers`] = median(runs.map((r) => r.workers))
  }
  console.log(JSON.stringify(out))
}
