import { it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Metric, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Job, Mailbox, Pool } from "../src/index.ts"
import { crashWorker, jobWatchers } from "./poolInternals.ts"
import { eventually, makeGates, settle, tagOf } from "./helpers.ts"

describe("Pool.submit", () => {
  it.effect("returns the handler's result; its typed failure stays typed", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => (n < 0 ? Effect.fail({ _tag: "Negative" as const, n }) : Effect.succeed(n * 2))
      })
      expect(yield* Pool.submit(pool, 21)).toBe(42)
      const error = yield* Pool.submit(pool, -1).pipe(Effect.flip)
      expect(error).toEqual({ _tag: "Negative", n: -1 })
      const stats = yield* Pool.stats(pool)
      expect([stats.submitted, stats.completed, stats.failed, stats.served]).toEqual([2, 1, 1, 2])
    }))

  it.effect("a defect becomes a typed JobDefect; the pool and its worker carry on", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => (n === 0 ? Effect.die(new Error("division by zero")) : Effect.succeed(10 / n)),
        maxWorkers: 1
      })
      const error = yield* Pool.submit(pool, 0).pipe(Effect.flip)
      expect(error._tag).toBe("JobDefect")
      if (error._tag !== "JobDefect") return
      expect(error.jobId).toBe(1)
      expect(error.message).toContain("division by zero")
      expect(yield* Pool.submit(pool, 5)).toBe(2)
      const stats = yield* Pool.stats(pool)
      expect(stats.defects).toBe(1)
      expect(stats.workers.crashed).toBe(0)
    }))

  it.effect("a thrown exception inside Effect.sync is a defect too", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (_: number) =>
          Effect.sync(() => {
            throw new Error("thrown")
          })
      })
      expect((yield* Pool.submit(pool, 1).pipe(Effect.flip))._tag).toBe("JobDefect")
    }))

  it.effect("interrupting the submitter removes a queued job from its mailbox", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const first = yield* Effect.forkChild(Pool.submit(pool, 1))
      const second = yield* Effect.forkChild(Pool.submit(pool, 2))
      yield* eventually(() => gates.started.length === 1 && Pool.statsUnsafe(pool).queued === 1)
      yield* Fiber.interrupt(second)
      expect(Pool.statsUnsafe(pool).queued).toBe(0)
      expect(Pool.statsUnsafe(pool).cancelled).toBe(1)
      yield* gates.release(1)
      expect(yield* Fiber.join(first)).toBe(1)
      yield* settle()
      expect(gates.started).toEqual([1]) // job 2 never ran
    }))

  it.effect("interrupting the submitter interrupts a running job; its finalizers run", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const fiber = yield* Effect.forkChild(Pool.submit(pool, 1))
      yield* eventually(() => gates.started.length === 1)
      yield* Fiber.interrupt(fiber)
      expect(gates.finalized).toEqual([1])
      expect(Pool.statsUnsafe(pool).cancelled).toBe(1)
      // the worker's lane was restarted and takes the next job
      const next = yield* Effect.forkChild(Pool.submit(pool, 2))
      yield* eventually(() => gates.started.length === 2)
      yield* gates.release(2)
      expect(yield* Fiber.join(next)).toBe(2)
    }))
})

describe("Pool.fork and Job handles", () => {
  it.effect("join, poll and cancel a job in the background", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const a = yield* Pool.fork(pool, 1)
      const b = yield* Pool.fork(pool, 2)
      expect([a.id, b.id]).toEqual([1, 2])
      expect(Job.isJobHandle(a)).toBe(true)
      expect(yield* Job.poll(a)).toEqual(Option.none())
      yield* Job.cancel(b)
      expect(yield* Job.poll(b)).toEqual(Option.some(Exit.fail(expect.objectContaining({ _tag: "JobCancelled", jobId: 2 }))))
      yield* eventually(() => gates.started.length === 1)
      yield* gates.release(1)
      expect(yield* Job.join(a)).toBe(1)
      expect(yield* Job.join(a)).toBe(1) // joining again gives the same outcome
      yield* Job.cancel(a) // cancelling a settled job changes nothing
      expect(yield* Job.join(a)).toBe(1)
    }))

  it.effect("interrupting a joiner does not cancel the job", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const handle = yield* Pool.fork(pool, 7)
      const joiner = yield* Effect.forkChild(Job.join(handle))
      yield* eventually(() => gates.started.length === 1)
      yield* Fiber.interrupt(joiner)
      yield* gates.release(7)
      expect(yield* Job.join(handle)).toBe(7)
    }))

  it.effect("cancel of a running job waits for its finalizers", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const handle = yield* Pool.fork(pool, 3)
      yield* eventually(() => gates.started.length === 1)
      yield* Job.cancel(handle)
      expect(gates.finalized).toEqual([3])
      expect(tagOf(yield* Job.join(handle).pipe(Effect.flip))).toBe("JobCancelled")
    }))
})

