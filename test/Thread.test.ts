// Thread workers, with real Node worker threads (the handlers live in
// fixtures/threads.ts). These run on the real clock: a thread is real time.
import { it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Scope, Stream } from "effect"
import { describe, expect } from "vitest"
import { InvalidInput, Job, JobDefect, Pool, PoolEscalated, Scaling, Supervisor, WorkerCrashed } from "../src/index.ts"
import { never } from "./fixtures/threadBootFails.ts"
import { asyncCheck, asyncPlain, NotPositive, type Order, orders, plain, Point, scale, sumTo } from "./fixtures/threads.ts"
import { eventuallyLive as eventually } from "./helpers.ts"
import { liveThreads, onEvent, spawnedThreads, startedInThreads } from "./poolInternals.ts"

const threadIdOf = { op: "threadId" } as const

/** A counter in shared memory: a job on a thread counts itself there, so a test sees whether it ran. */
const makeCounter = () => {
  const buffer = new SharedArrayBuffer(4)
  return { buffer, read: () => Atomics.load(new Int32Array(buffer), 0) }
}

describe("thread workers: what crosses the boundary", () => {
  it.live("inputs, results and typed failures are encoded by the handler's schemas", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: scale, maxWorkers: 1 })
      const result = yield* Pool.submit(pool, new Point({ x: 1, y: 2 }))
      expect(result).toBeInstanceOf(Point)
      expect(result).toEqual(new Point({ x: 2, y: 4 }))
      const error = yield* Effect.flip(Pool.submit(pool, new Point({ x: -3, y: 0 })))
      expect(error).toBeInstanceOf(NotPositive)
      expect(error).toMatchObject({ _tag: "NotPositive", n: -3 })
    }).pipe(Effect.scoped))

  it.live("without schemas, values cross by structured clone; plain and Promise handlers work", () =>
    Effect.gen(function*() {
      const sums = yield* Pool.make({ handler: sumTo, maxWorkers: 2, concurrency: 4 })
      const results = yield* Effect.forEach([1, 10, 100, 1000], (n) => Pool.submit(sums, n), { concurrency: "unbounded" })
      expect(results).toEqual([1, 55, 5050, 500500])
      const plains = yield* Pool.make({ handler: plain, maxWorkers: 1 })
      expect([yield* Pool.submit(plains, 2), yield* Pool.submit(plains, 3)]).toEqual([20, 300])
    }).pipe(Effect.scoped))

  it.live("an async thread handler's rejection is the job's typed failure, decoded by the failure schema", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: asyncCheck, maxWorkers: 1 })
      expect(yield* Pool.submit(pool, 4)).toBe(8)
      const tagged = yield* Effect.flip(Pool.submit(pool, -2))
      expect(tagged).toBeInstanceOf(NotPositive)
      expect(tagged).toMatchObject({ _tag: "NotPositive", n: -2 })
      expect(Pool.statsUnsafe(pool)).toMatchObject({ completed: 1, failed: 1, defects: 0 })
      const plains = yield* Pool.make({ handler: asyncPlain, maxWorkers: 1 })
      expect(yield* Effect.flip(Pool.submit(plains, 0))).toMatchObject({ name: "RangeError", message: "zero" })
      expect(Pool.statsUnsafe(plains)).toMatchObject({ failed: 1, defects: 0 })
    }).pipe(Effect.scoped))

  it.live("an input the schema cannot encode fails its submit with InvalidInput; nothing is admitted", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: scale, maxWorkers: 1 })
      const error = yield* Effect.flip(Pool.submit(pool, { x: "one", y: 2 } as unknown as Point))
      expect(error).toBeInstanceOf(InvalidInput)
      expect((error as InvalidInput).issue).toContain("x")
      expect(Pool.statsUnsafe(pool).submitted).toBe(0)
    }).pipe(Effect.scoped))

  it.live("a tagged error failed without a failure schema arrives with its tag and fields", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      expect(yield* Effect.flip(Pool.submit(pool, { op: "failTagged", n: 5 }))).toMatchObject({ _tag: "NotPositive", n: 5 })
    }).pipe(Effect.scoped))

  it.live("an input the structured clone cannot copy fails that job alone with a JobDefect saying why", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, concurrency: 4 })
      const results = yield* Effect.forEach(
        [{ op: "value", n: 1 }, { op: "value", n: 2, f: () => 2 }, { op: "value", n: 3 }] as Array<Order>,
        (order) => Effect.exit(Pool.submit(pool, order)),
        { concurrency: "unbounded" }
      )
      expect(results[0]).toEqual(Exit.succeed(1))
      expect(results[2]).toEqual(Exit.succeed(3))
      const error = yield* Effect.flip(results[1]!)
      expect(error).toBeInstanceOf(JobDefect)
      expect((error as JobDefect).message).toContain("could not be sent to its thread")
      // The threads' bookkeeping of which job started is intact: a crash after it requeues only unstarted jobs.
      const exits = yield* Effect.forEach([{ op: "exit", code: 4 }, { op: "value", n: 7 }] as Array<Order>, (order) => Effect.exit(Pool.submit(pool, order)), {
        concurrency: "unbounded"
      })
      expect(exits[1]).toEqual(Exit.succeed(7))
    }).pipe(Effect.scoped))

  it.live("a defect in the thread (die or throw) is a JobDefect with its message; the thread carries on", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const before = yield* Pool.submit(pool, threadIdOf)
      const died = yield* Effect.flip(Pool.submit(pool, { op: "die", message: "died here" }))
      const threw = yield* Effect.flip(Pool.submit(pool, { op: "throw", message: "thrown here" }))
      expect(died).toBeInstanceOf(JobDefect)
      expect((died as JobDefect).message).toContain("died here")
      expect((threw as JobDefect).message).toContain("thrown here")
      expect(yield* Pool.submit(pool, threadIdOf)).toBe(before)
      expect(Pool.statsUnsafe(pool).defects).toBe(2)
    }).pipe(Effect.scoped))
})

