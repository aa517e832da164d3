import { it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { expect } from "vitest"
import { createActor, setup } from "xstate"
import * as XStateClock from "../../src/shared/xstateClock.ts"

const timed = setup({}).createMachine({
  initial: "waiting",
  states: {
    waiting: { after: { 30_000: "expired" }, on: { POKE: "waiting2" } },
    waiting2: { after: { 5_000: "expired" } },
    expired: {}
  }
})

it.effect("XState delays run on Effect's Clock: TestClock moves them", () =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const actor = createActor(timed, { clock: XStateClock.fromContext(context) }).start()
    yield* TestClock.adjust("29 seconds")
    expect(actor.getSnapshot().value).toBe("waiting")
    yield* TestClock.adjust("1 second")
    expect(actor.getSnapshot().value).toBe("expired")
    actor.stop()
  }))

it.effect("leaving a state cancels its delayed transition (clearTimeout interrupts the timer)", () =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const actor = createActor(timed, { clock: XStateClock.fromContext(context) }).start()
    yield* TestClock.adjust("10 seconds")
    actor.send({ type: "POKE" })
    yield* TestClock.adjust("4 seconds")
    expect(actor.getSnapshot().value).toBe("waiting2")
    yield* TestClock.adjust("1 second")
    expect(actor.getSnapshot().value).toBe("expired")
    actor.stop()
  }))