describe("back pressure", () => {
  it.effect("onFull: suspend — submit waits for room, then runs; nothing is dropped", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, capacity: 2 })
      const handles = [yield* Pool.fork(pool, 1)]
      yield* eventually(() => gates.started.length === 1)
      handles.push(yield* Pool.fork(pool, 2), yield* Pool.fork(pool, 3)) // queued: 2 (full)
      const waiting = yield* Effect.forkChild(Pool.fork(pool, 4))
      yield* settle()
      expect(waiting.pollUnsafe()).toBeUndefined()
      expect(Pool.statsUnsafe(pool).queued).toBe(2)
      yield* gates.release(1) // job 2 starts: room for one
      const fourth = yield* Fiber.join(waiting)
      for (const n of [2, 3, 4]) {
        yield* eventually(() => gates.started.includes(n))
        yield* gates.release(n)
      }
      expect(yield* Effect.forEach([...handles, fourth], Job.join)).toEqual([1, 2, 3, 4])
    }))

  it.effect("onFull: fail — submit fails fast with MailboxFull and the pool is unchanged", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, capacity: 1, onFull: "fail" })
      yield* Pool.fork(pool, 1)
      yield* eventually(() => gates.started.length === 1)
      yield* Pool.fork(pool, 2)
      const error = yield* Pool.submit(pool, 3).pipe(Effect.flip)
      expect(tagOf(error)).toBe("MailboxFull")
      expect((error as Error).message).toContain("1 queued jobs")
      expect(Pool.statsUnsafe(pool).submitted).toBe(2)
      yield* gates.release(1)
      yield* gates.release(2)
    }))

  it.effect("an interrupted waiting producer leaves the line without submitting", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, capacity: 1 })
      yield* Pool.fork(pool, 1)
      yield* eventually(() => gates.started.length === 1)
      yield* Pool.fork(pool, 2)
      const waiting = yield* Effect.forkChild(Pool.submit(pool, 3))
      yield* settle()
      yield* Fiber.interrupt(waiting)
      yield* gates.release(1)
      yield* eventually(() => gates.started.length === 2)
      yield* gates.release(2)
      yield* settle()
      expect(gates.started).toEqual([1, 2])
      expect(Pool.statsUnsafe(pool).submitted).toBe(2)
    }))
})

