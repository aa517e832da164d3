// Work stealing (`dispatch: "workStealing"`): an idle worker takes half of
// the longest mailbox, so jobs stuck behind a slow one run on a free worker.
import { it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { describe, expect } from "vitest"
import { Dispatch, Job, Pool, Worker } from "../src/index.ts"
import { eventually } from "./helpers.ts"
import { crashWorker } from "./poolInternals.ts"

/** A handler whose job `n` records the worker that ran it, then waits for `release(n)`. */
const makeRecorder = () => {
  const ranOn = new Map<number, number>()
  const gates = new Map<number, Deferred.Deferred<number>>()
  const gate = (n: number) => {
    let d = gates.get(n)
    if (d === undefined) gates.set(n, (d = Deferred.makeUnsafe<number>()))
    return d
  }
  return {
    ranOn,
    handler: (n: number) =>
      Effect.gen(function*() {
        ranOn.set(n, (yield* Worker.CurrentWorkerId) ?? -1)
        return yield* Deferred.await(gate(n))
      }),
    release: (n: number) => Deferred.succeed(gate(n), n)
  }
}

describe("workStealing", () => {
  it.effect("an idle worker takes the jobs queued behind a busy worker's slow job", () =>
    Effect.gen(function*() {
      const jobs = makeRecorder()
      const pool = yield* Pool.make({ handler: jobs.handler, maxWorkers: 2, scaling: "fixed", dispatch: "workStealing" })
      // Placement alternates: 1 and 3 on one worker, 2 and 4 on the other.
      const handles = yield* Effect.forEach([1, 2, 3, 4, 5, 6], (n) => Pool.fork(pool, n))
      yield* eventually(() => jobs.ranOn.size === 2)
      const slow = jobs.ranOn.get(1)!
      yield* jobs.release(2) // the other worker finishes job 2, then its own 4 and 6, then steals
      yield* eventually(() => jobs.ranOn.has(4))
      yield* jobs.release(4)
      yield* eventually(() => jobs.ranOn.has(6))
      yield* jobs.release(6)
      // A thief takes from the end its victim's fifo takes from last: 5 first, then 3.
      yield* eventually(() => jobs.ranOn.has(5), "job 5, queued behind the slow job 1, to be stolen")
      expect(jobs.ranOn.get(5)).not.toBe(slow)
      expect(jobs.ranOn.has(3)).toBe(false)
      yield* jobs.release(5)
      yield* eventually(() => jobs.ranOn.has(3), "job 3, queued behind the slow job 1, to be stolen")
      expect(jobs.ranOn.get(3)).not.toBe(slow)
      for (const n of [3, 1]) yield* jobs.release(n)
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3, 4, 5, 6])
      expect(Pool.statsUnsafe(pool).stolen).toBe(2)
    }))

  it.effect("without stealing (leastLoaded), the same jobs wait for their own worker", () =>
    Effect.gen(function*() {
      const jobs = makeRecorder()
      const pool = yield* Pool.make({ handler: jobs.handler, maxWorkers: 2, scaling: "fixed" })
      const handles = yield* Effect.forEach([1, 2, 3, 4], (n) => Pool.fork(pool, n))
      yield* eventually(() => jobs.ranOn.size === 2)
      const slow = jobs.ranOn.get(1)!
      yield* jobs.release(2)
      yield* eventually(() => jobs.ranOn.has(4))
      yield* jobs.release(4)
      yield* eventually(() => Pool.statsUnsafe(pool).completed === 2)
      expect(jobs.ranOn.has(3)).toBe(false) // still behind job 1
      yield* jobs.release(1)
      yield* eventually(() => jobs.ranOn.has(3))
      expect(jobs.ranOn.get(3)).toBe(slow)
      yield* jobs.release(3)
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3, 4])
      expect(Pool.statsUnsafe(pool).stolen).toBe(0)
    }))

  it.effect("a replacement worker steals the jobs its crashed predecessor left to the others", () =>
    Effect.gen(function*() {
      const jobs = makeRecorder()
      const pool = yield* Pool.make({ handler: jobs.handler, maxWorkers: 2, scaling: "fixed", dispatch: "workStealing" })
      const handles = yield* Effect.forEach([1, 2, 3, 4, 5, 6], (n) => Pool.fork(pool, n))
      yield* eventually(() => jobs.ranOn.size === 2)
      const survivor = jobs.ranOn.get(1)!
      expect(crashWorker(pool, jobs.ranOn.get(2)!, "chaos")).toBe(true) // its queued jobs go to the survivor
      yield* eventually(() => jobs.ranOn.size === 3, "the replacement to steal a job")
      const stolenBy = [...jobs.ranOn].find(([n]) => n !== 1 && n !== 2)!
      expect(stolenBy[1]).not.toBe(survivor)
      for (const n of [1, 3, 4, 5, 6]) yield* jobs.release(n)
      const outcomes = yield* Effect.forEach(handles, (h) => Effect.exit(Job.join(h)))
      expect(outcomes.filter((e) => e._tag === "Success").length).toBe(5)
      expect(Pool.statsUnsafe(pool).stolen).toBeGreaterThan(0)
    }))

  it.effect("with local capacity, jobs beyond it wait in the shared queue, and an idle worker takes them at once", () =>
    Effect.gen(function*() {
      const jobs = makeRecorder()
      // Dispatch that always picks the first worker: the second gets work only from the shared queue.
      const first = Dispatch.make("first", () => 0, Dispatch.workStealing().steal, { localCapacity: 1 })
      const pool = yield* Pool.make({ handler: jobs.handler, maxWorkers: 2, scaling: "fixed", dispatch: first })
      const handles = [yield* Pool.fork(pool, 1)]
      yield* eventually(() => jobs.ranOn.has(1))
      // 1 runs on the first worker, 2 fills its mailbox, 3 waits in the shared queue for the idle second
      handles.push(yield* Pool.fork(pool, 2), yield* Pool.fork(pool, 3))
      yield* eventually(() => jobs.ranOn.size === 2, "the idle worker to take job 3 from the shared queue")
      expect(jobs.ranOn.has(3)).toBe(true)
      expect(jobs.ranOn.get(3)).not.toBe(jobs.ranOn.get(1))
      for (const n of [1, 2, 3]) yield* jobs.release(n)
      expect(yield* Effect.forEach(handles, Job.join)).toEqual([1, 2, 3])
      expect(Pool.statsUnsafe(pool).stolen).toBe(0) // taken from the shared queue, not stolen
    }))

  it.effect("a job in the shared queue runs within the check interval even while the mailboxes never empty", () =>
    Effect.gen(function*() {
      const jobs = makeRecorder()
      const pool = yield* Pool.make({
        handler: jobs.handler,
        maxWorkers: 1,
        scaling: "fixed",
        dispatch: Dispatch.workStealing({ localCapacity: 1 })
      })
      const handles = [yield* Pool.fork(pool, 1)]
      yield* eventually(() => jobs.ranOn.has(1))
      // 1 runs, 2 fills the mailbox, 3 waits in the shared queue
      handles.push(yield* Pool.fork(pool, 2), yield* Pool.fork(pool, 3))
      let running = 1
      let queued = 2
      // Keep the mailbox full: each time the worker takes its queued job, one more is submitted.
      for (let next = 4; next < 4 + 2 * Dispatch.sharedQueueInterval; next++) {
        yield* jobs.release(running)
        yield* eventually(() => jobs.ranOn.has(queued) || jobs.ranOn.has(3))
        if (jobs.ranOn.has(3)) break
        running = queued
        queued = next
        handles.push(yield* Pool.fork(pool, next)) // into the mailbox, emptied by the take
      }
      expect(jobs.ranOn.has(3), "job 3 taken from the shared queue").toBe(true)
      expect(jobs.ranOn.size).toBeLessThanOrEqual(Dispatch.sharedQueueInterval + 1)
      for (let n = 1; n <= handles.length; n++) yield* jobs.release(n)
      expect((yield* Effect.forEach(handles, Job.join)).length).toBe(handles.length)
    }))

  it("the victim is the worker with the longest mailbox, never the thief; none when all are empty", () => {
    const steal = Dispatch.workStealing().steal!
    const load = (queued: number) => ({ id: 0, queued, running: 1 })
    expect(steal(0, [load(0), load(3), load(5), load(1)])).toBe(2)
    expect(steal(2, [load(0), load(3), load(5), load(1)])).toBe(1)
    expect(steal(1, [load(0), load(0)])).toBe(-1)
  })
})
