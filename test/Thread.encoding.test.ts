// What crosses the thread boundary when the handler's schemas transform: the
// input is encoded before it is sent, the result decoded when it comes back.
// (Thread.test.ts covers schemas whose encoded form is a structured clone of
// the value anyway; this file is also the thread boundary `npm run mutate` runs.)
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { Pool } from "../src/index.ts"
import { nextDay } from "./fixtures/threads.ts"

describe("thread workers: transforming schemas", () => {
  it.live("a Date crosses as its encoded string and comes back a Date, with and without per-job options", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ handler: nextDay, maxWorkers: 1 })
      const day = new Date("2026-03-01T12:00:00.000Z")
      const plain = yield* Pool.submit(pool, day)
      const timed = yield* Pool.submit(pool, day, { timeout: "10 seconds", priority: 1 })
      for (const result of [plain, timed]) {
        expect(result).toBeInstanceOf(Date)
        expect(result.toISOString()).toBe("2026-03-02T12:00:00.000Z")
      }
    }).pipe(Effect.scoped))
})