describe("shutdown", () => {
  it.effect("intake stops at once; queued jobs drain by default; later submits fail with PoolClosed", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 1)
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      expect(tagOf(yield* Pool.submit(pool, 9).pipe(Effect.flip))).toBe("PoolClosed")
      expect(Pool.statsUnsafe(pool).state).toBe("draining")
      for (const n of [1, 2, 3]) {
        yield* eventually(() => gates.started.includes(n))
        yield* gates.release(n)
      }
      const report = yield* Fiber.join(shutdown)
      expect(report).toEqual({ pool: "troupe", handedBack: [], interrupted: [], deadlineReached: false })
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3])
      const stats = yield* Pool.stats(pool)
      expect(stats.state).toBe("stopped")
      expect(stats.workers.stopped).toBe(1)
    }))

  it.effect("queued: handBack returns unrun jobs with their inputs; their waiters get JobHandedBack", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, shutdown: { queued: "handBack" } })
      const handles = yield* Effect.forEach([10, 20, 30], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 1)
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      yield* gates.release(10)
      const report = yield* Fiber.join(shutdown)
      expect(report.handedBack).toEqual([{ id: 2, input: 20 }, { id: 3, input: 30 }])
      expect(yield* Job.join(handles[0]!)).toBe(10)
      const error = yield* Job.join(handles[1]!).pipe(Effect.flip)
      expect(tagOf(error)).toBe("JobHandedBack")
      expect(gates.started).toEqual([10])
    }))

  it.effect("after the deadline, running jobs are interrupted and reported; shutdown does not hang", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 2, scaling: "fixed", shutdown: { deadline: "10 seconds" } })
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 2)
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      yield* TestClock.adjust("9 seconds")
      expect(shutdown.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 second")
      const report = yield* Fiber.join(shutdown)
      expect(report.deadlineReached).toBe(true)
      expect(report.interrupted.map((j) => j.input).sort()).toEqual([1, 2])
      expect(report.handedBack).toEqual([{ id: 3, input: 3 }])
      expect(gates.finalized.sort()).toEqual([1, 2])
      for (const h of handles) expect(Exit.isFailure(yield* Effect.exit(Job.join(h)))).toBe(true)
      const stats = yield* Pool.stats(pool)
      expect([stats.interrupted, stats.handedBack, stats.state]).toEqual([2, 1, "stopped"])
    }))

  it.effect("a second shutdown is a no-op returning the same report; closing the scope after it too", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const first = yield* Pool.shutdown(pool)
      const second = yield* Pool.shutdown(pool)
      expect(second).toBe(first)
      expect((yield* Pool.fork(pool, 1).pipe(Effect.flip))._tag).toBe("PoolClosed")
    }))

  it.effect("closing the scope shuts the pool down", () =>
    Effect.gen(function*() {
      const pool = yield* Effect.scoped(Pool.make({ handler: (n: number) => Effect.succeed(n) }))
      expect((yield* Pool.stats(pool)).state).toBe("stopped")
      expect((yield* Pool.submit(pool, 1).pipe(Effect.flip))._tag).toBe("PoolClosed")
    }))

  it.effect("producers waiting for room are told PoolClosed at shutdown", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, capacity: 1, shutdown: { queued: "handBack" } })
      yield* Pool.fork(pool, 1)
      yield* eventually(() => gates.started.length === 1)
      yield* Pool.fork(pool, 2)
      const waiting = yield* Effect.forkChild(Pool.submit(pool, 3))
      yield* settle()
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool))
      expect(tagOf(yield* Fiber.join(waiting).pipe(Effect.flip))).toBe("PoolClosed")
      yield* gates.release(1)
      expect((yield* Fiber.join(shutdown)).handedBack).toEqual([{ id: 2, input: 2 }])
    }))
})

describe("supervision of crashed workers", () => {
  it.effect("a crashed worker's running job settles WorkerCrashed, its queued jobs move on, a replacement starts", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const handles = yield* Effect.forEach([1, 2, 3], (n) => Pool.fork(pool, n))
      yield* eventually(() => gates.started.length === 1)
      expect(crashWorker(pool, 1, "chaos")).toBe(true)
      const error = yield* Job.join(handles[0]!).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "WorkerCrashed", jobId: 1, workerId: 1, reason: "chaos" })
      yield* eventually(() => gates.started.length === 2, "the replacement to take job 2")
      yield* gates.release(2)
      yield* eventually(() => gates.started.length === 3)
      yield* gates.release(3)
      expect(yield* Effect.forEach(handles.slice(1), Job.join)).toEqual([2, 3])
      const stats = yield* Pool.stats(pool)
      expect(stats.workers.crashed).toBe(1)
      expect(stats.workers.idle + stats.workers.busy).toBe(1)
      expect(stats.crashed).toBe(1)
    }))
})

