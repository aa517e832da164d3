// XState schedules delayed transitions through a `clock` ({ setTimeout,
// clearTimeout }). This one runs each timer as an Effect sleep on the Clock of
// the given context, so TestClock drives machine delays like everything else.
//
// A timer fires once the Clock has reached its deadline, not merely once a
// sleep has ended: Node's timers count from the event loop's cached time, so
// a real sleep begun late in a long task ends early by the Clock
// (`Date.now()`), and whoever compares Clock readings (an idle worker's
// `idleSince` against the idle timeout) would find the delay not yet run.
import { Clock, Effect, type Context, type Fiber } from "effect"

/** XState's clock interface (not exported by xstate itself). */
export interface XStateClock {
  setTimeout(fn: (...args: Array<any>) => void, timeout: number): unknown
  clearTimeout(id: unknown): void
}

export const fromContext = (context: Context.Context<never>): XStateClock => {
  const run = Effect.runForkWith(context)
  return {
    // A "never" delay (see WorkerLifecycle.neverMs) costs no fiber at all.
    setTimeout: (fn: (...args: Array<any>) => void, ms: number) =>
      ms >= neverMs ? undefined : run(Clock.clockWith((clock) => until(clock, clock.currentTimeMillisUnsafe() + ms, ms)).pipe(Effect.andThen(Effect.sync(fn)))),
    clearTimeout: (id: unknown) => (id as Fiber.Fiber<void> | undefined)?.interruptUnsafe()
  }
}

/** Sleeps `ms`, then again for whatever the Clock says is left until `deadline`. */
const until = (clock: Clock.Clock, deadline: number, ms: number): Effect.Effect<void> =>
  Effect.flatMap(Effect.sleep(ms), () => {
    const left = deadline - clock.currentTimeMillisUnsafe()
    return left > 0 ? until(clock, deadline, left) : Effect.void
  })

const neverMs = 2 ** 31 - 1
