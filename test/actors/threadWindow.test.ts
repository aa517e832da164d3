// The adaptive window of a thread worker, alone: its size from measured job
// times, and the stall watch (on TestClock) that takes back the jobs waiting
// behind a long one.
import { it } from "@effect/vitest"
import { Context, Effect, Scheduler } from "effect"
import { TestClock } from "effect/testing"
import { expect } from "vitest"
import { budgetMs, maxWindow, stallCheckMs, ThreadWindow } from "../../src/actors/internal/threadWindow.ts"

/** A runner and thread to watch: jobs held, the thread's progress, jobs it has not started. */
const fakeHost = () => {
  const host = {
    held: 0,
    progress: 0 as number | undefined,
    stuck: true,
    withdrawn: 0,
    inFlight: () => host.held,
    progressOf: () => host.progress,
    withdrawWaiting: () => {
      host.withdrawn++
      host.held = 1
    }
  }
  return host
}

const make = (host: ReturnType<typeof fakeHost>) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const dispatcher = Context.getUnsafe(context, Scheduler.Scheduler).makeDispatcher()
    return new ThreadWindow(maxWindow, {
      inFlight: host.inFlight,
      progress: host.progressOf,
      stuck: () => host.stuck,
      withdrawWaiting: host.withdrawWaiting
    }, context, dispatcher)
  })

it.effect("the window starts at 1, grows at most twofold per answer while jobs are short, up to its ceiling", () =>
  Effect.gen(function*() {
    const window = yield* make(fakeHost())
    expect(window.limit).toBe(1)
    const sizes: Array<number> = []
    for (let i = 0; i < 7; i++) {
      window.measured(0.2, 20) // 10 µs a job
      sizes.push(window.limit)
    }
    expect(sizes).toEqual([2, 4, 8, 16, 32, 32, 32])
  }))

it.effect("it holds the running job and about budgetMs of work behind it by the mean, and shrinks to 1 at once for jobs longer than budgetMs", () =>
  Effect.gen(function*() {
    const window = yield* make(fakeHost())
    for (let i = 0; i < 10; i++) window.measured(4 * 0.25, 4) // 250 µs a job
    expect(window.limit).toBe(1 + Math.floor(budgetMs / 0.25))
    // A job shorter than the budget has the next one waiting behind it; a longer one goes alone.
    window.measured(0.75 * budgetMs * 2, 2)
    expect(window.limit).toBe(2)
    window.measured(1.25 * budgetMs * 2, 2)
    expect(window.limit).toBe(1)
    window.measured(50 * 4, 4)
    expect(window.limit).toBe(1)
    // One answer moves the mean halfway: one long job among tiny ones shrinks the window to 1.
    for (let i = 0; i < 10; i++) window.measured(0.01 * 32, 32)
    expect(window.limit).toBe(maxWindow)
    window.measured(100, 1)
    expect(window.limit).toBe(1)
  }))

it.effect("a thread that starts and ends nothing for a whole look while jobs wait behind a started one: they are taken back, the window is 1 until it answers", () =>
  Effect.gen(function*() {
    const host = fakeHost()
    const window = yield* make(host)
    for (let i = 0; i < 6; i++) window.measured(0.2, 20)
    expect(window.limit).toBe(32)
    host.held = 10
    window.sent() // the first look is armed
    host.progress = 1 // the thread starts a job...
    yield* TestClock.adjust(stallCheckMs)
    expect(host.withdrawn).toBe(0) // ...which is progress
    yield* TestClock.adjust(stallCheckMs)
    expect(host.withdrawn).toBe(1) // a whole look without any: stuck
    expect([window.stalled, window.limit, window.full()]).toEqual([true, 1, true])
    window.measured(800, 1) // the long job answers
    expect([window.stalled, window.limit]).toEqual([false, 1])
  }))

it.effect("no stall while the thread makes progress, while nothing waits behind a started job, or before it has booted", () =>
  Effect.gen(function*() {
    const host = fakeHost()
    const window = yield* make(host)
    for (let i = 0; i < 6; i++) window.measured(0.2, 20)
    host.held = 10
    window.sent()
    for (let i = 0; i < 5; i++) {
      host.progress!++
      yield* TestClock.adjust(stallCheckMs)
    }
    host.stuck = false // every job held has started (async jobs interleaved)
    yield* TestClock.adjust(3 * stallCheckMs)
    host.stuck = true
    host.progress = undefined // a replacement thread booting
    yield* TestClock.adjust(3 * stallCheckMs)
    expect(host.withdrawn).toBe(0)
    window.stop()
  }))

it.effect("lanes waiting for room wake as room opens; all of them once no job is held", () =>
  Effect.gen(function*() {
    const host = fakeHost()
    const window = yield* make(host)
    window.measured(0.2, 20) // limit 2
    host.held = 2
    let woken = 0
    yield* Effect.forEach([1, 2, 3], () => Effect.forkChild(Effect.tap(window.wait, () => Effect.sync(() => woken++)), { startImmediately: true }))
    expect(woken).toBe(0)
    host.held = 1
    window.changed()
    yield* Effect.yieldNow
    yield* Effect.yieldNow
    expect(woken).toBe(1)
    host.held = 0
    window.changed()
    yield* Effect.yieldNow
    yield* Effect.yieldNow
    expect(woken).toBe(3)
  }))
