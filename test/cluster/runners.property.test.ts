// Property, on a real PostgreSQL with runner processes: random jobs (keyed,
// or spread: alone or in batches, 0-30 ms) and random runner faults while they run (SIGKILL or
// SIGTERM of a runner once some jobs have ended, and a fresh runner started
// in its place after a random pause): every job ends with exactly one
// outcome at the client, its result; every job started at least once, and
// exactly once when no runner was SIGKILLed. Few runs: each starts processes.
import { fc, test } from "@fast-check/vitest"
import { Effect } from "effect"
import * as Cluster from "troupe/Cluster"
import { expect } from "vitest"
import * as Processes from "../../lib/cluster/processes.ts"
import { Work } from "../../lib/cluster/work.ts"
import { useCluster } from "./fixture.ts"

const cluster = useCluster()
const all = cluster.runners


/** A job with an ordering key (0-3), or without one: a message of its own (`own`: submitted with its id) or in a client's batch. */
const jobArb = fc.record({
  key: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  own: fc.boolean(),
  ms: fc.integer({ min: 0, max: 30 })
})
const faultArb = fc.record({
  /** After how many ended jobs. */
  after: fc.integer({ min: 1, max: 8 }),
  signal: fc.constantFrom("SIGKILL" as const, "SIGTERM" as const),
  /** Which of the two runners. */
  runner: fc.integer({ min: 0, max: 1 }),
  /** Pause before its replacement starts (ms). */
  pause: fc.integer({ min: 0, max: 500 })
})

let run = 0

test.prop([fc.array(jobArb, { minLength: 10, maxLength: 40 }), fc.array(faultArb, { minLength: 1, maxLength: 2 })], { numRuns: 3 })(
  "every job ends with exactly one outcome at the client, through runner kills, stops and restarts",
  async (jobs, faults) => {
    const tag = `p${run++}`
    const start = (name: string) => Processes.startRunner(cluster.pg, name, { LOG_STARTS: "1" }).then((r) => (all.push(r), r))
    const runners = [await start(`${tag}-0`), await start(`${tag}-1`)]
    const replacements: Array<Promise<unknown>> = []
    const pending = [...faults].sort((a, b) => a.after - b.after)
    let ended = 0
    const onEnded = () => {
      ended++
      while (pending.length > 0 && pending[0]!.after <= ended) {
        const fault = pending.shift()!
        const victim = runners[fault.runner]!
        replacements.push(
          Processes.stopRunner(victim, fault.signal)
            .then(() => new Promise((resolve) => setTimeout(resolve, fault.pause)))
            .then(() => start(`${tag}-${runners.length}`))
            .then((r) => void runners.push(r))
        )
      }
    }
    const results = await Effect.runPromise(
      Effect.gen(function*() {
        const client = yield* Cluster.client(Work)
        yield* Processes.untilServing(client, runners.map((r) => r.name), tag)
        return yield* Effect.forEach(
          jobs,
          (job, i) =>
            client.submit({ id: `${tag}-${i}`, ms: job.ms }, job.key !== undefined ? { key: `k${job.key}` } : job.own ? { id: `${tag}-${i}` } : {}).pipe(
              Effect.tap(() => Effect.sync(onEnded))
            ),
          { concurrency: "unbounded" }
        )
      }).pipe(Effect.provide(Processes.clientLayer(cluster.pg)), Effect.timeout("60 seconds")) as unknown as Effect.Effect<ReadonlyArray<string>>
    )
    await Promise.all(replacements)
    // One result per job, each from a runner of this run.
    expect(results).toHaveLength(jobs.length)
    for (const who of results) expect(who.startsWith(`${tag}-`)).toBe(true)
    const starts = new Map<string, number>()
    for (const id of all.flatMap((r) => r.starts)) if (id.startsWith(`${tag}-`) && !id.includes("probe")) starts.set(id, (starts.get(id) ?? 0) + 1)
    expect(starts.size).toBe(jobs.length)
    const killed = faults.some((f) => f.signal === "SIGKILL")
    const twice = [...starts.values()].filter((n) => n > 1).length
    console.log(`${tag}: ${jobs.length} jobs, faults ${JSON.stringify(faults.map((f) => f.signal))}, ${twice} started twice`)
    if (!killed) expect(twice).toBe(0)
    await Promise.all(runners.map((r) => Processes.stopRunner(r)))
  },
  180_000
)