describe("thread workers: timeouts", () => {
  it.live("a job past its timeout ends with JobTimedOut; its thread is terminated and replaced under the same worker", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, timeout: "20 seconds" })
      const replaced: Array<string> = []
      onEvent(pool, (event) => event.type === "@troupe.worker.threadReplaced" && replaced.push(event.reason))
      const before = yield* Pool.submit(pool, threadIdOf)
      const error = yield* Effect.flip(Pool.submit(pool, { op: "spin" }, { timeout: 200 }))
      expect(error).toMatchObject({ _tag: "JobTimedOut", timeoutMillis: 200 })
      const after = yield* Pool.submit(pool, threadIdOf)
      expect(after).not.toBe(before)
      const stats = Pool.statsUnsafe(pool)
      expect([stats.timedOut, stats.threadsReplaced, stats.spawned.replacement, stats.workers.crashed]).toEqual([1, 1, 0, 0])
      expect(replaced).toEqual([expect.stringContaining("timed out")])
    }).pipe(Effect.scoped))

  it.live("jobs waiting behind a timed-out job on its thread run on the replacement, unharmed", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, concurrency: 4 })
      const spin = yield* Effect.forkChild(Pool.submit(pool, { op: "spin" }, { timeout: 300 }))
      const behind = yield* Effect.forkChild(Effect.forEach([1, 2, 3], () => Pool.submit(pool, threadIdOf), { concurrency: "unbounded" }))
      expect(yield* Effect.flip(Fiber.join(spin))).toMatchObject({ _tag: "JobTimedOut" })
      const ids = yield* Fiber.join(behind)
      expect(new Set(ids).size).toBe(1) // all on the replacement thread
      const stats = Pool.statsUnsafe(pool)
      expect([stats.timedOut, stats.completed, stats.crashed]).toEqual([1, 3, 0])
    }).pipe(Effect.scoped))
})

