import { Deferred, Effect } from "effect"
import { fc, test } from "@fast-check/vitest"
import { expect } from "vitest"
import { Job, Pool } from "../src/index.ts"
import { eventually } from "./helpers.ts"

type Kind = "fifo" | "lifo" | "priority"

/** The order one worker must run queued jobs in, by mailbox kind. */
const expectedOrder = (kind: Kind, priorities: ReadonlyArray<number>): Array<number> => {
  const indices = priorities.map((_, i) => i)
  if (kind === "fifo") return indices
  if (kind === "lifo") return indices.reverse()
  return indices.sort((a, b) => priorities[b]! - priorities[a]! || a - b)
}

// One worker is held busy by a blocker job while the rest are submitted, so
// they all wait in its mailbox; then the blocker is released and the order in
// which the handler sees them is compared with the mailbox's promise.
const runOrder = (kind: Kind, priorities: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const blocker = yield* Deferred.make<void>()
    const order: Array<number> = []
    const pool = yield* Pool.make({
      handler: (i: number) => (i < 0 ? Deferred.await(blocker) : Effect.sync(() => void order.push(i))),
      maxWorkers: 1,
      mailbox: kind,
      capacity: "unbounded"
    })
    const first = yield* Pool.fork(pool, -1)
    yield* eventually(() => Pool.statsUnsafe(pool).running === 1)
    const handles = yield* Effect.forEach(priorities, (priority, i) => Pool.fork(pool, i, { priority }))
    yield* Deferred.succeed(blocker, undefined)
    yield* Job.join(first)
    yield* Effect.forEach(handles, Job.join)
    return order
  }).pipe(Effect.scoped)

const prioritiesArb = fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 40 })

test.prop([prioritiesArb])("one worker, fifo: jobs run in submission order", async (priorities) => {
  expect(await Effect.runPromise(runOrder("fifo", priorities))).toEqual(expectedOrder("fifo", priorities))
})

test.prop([prioritiesArb])("one worker, lifo: jobs run newest first", async (priorities) => {
  expect(await Effect.runPromise(runOrder("lifo", priorities))).toEqual(expectedOrder("lifo", priorities))
})

test.prop([prioritiesArb])(
  "one worker, priority: higher priority first, submission order among equals",
  async (priorities) => {
    expect(await Effect.runPromise(runOrder("priority", priorities))).toEqual(expectedOrder("priority", priorities))
  }
)
