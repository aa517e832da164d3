import { it } from "@effect/vitest"
import { Clock, Context, Duration, Effect } from "effect"
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

// A Clock like Node's timers under load: a sleep ends up to 5 ms before the
// Clock has moved by its duration (the timer counted from a stale loop time).
const earlyClock = () => {
  let now = 1_000_000
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: () => now,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    monotonicTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration) =>
      Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve))).pipe(
        Effect.andThen(Effect.sync(() => {
          now += Math.max(1, Duration.toMillis(duration) - 5)
        }))
      )
  }
  return { clock, now: () => now }
}

it.live("a delay runs once the Clock has reached its deadline, even when the Clock's sleeps end early", () =>
  Effect.gen(function*() {
    const { clock, now } = earlyClock()
    const context = Context.add(yield* Effect.context<never>(), Clock.Clock, clock)
    const start = now()
    let firedAt: number | undefined
    const actor = createActor(timed, { clock: XStateClock.fromContext(context) })
    actor.subscribe((snapshot) => {
      if (snapshot.value === "expired") firedAt ??= now()
    })
    actor.start()
    while (firedAt === undefined) yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    expect(firedAt - start).toBeGreaterThanOrEqual(30_000)
    actor.stop()
  }))
