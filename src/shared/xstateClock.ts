// XState schedules delayed transitions through a `clock` ({ setTimeout,
// clearTimeout }). This one runs each timer as an Effect sleep on the Clock of
// the given context, so TestClock drives machine delays like everything else.
import { Effect, type Context, type Fiber } from "effect"

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
      ms >= neverMs ? undefined : run(Effect.sleep(ms).pipe(Effect.andThen(Effect.sync(fn)))),
    clearTimeout: (id: unknown) => (id as Fiber.Fiber<void> | undefined)?.interruptUnsafe()
  }
}

const neverMs = 2 ** 31 - 1
