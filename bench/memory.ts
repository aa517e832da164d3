// Scenario E: heap per queued job (jobs forked through handles, not yet run)
// and heap and spawn time per idle worker; p-queue's queued job, an XState
// actor alone and an Effect fiber on its own queue for comparison; resident
// memory and spawn time per idle thread worker, against a bare worker thread.
import { Effect, Exit, Fiber, Queue, Scope } from "effect"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import PQueue from "p-queue"
import { createActor } from "xstate"
import { Pool, PromisePool, WorkerLifecycle } from "../src/index.ts"
import { median } from "../lib/stats.ts"
import { childName, usedHeap } from "./lib/harness.ts"

export const QUEUED = 100_000
export const IDLE_WORKERS = 1_000
/** Idle thread workers (and bare threads) made at once in bench/threads/idleThreads.mjs. */
export const IDLE_THREADS = 8
/** Batches of IDLE_WORKERS made per child after warm-up ones; each one's bytes and µs apiece, the median taken. */
export const SPAWN_BATCHES = 15
const WARM_UP_BATCHES = 3

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

// A kind of idle thing to make `IDLE_WORKERS` at a time: `make` makes a batch
// (kept alive until `release`) once `prepare` has set up what it needs (untimed).
interface Kind<P, A> {
  readonly prepare: () => Promise<P>
  readonly make: (prepared: P) => Promise<A>
  readonly release: (made: A) => Promise<void>
}

const kind = <P, A>(k: Kind<P, A>): Kind<unknown, unknown> => k as Kind<unknown, unknown>

// Idle workers joining a running fixed pool of one (`Pool.setMaxWorkers`),
// until every one of them is idle: the workers alone, not the pool around them.
const troupeWorkers = kind({
  prepare: () =>
    Effect.runPromise(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), maxWorkers: 1, scaling: "fixed" }).pipe(Scope.provide(scope))
      return { scope, pool }
    })),
  make: ({ scope, pool }) =>
    Effect.runPromise(Effect.gen(function*() {
      yield* Pool.setMaxWorkers(pool, 1 + IDLE_WORKERS)
      yield* Effect.yieldNow
      if ((yield* Pool.stats(pool)).workers.idle !== 1 + IDLE_WORKERS) throw new Error("workers not idle")
      return scope
    })),
  release: (scope) => Effect.runPromise(Scope.close(scope, Exit.void))
})

const nothing = async () => undefined

// The worker's lifecycle machine alone, as a root actor of its own.
const xstateActors = kind({
  prepare: nothing,
  make: async () => Array.from({ length: IDLE_WORKERS }, (_, i) => createActor(WorkerLifecycle.machine, { input: { workerId: i } }).start()),
  release: async (actors) => actors.forEach((actor) => actor.stop())
})

// An Effect fiber parked on a bounded queue of its own.
const fibersOnQueues = kind({
  prepare: nothing,
  make: () =>
    Effect.runPromise(Effect.gen(function*() {
      const fibers: Array<Fiber.Fiber<never>> = []
      for (let i = 0; i < IDLE_WORKERS; i++) {
        const queue = yield* Queue.bounded<number>(16)
        fibers.push(yield* Effect.forkDetach(Effect.forever(Queue.take(queue)), { startImmediately: true }))
      }
      return fibers
    })),
  release: (fibers) => Effect.runPromise(Fiber.interruptAll(fibers))
})

// Heap and time per thing, the three kinds in one process, one after the
// other (troupe's first, so the others' use of XState and Effect cannot
// slow its code down): warm-up batches first, then the median of
// `SPAWN_BATCHES`, each timed from the first thing made to the last ready.
const perThing = async (kind: Kind<unknown, unknown>) => {
  const bytes: Array<number> = []
  const us: Array<number> = []
  // Let go of before the next batch, or the heap measured before it would hold this one.
  let prepared: unknown
  let made: unknown
  for (let batch = -WARM_UP_BATCHES; batch < SPAWN_BATCHES; batch++) {
    prepared = await kind.prepare()
    const before = usedHeap()
    const start = performance.now()
    made = await kind.make(prepared)
    const micros = ((performance.now() - start) * 1000) / IDLE_WORKERS
    const held = (usedHeap() - before) / IDLE_WORKERS
    await kind.release(made)
    prepared = made = undefined
    if (batch < 0) continue
    us.push(micros)
    bytes.push(held)
  }
  return { bytes: median(bytes), us: median(us) }
}

const idleWorkers = async () => {
  const worker = await perThing(troupeWorkers)
  const actor = await perThing(xstateActors)
  const fiber = await perThing(fibersOnQueues)
  return { bytes: worker.bytes, us: worker.us, xstateBytes: actor.bytes, xstateUs: actor.us, fiberBytes: fiber.bytes, fiberUs: fiber.us }
}

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

// Idle threads are measured by bench/threads/idleThreads.mjs in a process of
// its own, started without this one's flags: `troupe` there is the built
// package, as installed, and no thread strips types.
const idleThreads = (who: "troupe" | "bare"): unknown =>
  JSON.parse(execFileSync(process.execPath, ["--expose-gc", fileURLToPath(new URL("./threads/idleThreads.mjs", import.meta.url)), who], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", TROUPE_IDLE_THREADS: String(IDLE_THREADS) }
  }))

/** The built package (dist/) the idle thread workers load: built before they are measured. */
export const buildPackage = (): void => {
  const root = fileURLToPath(new URL("../", import.meta.url))
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" })
}

export const contenders = [
  "troupe-queued-job",
  "p-queue-queued-job",
  "promise-pool-pending-run",
  "troupe-idle-worker",
  "troupe-idle-thread",
  "bare-idle-thread"
] as const

const child = childName()
if (child !== undefined) {
  const sample =
    child === "troupe-queued-job"
      ? { bytes: await Effect.runPromise(troupeQueued) }
      : child === "p-queue-queued-job"
      ? { bytes: await pQueueQueued() }
      : child === "promise-pool-pending-run"
      ? { bytes: await promisePoolPending() }
      : child === "troupe-idle-thread"
      ? idleThreads("troupe")
      : child === "bare-idle-thread"
      ? idleThreads("bare")
      : await idleWorkers()
  console.log(JSON.stringify(sample))
  process.exit(0)
}