describe("observability", () => {
  it.effect("events: worker lifecycle transitions and supervisor decisions, ending when the pool stops", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, name: "obs" })
      const collected = yield* Pool.events(pool).pipe(Stream.runCollect, Effect.forkChild({ startImmediately: true }))
      yield* settle()
      yield* Pool.fork(pool, 1)
      yield* eventually(() => gates.started.length === 1)
      yield* settle()
      crashWorker(pool, 1, "chaos")
      yield* eventually(() => Pool.statsUnsafe(pool).workers.idle === 1, "replacement")
      yield* Pool.shutdown(pool)
      const events = yield* Fiber.join(collected)
      const summary = events.map((e) =>
        e.type === "@troupe.worker.transition" ? `w${e.workerId}:${e.from}->${e.to}`
        : e.type === "@troupe.pool.transition" ? `pool:${e.from}->${e.to}`
        : e.type === "@troupe.worker.spawned" ? `spawned w${e.workerId} (${e.reason} of w${e.replaces})`
        : e.type === "@troupe.worker.crashed" ? `crashed w${e.workerId} (${e.reason})`
        : e.type
      )
      expect(summary).toEqual([
        "w1:idle->busy",
        "w1:busy->crashed",
        "@troupe.pool.drained", // its one job ended (WorkerCrashed): nothing left to do
        "crashed w1 (chaos)",
        "spawned w2 (replacement of w1)",
        "w2:spawning->idle",
        "pool:running->draining",
        "w2:idle->draining",
        "w2:draining->stopped",
        "pool:draining->stopped"
      ])
      expect(events.every((e) => e.pool === "obs")).toBe(true)
    }))

  it.effect("stats count workers by lifecycle state", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 3, scaling: "fixed" })
      yield* Pool.fork(pool, 1)
      yield* eventually(() => Pool.statsUnsafe(pool).workers.busy === 1)
      const stats = yield* Pool.stats(pool)
      expect(stats.workers).toEqual({ spawning: 0, idle: 2, busy: 1, draining: 0, stopped: 0, crashed: 0 })
      expect(stats.running).toBe(1)
      yield* gates.release(1)
    }))

  // Fibers counted through Effect's fiber runtime metrics, in the pool's context.
  it.effect("an idle worker holds no fiber: a lane starts one when jobs come and ends it when it parks", () =>
    Effect.gen(function*() {
      let live = 0
      const fibers: Metric.FiberRuntimeMetricsService = { recordFiberStart: () => void live++, recordFiberEnd: () => void live-- }
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * 2), maxWorkers: 50, concurrency: 2, scaling: "fixed" }).pipe(
        Effect.provideService(Metric.FiberRuntimeMetrics, fibers)
      )
      yield* settle()
      expect(Pool.statsUnsafe(pool).workers.idle).toBe(50)
      const idle = live
      expect(idle).toBe(0) // a fiber per lane: 100
      const results = yield* Effect.forEach(Array.from({ length: 300 }, (_, i) => i), (n) => Pool.submit(pool, n), { concurrency: "unbounded" })
      expect(results[299]).toBe(598)
      yield* eventually(() => Pool.statsUnsafe(pool).workers.idle === 50)
      expect(live).toBe(idle)
    }))
})

class Doubler extends Context.Service<Doubler, Pool.Pool<number, number>>()("test/Doubler") {}

describe("Pool.layer", () => {
  it.effect("provides a pool as a service and shuts it down with the layer", () =>
    Effect.gen(function*() {
      const pool = yield* Effect.gen(function*() {
        const pool = yield* Doubler
        expect(yield* Pool.submit(pool, 4)).toBe(8)
        return pool
      }).pipe(Effect.provide(Pool.layer(Doubler, { handler: (n: number) => Effect.succeed(n * 2) })))
      expect((yield* Pool.stats(pool)).state).toBe("stopped")
    }))

  it.effect("a layer with bad options fails to build with InvalidOptions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.gen(function*() {
        return yield* Doubler
      }).pipe(
        Effect.provide(Pool.layer(Doubler, { handler: (n: number) => Effect.succeed(n), maxWorkers: 0 })),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidOptions")
    }))
})


