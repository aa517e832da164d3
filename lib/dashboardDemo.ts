// The workload `troupe dashboard` shows: waves of sleep jobs of 10 to 190 ms,
// one every 2 s, of 40 to 400 jobs, on a pool that grows at 8 queued per
// worker (up to 12) and retires workers idle for 1 s, with one job in 25
// failing: the team breathes, the queue fills and drains, the timeline fills.
import { Effect, Schedule } from "effect"
import { Pool, Scaling } from "troupe"

let jobs = 0

export const demoPool = Pool.make({
  name: "demo",
  handler: (ms: number) => (++jobs % 25 === 0 ? Effect.fail("a job that fails") : Effect.sleep(ms)),
  maxWorkers: 12,
  scaling: Scaling.combine(Scaling.threshold({ jobsPerWorker: 8 }), Scaling.idleTimeout({ after: "1 second" }))
})

/** Waves for ever (until interrupted). */
export const waves = (pool: Pool.Pool<number, void, string>) => {
  let wave = 0
  const one = Effect.suspend(() => {
    const size = 40 + ((wave++ * 97) % 361)
    return Effect.forEach(Array.from({ length: size }, (_, i) => 10 + ((i * 37 + wave) % 19) * 10), (ms) => Effect.ignore(Pool.submit(pool, ms)), {
      concurrency: "unbounded",
      discard: true
    })
  })
  return one.pipe(Effect.andThen(Effect.sleep("2 seconds")), Effect.forever)
}
