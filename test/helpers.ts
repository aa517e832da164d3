// Shared test helpers: gated jobs that finish when the test says so, and a
// bounded wait for asynchronous progress (no real sleeps, no TestClock moves).
import { Deferred, Effect } from "effect"

export type Verdict = { readonly _tag: "succeed"; readonly value: number } | { readonly _tag: "fail"; readonly error: string } | { readonly _tag: "die" }

/** A handler whose job `n` runs until the test settles gate `n`. */
export const makeGates = () => {
  const gates = new Map<number, Deferred.Deferred<Verdict>>()
  const started: Array<number> = []
  const finalized: Array<number> = []
  let running = 0
  let maxRunning = 0
  const gate = (n: number) => {
    let d = gates.get(n)
    if (d === undefined) gates.set(n, (d = Deferred.makeUnsafe<Verdict>()))
    return d
  }
  const handler = (n: number): Effect.Effect<number, string> =>
    Effect.gen(function*() {
      started.push(n)
      running++
      maxRunning = Math.max(maxRunning, running)
      const verdict = yield* Deferred.await(gate(n))
      if (verdict._tag === "fail") return yield* Effect.fail(verdict.error)
      if (verdict._tag === "die") return yield* Effect.die(new Error(`job ${n} died`))
      return verdict.value
    }).pipe(Effect.ensuring(Effect.sync(() => {
      running--
      finalized.push(n)
    })))
  return {
    handler,
    started,
    finalized,
    get running() {
      return running
    },
    get maxRunning() {
      return maxRunning
    },
    release: (n: number, verdict: Verdict = { _tag: "succeed", value: n }) => Deferred.succeed(gate(n), verdict)
  }
}

/** Yields until `check` holds; fails the test after `max` turns. */
export const eventually = (check: () => boolean, what = "condition", max = 2_000): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < max; i++) {
      if (check()) return
      yield* Effect.yieldNow
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** Lets every fiber run until nothing is left to do this turn. */
export const settle = (turns = 50): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < turns; i++) yield* Effect.yieldNow
  })

/** The `_tag` of a tagged error, or undefined for anything else. */
export const tagOf = (u: unknown): string | undefined =>
  typeof u === "object" && u !== null && "_tag" in u ? String(u._tag) : undefined

/** Waits in real time (threads, real timers) until `check` holds; fails the test after `ms`. */
export const eventuallyLive = (check: () => boolean, what = "condition", ms = 10_000): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let waited = 0; waited < ms; waited += 10) {
      if (check()) return
      yield* Effect.sleep(10)
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** A port on 127.0.0.1 that something listens on (for "address in use" tests); `close` frees it. */
export const takenPort = async (): Promise<{ readonly port: number; readonly close: () => void }> => {
  const { createServer } = await import("node:net")
  const server = createServer().listen(0, "127.0.0.1")
  await new Promise((resolve) => server.once("listening", resolve))
  return { port: (server.address() as { port: number }).port, close: () => void server.close() }
}
