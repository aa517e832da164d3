// Scenario E: heap per queued job (jobs forked through handles, not yet run)
// and heap per idle worker; p-queue's queued job for comparison.
import { Effect, Fiber } from "effect"
import PQueue from "p-queue"
import { Pool, PromisePool } from "../src/index.ts"
import { childName, usedHeap } from "./lib/harness.ts"

export const QUEUED = 100_000
export const IDLE_WORKERS = 1_000

// One worker blocked on its first job; every other job waits in its mailbox.
const troupeQueued = Effect.gen(function*() {
  const pool = yield* Pool.make({ handler: (_: number) => Effect.never, maxWorkers: 1, capacity: "unbounded" })
  const handles: Array<unknown> = new Array(QUEUED + 1)
  handles[0] = yield* Pool.fork(pool, 0)
  yield* Effect.yieldNow
  const before = usedHeap()
  for (let i = 1; i <= QUEUED; i++) handles[i] = yield* Pool.fork(pool, i)
  const bytes = (usedHeap() - before) / QUEUED
  if ((yield* Pool.stats(pool)).queued !== QUEUED) throw new Error("jobs did not queue")
  yield* Pool.shutdown(pool).pipe(Effect.forkChild, Effect.andThen(Fiber.interrupt))
  return bytes
}).pipe(Effect.scoped)

const troupeIdleWorker = Effect.gen(function*() {
  const before = usedHeap()
  const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), maxWorkers: IDLE_WORKERS, scaling: "fixed" })
  yield* Effect.yieldNow
  const bytes = (usedHeap() - before) / IDLE_WORKERS
  if ((yield* Pool.stats(pool)).workers.idle !== IDLE_WORKERS) throw new Error("workers not idle")
  return bytes
}).pipe(Effect.scoped)

// PromisePool.run for every job while the pool holds 1,000: the rest wait for room, each a pending Promise.
const promisePoolPending = async (): Promise<number> => {
  const pool = await PromisePool.make({ handler: (_: number) => new Promise<number>(() => {}), maxWorkers: 1, capacity: 1_000 })
  const runs: Array<Promise<number>> = new Array(QUEUED)
  const before = usedHeap()
  for (let i = 0; i < QUEUED; i++) runs[i] = pool.run(i)
  const bytes = (usedHeap() - before) / QUEUED
  if (pool.stats().queued !== 1_000 && pool.stats().queued !== 999) throw new Error("runs did not wait")
  return bytes
}

const pQueueQueued = async (): Promise<number> => {
  const queue = new PQueue({ concurrency: 1 })
  const promises: Array<Promise<unknown>> = [queue.add(() => new Promise(() => {}))]
  const before = usedHeap()
  for (let i = 1; i <= QUEUED; i++) promises.push(queue.add(async () => i))
  const bytes = (usedHeap() - before) / QUEUED
  if (queue.size !== QUEUED) throw new Error("p-queue did not queue")
  return bytes
}

export const contenders = ["troupe-queued-job", "p-queue-queued-job", "promise-pool-pending-run", "troupe-idle-worker"] as const

const child = childName()
if (child !== undefined) {
  const bytes =
    child === "troupe-queued-job"
      ? await Effect.runPromise(troupeQueued)
      : child === "p-queue-queued-job"
      ? await pQueueQueued()
      : child === "promise-pool-pending-run"
      ? await promisePoolPending()
      : await Effect.runPromise(troupeIdleWorker)
  console.log(JSON.stringify({ bytes }))
  process.exit(0)
}
