// Scenario A: 200,000 no-op jobs (Effect.sync) with 8 workers, all results
// awaited, against an Effect Queue + 8 fibers baseline and p-queue.
import { Context, Effect, Layer, Schedule, type Scope, Tracer } from "effect"
import * as Dashboard from "troupe/Dashboard"
import PQueue from "p-queue"
import { median } from "../lib/stats.ts"
import { Job, Pool, Timings } from "../src/index.ts"
import { childName } from "./lib/harness.ts"
import * as Baseline from "./lib/queueAndFibers.ts"

export const JOBS = 200_000
/** The last commit before job policies (retries, dead letters, timeouts, rate limits): the bench's "before". */
export const BEFORE_POLICIES = "d15439b"
/** The last commit before fiber handlers could return a Promise or a plain value: what an Effect handler paid before. */
export const BEFORE_ASYNC_HANDLERS = "716f5a0"
/** The last commit before the engine was split into its parts (admission, router, settlement, …). */
export const BEFORE_ENGINE_SPLIT = "fea265e"
/** The last commit before the wait and run timings (issue 17): what they cost a job when nothing reads them. */
export const BEFORE_TIMINGS = "a69da3e"
export const WORKERS = 8
const CAPACITY = 1024

/**
 * Job policies configured but never firing: every job succeeds (no retry),
 * none waits an hour (no queue timeout), and no one reads the dead letters.
 */
export const idlePolicies = { retry: { times: 3, schedule: Schedule.exponential("10 millis") }, queueTimeout: "1 hour" } as const

// A producer fiber forks jobs; this fiber joins them in order as they finish.
interface Variant {
  readonly policies?: Partial<typeof idlePolicies>
  readonly handler?: (n: number) => Effect.Effect<number>
  /** Run once the pool is made, before the jobs: a reader of its timings, a dashboard with a page open. */
  readonly setup?: (pool: Pool.Pool<number, number, unknown>) => Effect.Effect<void, unknown, Scope.Scope>
  /** A tracer of its own installed where the pool is made (so troupe traces every job). */
  readonly tracer?: boolean
}

/** A tracer that is not Effect's native one (so troupe traces), making native spans and exporting none. */
const quietTracer = Tracer.make({ span: (options) => Tracer.nativeTracer.span(options) })

const troupe = ({ policies = {}, handler = (n) => Effect.sync(() => n), setup, tracer = false }: Variant = {}) => Effect.gen(function*() {
  const made = Pool.make({
    handler,
    maxWorkers: WORKERS,
    scaling: "fixed",
    capacity: CAPACITY,
    ...policies
  })
  const pool = yield* (tracer ? made.pipe(Effect.provideService(Tracer.Tracer, quietTracer)) : made)
  if (setup !== undefined) yield* setup(pool)
  const handles: Array<Job.JobHandle<number, unknown> | undefined> = new Array(JOBS)
  const results = new Array<number>(JOBS)
  const start = performance.now()
  yield* Effect.forkChild(Effect.gen(function*() {
    for (let i = 0; i < JOBS; i++) handles[i] = yield* Pool.fork(pool, i)
  }), { startImmediately: true })
  for (let i = 0; i < JOBS; i++) {
    while (handles[i] === undefined) yield* Effect.yieldNow
    results[i] = yield* Job.join(handles[i]!)
    handles[i] = undefined
  }
  const elapsed = performance.now() - start
  check(results)
  return elapsed
}).pipe(Effect.scoped)

const queueAndFibers = Effect.gen(function*() {
  const start = performance.now()
  const results = yield* Baseline.queueAndFibers(JOBS, WORKERS, CAPACITY)
  const elapsed = performance.now() - start
  check(results)
  return elapsed
})

const pQueue = async (): Promise<number> => {
  const queue = new PQueue({ concurrency: WORKERS })
  const start = performance.now()
  const promises: Array<Promise<number>> = new Array(JOBS)
  for (let i = 0; i < JOBS; i++) promises[i] = queue.add(async () => i)
  const results = await Promise.all(promises)
  const elapsed = performance.now() - start
  check(results)
  return elapsed
}

const check = (results: ReadonlyArray<number>): void => {
  for (let i = 0; i < JOBS; i++) if (results[i] !== i) throw new Error(`wrong result at ${i}`)
}

export const contenders = [
  "troupe",
  "troupe+idle-policies",
  "troupe+async-handler",
  "troupe+timings-read",
  "troupe+dashboard-open",
  "troupe+tracer",
  "troupe+withspan-handler",
  "effect-queue+8-fibers",
  "p-queue"
] as const

/** The pool on a dashboard with one page open: a reader of /events for the whole run. */
const dashboardOpen = (pool: Pool.Pool<number, number, unknown>) =>
  Effect.gen(function*() {
    const dashboard = Context.get(yield* Layer.build(Dashboard.layer()), Dashboard.Dashboard) // up for the run's scope
    yield* dashboard.watch(pool)
    const response = yield* Effect.promise(() => fetch(`${dashboard.url}events`))
    const reader = response.body!.getReader()
    yield* Effect.promise(() => reader.read()) // the first snapshot: the page is open
    yield* Effect.addFinalizer(() => Effect.promise(() => reader.cancel()))
    void (async () => {
      while (!(await reader.read()).done);
    })()
  })

// The same jobs from an `async` handler: what the Promise path costs per no-op job.
const asyncHandler = (async (n: number) => n) as unknown as (n: number) => Effect.Effect<number>

const variants: Record<string, Variant> = {
  "troupe": {},
  "troupe+async-handler": { handler: asyncHandler },
  "troupe+timings-read": { setup: (pool) => Effect.asVoid(Timings.get(pool)) },
  "troupe+dashboard-open": { setup: dashboardOpen },
  "troupe+tracer": { tracer: true },
  "troupe+withspan-handler": { handler: (n) => Effect.withSpan(Effect.sync(() => n), "job") },
  "troupe+idle-policies": { policies: idlePolicies }
}

const runOnce = (name: string): Promise<number> =>
  name in variants
    ? Effect.runPromise(troupe(variants[name]))
    : name === "p-queue"
    ? pQueue()
    : Effect.runPromise(queueAndFibers)

// Each child warms up twice (the JIT sees every path), then reports the
// median of three measured runs. Every contender gets the same treatment.
const child = childName()
if (child !== undefined) {
  for (let i = 0; i < 2; i++) await runOnce(child)
  const runs: Array<number> = []
  for (let i = 0; i < 3; i++) runs.push(await runOnce(child))
  console.log(JSON.stringify({ nsPerJob: (median(runs) * 1e6) / JOBS }))
}