describe("thread workers: jobs waiting in a thread's window", () => {
  it.live("a job that times out while waiting behind another is withdrawn: it never runs, and the thread is not killed", () =>
    Effect.gen(function*() {
      const counter = makeCounter()
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, concurrency: 2 })
      yield* Pool.submit(pool, { op: "value", n: 0 }) // the thread has run an Effect: its runtime is loaded
      const long = yield* Pool.fork(pool, { op: "work", ms: 600 })
      const waiting = yield* Effect.flip(Pool.submit(pool, { op: "work", ms: 0, counter: counter.buffer }, { timeout: 100 }))
      expect(waiting).toMatchObject({ _tag: "JobTimedOut" })
      yield* Job.join(long)
      expect(yield* Pool.submit(pool, { op: "value", n: 1 })).toBe(1) // the thread went past the withdrawn job
      expect(counter.read()).toBe(0)
      expect(Pool.statsUnsafe(pool).threadsReplaced).toBe(0)
    }).pipe(Effect.scoped))

  it.live("many jobs withdrawn while one waits behind a long job: the waiting one keeps its place and runs", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, concurrency: 3 })
      yield* Pool.submit(pool, { op: "value", n: 0 }) // the thread has run an Effect: its runtime is loaded
      const long = yield* Pool.fork(pool, { op: "work", ms: 1500 })
      const waiting = yield* Pool.fork(pool, { op: "value", n: 42 })
      yield* eventually(() => Pool.statsUnsafe(pool).running === 2)
      // Each of these waits in the third lane's place and times out there: withdrawn, never run.
      const withdrawn = yield* Effect.forEach(Array.from({ length: 80 }, (_, i) => i), (i) => Effect.flip(Pool.submit(pool, { op: "value", n: i }, { timeout: 5 })))
      expect(withdrawn.every((e) => e._tag === "JobTimedOut")).toBe(true)
      yield* Job.join(long)
      expect(yield* Job.join(waiting)).toBe(42)
      expect(Pool.statsUnsafe(pool).threadsReplaced).toBe(0)
    }).pipe(Effect.scoped))

  it.live("a job cancelled while waiting is withdrawn at once and never runs, not even on a replacement thread", () =>
    Effect.gen(function*() {
      const counter = makeCounter()
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, concurrency: 2 })
      yield* Pool.submit(pool, { op: "value", n: 0 }) // the thread has run an Effect: its runtime is loaded
      const spin = yield* Pool.fork(pool, { op: "spin" }, { timeout: 400 })
      const waiting = yield* Pool.fork(pool, { op: "work", ms: 0, counter: counter.buffer })
      yield* eventually(() => Pool.statsUnsafe(pool).running === 2)
      yield* Job.cancel(waiting)
      expect(yield* Effect.flip(Job.join(waiting))).toMatchObject({ _tag: "JobCancelled" })
      expect(yield* Effect.flip(Job.join(spin))).toMatchObject({ _tag: "JobTimedOut" }) // its thread was replaced
      expect(yield* Pool.submit(pool, { op: "value", n: 1 })).toBe(1)
      expect(counter.read()).toBe(0)
    }).pipe(Effect.scoped))

  it.live("cancelling a synchronous job the thread is running settles it at once; the thread finishes it and carries on", () =>
    Effect.gen(function*() {
      const counter = makeCounter()
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const job = yield* Pool.fork(pool, { op: "work", ms: 800, counter: counter.buffer })
      yield* eventually(() => Pool.statsUnsafe(pool).running === 1)
      yield* Effect.sleep(50)
      yield* Job.cancel(job)
      expect(counter.read()).toBe(0) // cancel returned while the thread still works on it
      expect(yield* Effect.flip(Job.join(job))).toMatchObject({ _tag: "JobCancelled" })
      expect(yield* Pool.submit(pool, { op: "value", n: 2 })).toBe(2) // after the thread let go of it
      expect(counter.read()).toBe(1)
    }).pipe(Effect.scoped))

  it.live("job events: a cancelled thread job finishes once, though its thread lets go of it later", () =>
    Effect.gen(function*() {
      const counter = makeCounter()
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const seen: Array<string> = []
      const reader = yield* Pool.events(pool, { jobs: true }).pipe(
        Stream.runForEach((e) =>
          Effect.sync(() => {
            if (e.type === "@troupe.job.started") seen.push(`start ${e.jobId}`)
            if (e.type === "@troupe.job.finished") seen.push(`end ${e.jobId} ${e.result}`)
          })
        ),
        Effect.forkChild({ startImmediately: true })
      )
      const job = yield* Pool.fork(pool, { op: "work", ms: 300, counter: counter.buffer })
      yield* eventually(() => Pool.statsUnsafe(pool).running === 1)
      yield* Job.cancel(job)
      expect(yield* Pool.submit(pool, { op: "value", n: 2 })).toBe(2) // runs after the thread let go of the cancelled one
      yield* Pool.shutdown(pool)
      yield* Fiber.join(reader)
      expect(seen).toEqual(["start 1", "end 1 cancel", "start 2", "end 2 success"])
    }).pipe(Effect.scoped))

  it.live("a job cancelled on a thread that then dies: the cancel has returned, the worker is replaced", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const job = yield* Pool.fork(pool, { op: "work", ms: 300, exitCode: 6 })
      yield* eventually(() => Pool.statsUnsafe(pool).running === 1)
      yield* Job.cancel(job)
      expect(yield* Effect.flip(Job.join(job))).toMatchObject({ _tag: "JobCancelled" })
      yield* eventually(() => Pool.statsUnsafe(pool).spawned.replacement === 1, "the replacement")
      expect(yield* Pool.submit(pool, { op: "value", n: 3 })).toBe(3)
      expect(Pool.statsUnsafe(pool).running).toBe(0)
    }).pipe(Effect.scoped))
})