describe("a worker whose loop dies", () => {
  it.effect("is replaced; its queued jobs are dispatched again and none is lost", () =>
    Effect.gen(function*() {
      // A user's mailbox with a bug: its third take throws, killing the lane's loop.
      let takes = 0
      const flaky = Mailbox.make("flaky", <A extends Mailbox.Envelope>() => {
        const inner = Mailbox.fifo().make<A>()
        return {
          get size() {
            return inner.size
          },
          offer: (item: A) => inner.offer(item),
          take: () => {
            if (++takes === 3) throw new Error("mailbox bug")
            return inner.take()
          },
          remove: (item: A) => inner.remove(item),
          drain: () => inner.drain()
        }
      })
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, mailbox: flaky })
      const handles = yield* Effect.forEach([1, 2, 3, 4], (n) => Pool.fork(pool, n))
      for (const n of [1, 2, 3, 4]) yield* gates.release(n)
      const exits = yield* Effect.forEach(handles, (h) => Effect.exit(Job.join(h)))
      expect(exits.filter(Exit.isSuccess).length).toBe(4)
      const stats = yield* Pool.stats(pool)
      expect(stats.workers.crashed).toBe(1)
      expect(stats.workers.idle).toBe(1)
      expect(stats.completed).toBe(4)
    }))
})

describe("dual API", () => {
  it.effect("submit and fork read well in a pipe", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n + 1) })
      expect(yield* pool.pipe(Pool.submit(1))).toBe(2)
      const handle = yield* pool.pipe(Pool.fork(2, { priority: 1 }))
      expect(yield* Job.join(handle)).toBe(3)
    }))
})

describe("metrics", () => {
  it.effect("the pool's counters are Effect Metrics with the pool's name", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => (n < 0 ? Effect.fail("negative") : Effect.succeed(n)),
        name: "metered",
        scaling: "fixed"
      })
      yield* Pool.submit(pool, 1)
      yield* Pool.submit(pool, 2)
      yield* Effect.exit(Pool.submit(pool, -1))
      const snapshot = yield* Metric.snapshot
      const find = (id: string, attributes: Record<string, string>) =>
        snapshot.find((m) =>
          m.id === id && Object.entries(attributes).every(([k, v]) => m.attributes?.[k] === v)
        )?.state
      expect(find("troupe_jobs_submitted", { pool: "metered" })).toMatchObject({ count: 3 })
      expect(find("troupe_jobs", { pool: "metered", outcome: "completed" })).toMatchObject({ count: 2 })
      expect(find("troupe_jobs", { pool: "metered", outcome: "failed" })).toMatchObject({ count: 1 })
      expect(find("troupe_workers", { pool: "metered", state: "idle" })).toMatchObject({ value: 4 })
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("every outcome in the stats has its metric series: a timed-out job is counted there too", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (_: number) => Effect.never, name: "slow", timeout: "1 second" })
      const job = yield* Pool.fork(pool, 1)
      yield* settle()
      yield* TestClock.adjust("1 second")
      expect(tagOf(yield* Effect.flip(Job.join(job)))).toBe("JobTimedOut")
      const snapshot = yield* Metric.snapshot
      const series = snapshot.filter((m) => m.id === "troupe_jobs" && m.attributes?.pool === "slow")
      const stats = Pool.statsUnsafe(pool)
      for (const outcome of ["completed", "failed", "defects", "cancelled", "crashed", "handedBack", "interrupted", "timedOut"] as const) {
        expect(series.find((m) => m.attributes?.outcome === outcome)?.state, outcome).toMatchObject({ count: stats[outcome] })
      }
      expect(stats.timedOut).toBe(1)
      for (const id of ["troupe_threads_replaced", "troupe_jobs_stolen", "troupe_jobs_promoted"]) {
        expect(snapshot.find((m) => m.id === id && m.attributes?.pool === "slow")?.state).toMatchObject({ count: 0 })
      }
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})

