// Properties of the supervisor under random bursts, releases, time and
// crashes (TestClock): the team stays within [min, max], a busy worker is
// never retired, a burst grows the team to what the policy asks, and no job
// is lost.
import { Effect, Exit, ManagedRuntime, Option, Scope } from "effect"
import { TestClock } from "effect/testing"
import { fc, test } from "@fast-check/vitest"
import { expect } from "vitest"
import { Job, Pool, Scaling, Worker } from "../src/index.ts"
import { eventually, makeGates, settle } from "./helpers.ts"
import { crashWorker, liveWorkerIds, onEvent } from "./poolInternals.ts"

const IDLE_MS = 10_000

type Step =
  | { readonly _tag: "burst"; readonly n: number }
  | { readonly _tag: "release"; readonly n: number }
  | { readonly _tag: "advance"; readonly ms: number }
  | { readonly _tag: "crash"; readonly pick: number }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ _tag: fc.constant("burst" as const), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ _tag: fc.constant("release" as const), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ _tag: fc.constant("advance" as const), ms: fc.constantFrom(1_000, 5_000, IDLE_MS, 30_000) }),
  fc.record({ _tag: fc.constant("crash" as const), pick: fc.nat() })
)

const configArb = fc
  .record({ min: fc.integer({ min: 0, max: 3 }), extra: fc.integer({ min: 0, max: 4 }), perWorker: fc.integer({ min: 1, max: 4 }) })
  .map(({ min, extra, perWorker }) => ({ min, max: Math.max(1, min + extra), perWorker }))

/** What threshold asks for after a burst: double while the backlog per worker reaches the threshold. */
const expectedTeam = (team: number, waiting: number, max: number, perWorker: number): number => {
  let n = team
  let free = 0
  while (n < max) {
    if (n === 0) {
      if (waiting === 0) break
      n = 1
      free = 1
      continue
    }
    if (Math.max(0, waiting - free) < perWorker * n) break
    const next = Math.min(max, Math.max(n + 1, n * 2))
    free += next - n
    n = next
  }
  return n
}

test.prop([configArb, fc.array(stepArb, { minLength: 1, maxLength: 25 })], { numRuns: 60 })(
  "team within [min, max]; busy workers never retire; bursts grow it as the policy says; no job is lost",
  async (config, steps) => {
    const runtime = ManagedRuntime.make(TestClock.layer())
    const gates = makeGates()
    const running = new Map<number, number>() // worker id -> jobs running on it
    const handler = (n: number) =>
      Effect.gen(function*() {
        const worker = (yield* Worker.CurrentWorkerId)!
        running.set(worker, (running.get(worker) ?? 0) + 1)
        return yield* gates.handler(n).pipe(Effect.ensuring(Effect.sync(() => running.set(worker, running.get(worker)! - 1))))
      })
    const run = <A, E>(effect: Effect.Effect<A, E>) => runtime.runPromise(effect)
    try {
      const scope = await run(Scope.make())
      const pool = await run(
        Pool.make({
          handler,
          minWorkers: config.min,
          maxWorkers: config.max,
          scaling: Scaling.combine(Scaling.threshold({ jobsPerWorker: config.perWorker }), Scaling.idleTimeout({ after: IDLE_MS })),
          capacity: "unbounded",
          restart: { intensity: 1_000 } // crashes here are deliberate; escalation has its own tests
        }).pipe(Scope.provide(scope))
      )
      // a busy worker is never retired: checked at the moment of each retirement
      onEvent(pool, (event) => {
        if (event.type === "@troupe.worker.retired") expect(running.get(event.workerId) ?? 0, `worker ${event.workerId} retired busy`).toBe(0)
      })
      const handles: Array<Job.JobHandle<number, string>> = []
      let next = 0
      const open = () => handles.filter((h) => Option.isNone(Effect.runSync(Job.poll(h))))
      const quiet = () => run(settle(20))
      await quiet()
      for (const step of steps) {
        if (step._tag === "burst") {
          const before = liveWorkerIds(pool).length
          const runningBefore = gates.running
          const waitingBefore = open().length - runningBefore
          for (let i = 0; i < step.n; i++) handles.push(await run(Pool.fork(pool, next++)))
          await quiet()
          // From a quiet start (nothing waiting), idle workers take a job each first; the rest is the backlog
          if (waitingBefore === 0) {
            const backlog = Math.max(0, runningBefore + step.n - before)
            expect(liveWorkerIds(pool).length).toBe(expectedTeam(before, backlog, config.max, config.perWorker))
          }
        } else if (step._tag === "release") {
          const started = gates.started.filter((n) => Option.isNone(Effect.runSync(Job.poll(handles[n]!))))
          for (const n of started.slice(0, step.n)) await run(gates.release(n))
          await quiet()
        } else if (step._tag === "advance") {
          await run(TestClock.adjust(step.ms))
          await quiet()
        } else {
          const ids = liveWorkerIds(pool)
          if (ids.length > 0) crashWorker(pool, ids[step.pick % ids.length]!, "chaos")
          await quiet()
        }
        const team = liveWorkerIds(pool).length
        expect(team).toBeGreaterThanOrEqual(config.min)
        expect(team).toBeLessThanOrEqual(config.max)
      }
      // let everything finish: every job ends, and exactly once
      for (const n of gates.started) await run(gates.release(n))
      await run(
        Effect.gen(function*() {
          for (let i = 0; i < 50 && open().length > 0; i++) {
            for (const n of gates.started) yield* gates.release(n)
            yield* settle(10)
          }
          yield* eventually(() => open().length === 0, "every job to settle", 500)
        })
      )
      const outcomes = handles.map((h) => Option.getOrThrow(Effect.runSync(Job.poll(h))))
      const stats = Pool.statsUnsafe(pool)
      expect(outcomes.filter(Exit.isSuccess).length + stats.crashed).toBe(handles.length)
      expect(stats.completed + stats.crashed).toBe(stats.submitted)
    } finally {
      await runtime.dispose()
    }
  },
  120_000
)