describe("thread workers: crashes", () => {
  it.live("process.exit mid-job: the job ends with WorkerCrashed and the reason; the supervisor replaces the worker", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const before = yield* Pool.submit(pool, threadIdOf)
      const error = yield* Effect.flip(Pool.submit(pool, { op: "exit", code: 3 }))
      expect(error).toBeInstanceOf(WorkerCrashed)
      expect((error as WorkerCrashed).reason).toContain("exited with code: 3")
      expect(yield* Pool.submit(pool, threadIdOf)).not.toBe(before)
      const stats = Pool.statsUnsafe(pool)
      expect([stats.crashed, stats.spawned.replacement, stats.workers.crashed]).toEqual([1, 1, 1])
    }).pipe(Effect.scoped))

  it.live("a throw outside any job kills the thread: the worker crashes with the error as reason and is replaced", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const reasons: Array<string> = []
      onEvent(pool, (event) => event.type === "@troupe.worker.crashed" && reasons.push(event.reason))
      const first = yield* Pool.submit(pool, { op: "throwLater", message: "escaped the job" })
      yield* eventually(() => Pool.statsUnsafe(pool).workers.crashed === 1)
      expect(reasons).toEqual([expect.stringContaining("escaped the job")])
      expect(yield* Pool.submit(pool, threadIdOf)).not.toBe(first)
      expect(Pool.statsUnsafe(pool).spawned.replacement).toBe(1)
    }).pipe(Effect.scoped))

  it.live("jobs sent to a thread that dies before starting them run elsewhere; none is lost", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, minWorkers: 2, maxWorkers: 2, scaling: "fixed", concurrency: 8, dispatch: "roundRobin" })
      const orders_ = [{ op: "exit", code: 7 } as const, ...Array.from({ length: 15 }, () => ({ op: "sleep", ms: 5 }) as const)]
      const exits = yield* Effect.forEach(orders_, (order) => Effect.exit(Pool.submit(pool, order)), { concurrency: "unbounded" })
      const crashed = exits.filter((exit) => Exit.isFailure(exit))
      expect(crashed.length).toBe(1) // only the job that exited its thread
      const stats = Pool.statsUnsafe(pool)
      expect([stats.completed, stats.crashed]).toEqual([15, 1])
    }).pipe(Effect.scoped))

  it.live("a thread killed for memory (maxHeapMb) is a crash with the reason", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, thread: { maxHeapMb: 32 } })
      const error = yield* Effect.flip(Pool.submit(pool, { op: "allocate", mb: 256 }))
      expect(error).toBeInstanceOf(WorkerCrashed)
      expect((error as WorkerCrashed).reason).toMatch(/memory/i)
      expect(typeof (yield* Pool.submit(pool, threadIdOf))).toBe("number")
    }).pipe(Effect.scoped))

  it.live("a module that throws when a thread loads it: Pool.make fails with PoolEscalated after the restart intensity, no storm", () =>
    Effect.gen(function*() {
      const before = liveThreads()
      const spawnedBefore = spawnedThreads()
      const exit = yield* Effect.exit(Pool.make({ handler: never, maxWorkers: 1, restart: { intensity: 2, period: "1 minute" } }))
      expect(spawnedThreads() - spawnedBefore).toBe(3) // the first, and two restarts
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      expect(error && "error" in error ? error.error : undefined).toBeInstanceOf(PoolEscalated)
      expect(String(error && "error" in error ? (error.error as PoolEscalated).reason : "")).toContain("cannot load in a thread")
      yield* eventually(() => liveThreads() === before)
    }).pipe(Effect.scoped))
})

describe("thread workers: recycling", () => {
  it.live("after recycleAfterJobs jobs a fresh thread takes over", () =>
    Effect.gen(function*() {
      const before = liveThreads()
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, thread: { recycleAfterJobs: 3 } })
      const ids = []
      for (let i = 0; i < 7; i++) ids.push(yield* Pool.submit(pool, threadIdOf))
      expect(new Set(ids.slice(0, 3)).size).toBe(1)
      expect(new Set(ids.slice(3, 6)).size).toBe(1)
      expect(new Set([ids[0], ids[3], ids[6]]).size).toBe(3)
      expect(Pool.statsUnsafe(pool).threadsReplaced).toBe(2)
      yield* eventually(() => liveThreads() === before + 1, "the recycled threads to exit")
    }).pipe(Effect.scoped))

  it.live("a thread whose heap passes recycleAboveHeapMb is replaced after its batch", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, thread: { recycleAboveHeapMb: 48 } })
      const first = yield* Pool.submit(pool, { op: "allocate", mb: 64 })
      yield* eventually(() => Pool.statsUnsafe(pool).threadsReplaced === 1)
      expect(yield* Pool.submit(pool, threadIdOf)).not.toBe(first)
    }).pipe(Effect.scoped))
})

