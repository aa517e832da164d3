// Scenario H: the code users write to run many jobs, each idiom in a fresh
// process: `Effect.forEach` of `Pool.submit` (unbounded), `PromisePool.run`
// under `Promise.all`, the batch paths (`Pool.submitAll`, `Pool.stream`,
// `PromisePool.runAll`), beside p-queue's `Promise.all(items.map(add))` and an
// Effect Queue + 8 fibers; then one submitter at a time (submit, await,
// submit) beside an Effect Queue + Deferred round trip. No-op jobs, 8 workers,
// the pool's defaults otherwise.
import { Deferred, Effect, Fiber, Queue, Stream } from "effect"
import PQueue from "p-queue"
import { median } from "../lib/stats.ts"
import { Pool, PromisePool } from "../src/index.ts"
import { childName, gc } from "./lib/harness.ts"
import * as Baseline from "./lib/queueAndFibers.ts"

export const JOBS = 200_000
export const ROUND_TRIPS = 50_000
export const WORKERS = 8
const inputs = Array.from({ length: JOBS }, (_, i) => i)
const handler = (n: number) => Effect.sync(() => n)
const options = { handler, maxWorkers: WORKERS }

/** What each contender runs once: its job count and the run. */
const idioms: Record<string, readonly [number, () => Promise<unknown>]> = {
  "troupe forEach(submit)": [JOBS, () =>
    Effect.runPromise(Effect.gen(function*() {
      const pool = yield* Pool.make(options)
      yield* Effect.forEach(inputs, (i) => Pool.submit(pool, i), { concurrency: "unbounded" })
    }).pipe(Effect.scoped))],
  "troupe PromisePool.run, Promise.all": [JOBS, async () => {
    const pool = await PromisePool.make(options)
    await Promise.all(inputs.map((i) => pool.run(i)))
    await pool.close()
  }],
  "troupe submitAll": [JOBS, () =>
    Effect.runPromise(Effect.gen(function*() {
      const pool = yield* Pool.make(options)
      yield* Pool.submitAll(pool, inputs)
    }).pipe(Effect.scoped))],
  "troupe stream": [JOBS, () =>
    Effect.runPromise(Effect.gen(function*() {
      const pool = yield* Pool.make(options)
      yield* Stream.fromIterable(inputs).pipe(Pool.stream(pool), Stream.runDrain)
    }).pipe(Effect.scoped))],
  "troupe PromisePool.runAll": [JOBS, async () => {
    const pool = await PromisePool.make(options)
    await pool.runAll(inputs)
    await pool.close()
  }],
  "p-queue, Promise.all": [JOBS, async () => {
    const queue = new PQueue({ concurrency: WORKERS })
    await Promise.all(inputs.map((i) => queue.add(async () => i)))
  }],
  "effect-queue+8-fibers": [JOBS, () => Effect.runPromise(queueAndFibers)],
  // The idiom's own floor: Effect.forEach, unbounded, over an effect that suspends and is resumed in batches.
  "forEach(async no-op)": [JOBS, () => Effect.runPromise(Effect.forEach(inputs, asyncNoop, { concurrency: "unbounded" }))],
  "troupe round trip": [ROUND_TRIPS, () =>
    Effect.runPromise(Effect.gen(function*() {
      const pool = yield* Pool.make(options)
      for (let i = 0; i < ROUND_TRIPS; i++) yield* Pool.submit(pool, i)
    }).pipe(Effect.scoped))],
  "effect-queue+deferred round trip": [ROUND_TRIPS, () =>
    Effect.runPromise(Effect.gen(function*() {
      const queue = yield* Queue.bounded<readonly [number, Deferred.Deferred<number>]>(1024)
      const worker = yield* Effect.forkChild(Effect.forever(Effect.flatMap(Queue.take(queue), ([n, d]) => Deferred.succeed(d, n))))
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const d = yield* Deferred.make<number>()
        yield* Queue.offer(queue, [i, d])
        yield* Deferred.await(d)
      }
      yield* Fiber.interrupt(worker)
    }))]
}

export const contenders = Object.keys(idioms)

const queueAndFibers = Baseline.queueAndFibers(JOBS, WORKERS, 1024)

let waiting: Array<() => void> = []
const asyncNoop = (i: number) =>
  Effect.callback<number>((resume) => {
    if (waiting.length === 0) setImmediate(resumeAll)
    waiting.push(() => resume(Effect.succeed(i)))
  })
const resumeAll = () => {
  const batch = waiting
  waiting = []
  for (const f of batch) f()
}

const timed = async (run: () => Promise<unknown>): Promise<number> => {
  gc()
  const start = performance.now()
  await run()
  return performance.now() - start
}

// Peak heap while it runs, sampled on the event loop every millisecond (a run
// of its own: the sampling would slow a timed one).
const peakHeap = async (run: () => Promise<unknown>): Promise<number> => {
  gc()
  const base = process.memoryUsage().heapUsed
  let peak = base
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1)
  await run()
  clearInterval(sampler)
  return (Math.max(peak, process.memoryUsage().heapUsed) - base) / 2 ** 20
}

// Each child warms up twice, reports the median of three timed runs, and the peak heap of one more.
const child = childName()
if (child !== undefined) {
  const [jobs, run] = idioms[child]!
  for (let i = 0; i < 2; i++) await run()
  const runs: Array<number> = []
  for (let i = 0; i < 3; i++) runs.push(await timed(run))
  const peakMb = await peakHeap(run)
  console.log(JSON.stringify({ nsPerJob: (median(runs) * 1e6) / jobs, peakMb }))
  process.exit(0)
}