// Regressions found in review: each once lost a job, crashed a worker, or hung.
describe("regressions", () => {
  it.effect("cancelling the running job during a draining shutdown still runs what was queued", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      const first = yield* Pool.fork(pool, 1)
      const second = yield* Pool.fork(pool, 2)
      yield* eventually(() => gates.started.length === 1)
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      yield* Job.cancel(first)
      yield* eventually(() => gates.started.length === 2, "the queued job to run")
      yield* gates.release(2)
      expect(yield* Job.join(second)).toBe(2)
      const report = yield* Fiber.join(shutdown)
      expect(report.handedBack).toEqual([])
      expect(Pool.statsUnsafe(pool).queued).toBe(0)
    }))

  it.effect("a handler that throws instead of returning an Effect fails only its own job", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const handler = (n: number): Effect.Effect<number, string> => {
        if (n < 0) throw new Error("thrown synchronously")
        return gates.handler(n)
      }
      const pool = yield* Pool.make({ handler, maxWorkers: 1, concurrency: 2, scaling: "fixed" })
      const innocent = yield* Pool.fork(pool, 1)
      yield* eventually(() => gates.started.length === 1)
      const error = yield* Pool.submit(pool, -1).pipe(Effect.flip)
      expect(tagOf(error)).toBe("JobDefect")
      yield* gates.release(1)
      expect(yield* Job.join(innocent)).toBe(1)
      const stats = yield* Pool.stats(pool)
      expect(stats.workers.crashed).toBe(0)
      expect(stats.spawned.replacement).toBe(0)
    }))

  it.effect("a handler that returns a plain value (not an Effect) completes its job with it", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => n + 1 })
      expect(yield* Pool.submit(pool, 1)).toBe(2)
      expect((yield* Pool.stats(pool)).completed).toBe(1)
    }))

  it.effect("a cancel that lands while a restarted lane starts its next job is delivered", () =>
    Effect.gen(function*() {
      const started2 = yield* Deferred.make<void>()
      const pool = yield* Pool.make({
        handler: (n: number) => (n === 1 ? Effect.never : Deferred.succeed(started2, undefined).pipe(Effect.andThen(Effect.never))),
        maxWorkers: 1
      })
      const h1 = yield* Pool.fork(pool, 1)
      const h2 = yield* Pool.fork(pool, 2)
      yield* eventually(() => Pool.statsUnsafe(pool).running === 1)
      // as soon as job 2 starts (inside the lane restarted by cancelling job 1), cancel it
      const canceller = yield* Effect.forkChild(Deferred.await(started2).pipe(Effect.andThen(Job.cancel(h2))))
      yield* settle()
      yield* Job.cancel(h1)
      yield* Fiber.join(canceller)
      expect(tagOf(yield* Job.join(h2).pipe(Effect.flip))).toBe("JobCancelled")
    }))

  it.effect("a worker that crashes during shutdown hands its queued jobs back in the report", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1 })
      yield* Pool.fork(pool, 1)
      const second = yield* Pool.fork(pool, 2)
      yield* eventually(() => gates.started.length === 1)
      const shutdown = yield* Effect.forkChild(Pool.shutdown(pool))
      yield* settle()
      crashWorker(pool, 1, "chaos")
      const report = yield* Fiber.join(shutdown)
      expect(report.handedBack).toEqual([{ id: 2, input: 2 }])
      expect(tagOf(yield* Job.join(second).pipe(Effect.flip))).toBe("JobHandedBack")
    }))
})

describe("under load", () => {
  it.effect("a producer and a joiner racing through 20,000 jobs on 8 workers: all complete (no lost wake-ups)", () =>
    Effect.gen(function*() {
      const jobs = 20_000
      const pool = yield* Pool.make({ handler: (n: number) => Effect.sync(() => n), maxWorkers: 8, scaling: "fixed", capacity: 1024 })
      const handles: Array<Job.JobHandle<number> | undefined> = new Array(jobs)
      yield* Effect.forkChild(
        Effect.gen(function*() {
          for (let i = 0; i < jobs; i++) handles[i] = yield* Pool.fork(pool, i)
        }),
        { startImmediately: true }
      )
      let sum = 0
      for (let i = 0; i < jobs; i++) {
        while (handles[i] === undefined) yield* Effect.yieldNow
        sum += yield* Job.join(handles[i]!)
      }
      expect(sum).toBe((jobs * (jobs - 1)) / 2)
      expect(Pool.statsUnsafe(pool).completed).toBe(jobs)
    }), 20_000)

  it.effect("auto scaling grows through a burst and every job completes", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.sync(() => n), maxWorkers: 8, capacity: 512 })
      const results = yield* Effect.forEach(Array.from({ length: 20_000 }, (_, i) => i), (i) => Pool.submit(pool, i), {
        concurrency: 64
      })
      expect(results.length).toBe(20_000)
      expect(Pool.statsUnsafe(pool).completed).toBe(20_000)
    }))
})