describe("thread workers: cancellation and shutdown", () => {
  it.live("cancelling a running Effect job interrupts it in its thread; the thread carries on", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1 })
      const before = yield* Pool.submit(pool, threadIdOf)
      const long = yield* Effect.forkChild(Pool.submit(pool, { op: "sleep", ms: 60_000 }))
      yield* eventually(() => Pool.statsUnsafe(pool).running === 1)
      yield* Fiber.interrupt(long)
      expect(Pool.statsUnsafe(pool).cancelled).toBe(1)
      expect(yield* Pool.submit(pool, threadIdOf)).toBe(before)
    }).pipe(Effect.scoped))

  it.live("closing the scope with threads busy: running jobs interrupted at the deadline, queued handed back, no thread left", () =>
    Effect.gen(function*() {
      const before = liveThreads()
      const scope = yield* Scope.make()
      const pool = yield* Pool.make({
        handler: orders,
        minWorkers: 2,
        maxWorkers: 2,
        scaling: "fixed",
        shutdown: { deadline: 200, queued: "handBack" }
      }).pipe(Scope.provide(scope))
      const jobs = yield* Effect.forEach([1, 2, 3, 4], () => Pool.fork(pool, { op: "spin" }))
      // Both threads have begun a job (a job only sent to a booting thread's window would be handed back, not interrupted).
      yield* eventually(() => Pool.statsUnsafe(pool).running === 2 && startedInThreads(pool) === 2)
      expect(liveThreads()).toBe(before + 2)
      yield* Scope.close(scope, Exit.void)
      const stats = Pool.statsUnsafe(pool)
      expect([stats.interrupted, stats.handedBack, stats.state]).toEqual([2, 2, "stopped"])
      const outcomes = yield* Effect.forEach(jobs, Job.poll)
      expect(outcomes.every(Option.isSome)).toBe(true)
      expect(liveThreads()).toBe(before)
    }))
})

describe("thread workers: the same pool", () => {
  it.live("the team of threads grows under load and retires idle threads, as the scaling policy says", () =>
    Effect.gen(function*() {
      const before = liveThreads()
      const pool = yield* Pool.make({
        handler: orders,
        minWorkers: 1,
        maxWorkers: 3,
        scaling: Scaling.auto({ jobsPerWorker: 2, idleAfter: "300 millis" })
      })
      const results = yield* Effect.forEach(Array.from({ length: 12 }, () => ({ op: "sleep", ms: 40 }) as const), (order) => Pool.submit(pool, order), {
        concurrency: "unbounded"
      })
      expect(new Set(results).size).toBeGreaterThan(1) // more than one thread ran them
      expect(Pool.statsUnsafe(pool).spawned.scaleUp).toBeGreaterThan(0)
      yield* eventually(() => Pool.statsUnsafe(pool).retired > 0 && liveThreads() === before + 1, "idle threads retired")
    }).pipe(Effect.scoped))

  it.live("under a supervision tree: a team that gives up is restarted by the tree, with new threads; queued jobs kept", () =>
    Effect.gen(function*() {
      const before = liveThreads()
      const pool = yield* Pool.make({ handler: orders, maxWorkers: 1, scaling: "fixed", restart: { intensity: 0 } })
      yield* Supervisor.start(Supervisor.supervisor("app", [Supervisor.pool("threads", pool)], { intensity: 3 }))
      const first = yield* Pool.submit(pool, threadIdOf)
      const crash = yield* Pool.fork(pool, { op: "exit", code: 5 })
      const queued = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, { op: "value", n }))
      expect(yield* Effect.flip(Job.join(crash))).toBeInstanceOf(WorkerCrashed)
      expect(yield* Effect.forEach(queued, Job.join)).toEqual([1, 2, 3]) // run by the team the tree restarted
      expect(yield* Pool.submit(pool, threadIdOf)).not.toBe(first)
      expect(Pool.statsUnsafe(pool).state).toBe("running")
      expect(liveThreads()).toBe(before + 1)
    }).pipe(Effect.scoped))
})
