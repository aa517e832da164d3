// The Effect baseline beside troupe in sections A and H: a bounded Queue,
// `workers` fibers taking from it, a producer offering job by job; no-op jobs.
import { type Cause, Effect, Fiber, Queue } from "effect"

/** Runs jobs 0 … `jobs` − 1 through the queue; each job's result at its index. */
export const queueAndFibers = (jobs: number, workers: number, capacity: number): Effect.Effect<Array<number>> =>
  Effect.gen(function*() {
    const queue = yield* Queue.bounded<number, Cause.Done>(capacity)
    const results = new Array<number>(jobs)
    const worker = Effect.gen(function*() {
      while (true) {
        const i = yield* Queue.take(queue)
        results[i] = yield* Effect.sync(() => i)
      }
    }).pipe(Effect.catchCause(() => Effect.void))
    const fibers = yield* Effect.forEach(Array.from({ length: workers }), () => Effect.forkChild(worker))
    for (let i = 0; i < jobs; i++) yield* Queue.offer(queue, i)
    yield* Queue.end(queue)
    yield* Fiber.joinAll(fibers)
    return results
  })