describe("third review regressions", () => {
  it.effect("a worker whose first job left before it woke still reports busy for the next one", () =>
    Effect.gen(function*() {
      const gates = makeGates()
      const pool = yield* Pool.make({ handler: gates.handler, maxWorkers: 1, scaling: "fixed" })
      yield* settle()
      const a = yield* Pool.fork(pool, 1)
      yield* Job.cancel(a) // marks the worker idle again before its wake-up runs
      yield* Pool.fork(pool, 2) // while that wake-up is still pending
      yield* eventually(() => gates.started.includes(2))
      yield* settle()
      expect(Pool.statsUnsafe(pool).workers).toMatchObject({ busy: 1, idle: 0 })
      yield* gates.release(2)
    }))

  it.effect("job events: only for a reader who asks, each naming its worker, paid for only while read", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({
        handler: (n: number) => (n < 0 ? Effect.fail("odd") : Effect.succeed(n)),
        maxWorkers: 1,
        scaling: "fixed",
        name: "jobs"
      })
      const plain = yield* Pool.events(pool).pipe(Stream.runCollect, Effect.forkChild({ startImmediately: true }))
      const jobs = yield* Pool.events(pool, { jobs: true }).pipe(Stream.runCollect, Effect.forkChild({ startImmediately: true }))
      yield* settle()
      yield* Pool.submit(pool, 1)
      yield* Pool.submit(pool, -1).pipe(Effect.flip)
      yield* Pool.shutdown(pool)
      const runs = (yield* Fiber.join(jobs)).flatMap((e) =>
        e.type === "@troupe.job.started" ? [`start j${e.jobId} w${e.workerId} #${e.attempt}`]
        : e.type === "@troupe.job.finished" ? [`end j${e.jobId} w${e.workerId} ${e.result}`]
        : []
      )
      expect(runs).toEqual(["start j1 w1 #1", "end j1 w1 success", "start j2 w1 #1", "end j2 w1 failure"])
      expect((yield* Fiber.join(plain)).some((e) => e.type.startsWith("@troupe.job.started"))).toBe(false)
      expect(jobWatchers(pool)).toBe(0) // the reader's stream ended: the pool stopped publishing them
    }))

  it.effect("job events: readers are counted while they read; an interrupted reader stops counting", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n), maxWorkers: 1 })
      const read = () => Pool.events(pool, { jobs: true }).pipe(Stream.runDrain, Effect.forkChild({ startImmediately: true }))
      const a = yield* read()
      const b = yield* read()
      yield* settle()
      expect(jobWatchers(pool)).toBe(2)
      yield* Fiber.interrupt(a)
      expect(jobWatchers(pool)).toBe(1)
      yield* Fiber.interrupt(b)
      expect(jobWatchers(pool)).toBe(0)
      const plain = yield* Pool.events(pool).pipe(Stream.runDrain, Effect.forkChild({ startImmediately: true }))
      yield* settle()
      expect(jobWatchers(pool)).toBe(0) // a reader of the other events costs the jobs nothing
      yield* Fiber.interrupt(plain)
    }))

  it.effect("events subscribed after the pool stopped end at once", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      yield* Pool.shutdown(pool)
      expect(yield* Stream.runCollect(Pool.events(pool))).toEqual([])
    }))

  it.effect("two pools with the same name keep separate metric series", () =>
    Effect.gen(function*() {
      const a = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      const b = yield* Pool.make({ handler: (n: number) => Effect.succeed(n) })
      yield* Effect.forEach([1, 2, 3], (n) => Pool.submit(a, n))
      yield* Pool.submit(b, 1)
      const counts = (yield* Metric.snapshot)
        .filter((m) => m.id === "troupe_jobs_submitted" && m.attributes?.pool === "troupe")
        .map((m) => (m.state as { count: number }).count)
        .sort()
      expect(counts).toEqual([1, 3])
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})
