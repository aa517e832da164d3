// Bench E's idle threads, run by bench/memory.ts in a process of their own
// with no `troupe-source` condition: `troupe` is the built package (dist/),
// and nothing in the process or its threads strips types. Makes THREADS idle
// thread workers (troupe) or bare worker threads, then prints the resident
// memory each added and the milliseconds until all were ready.
import { Worker } from "node:worker_threads"
import { setTimeout as sleep } from "node:timers/promises"

const THREADS = Number(process.env.TROUPE_IDLE_THREADS ?? 8)
const who = process.argv[2]

const rss = async () => {
  await sleep(200) // threads finish booting what they load lazily
  globalThis.gc?.()
  return process.memoryUsage().rss
}

const troupe = async () => {
  const { Effect, Exit, Scope } = await import("effect")
  const { Pool } = await import("troupe")
  const { echo } = await import("./idle.troupe.mjs")
  // Warm up the main thread's code, so the measured RSS is the threads'.
  const warm = await Effect.runPromise(Scope.make())
  const warmPool = await Effect.runPromise(Scope.provide(Pool.make({ handler: echo, minWorkers: 1, maxWorkers: 1, scaling: "fixed" }), warm))
  await Effect.runPromise(Pool.submit(warmPool, 1))
  await Effect.runPromise(Scope.close(warm, Exit.void))
  const before = await rss()
  const start = performance.now()
  const scope = await Effect.runPromise(Scope.make())
  const pool = await Effect.runPromise(Scope.provide(Pool.make({ handler: echo, minWorkers: THREADS, maxWorkers: THREADS, scaling: "fixed" }), scope))
  while (Pool.statsUnsafe(pool).workers.idle < THREADS) await sleep(1)
  const ms = performance.now() - start
  const after = await rss()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return { rssMb: (after - before) / THREADS / 2 ** 20, spawnMs: ms }
}

const bare = async () => {
  const file = new URL("./idle.bare.mjs", import.meta.url)
  const warm = new Worker(file)
  await new Promise((resolve) => warm.once("message", resolve))
  await warm.terminate()
  const before = await rss()
  const start = performance.now()
  const workers = Array.from({ length: THREADS }, () => new Worker(file))
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))))
  const ms = performance.now() - start
  const after = await rss()
  await Promise.all(workers.map((w) => w.terminate()))
  return { rssMb: (after - before) / THREADS / 2 ** 20, spawnMs: ms }
}

console.log(JSON.stringify(who === "troupe" ? await troupe() : await bare()))
