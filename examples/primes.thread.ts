// The handler module: every thread of the pool loads it. Import subpaths
// (`effect/Effect`, `troupe/Thread`), not barrels: each thread pays for what
// this module loads.
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Thread from "troupe/Thread"

export class TooLarge extends Schema.TaggedError<TooLarge>()("TooLarge", { limit: Schema.Number }) {}

/** How many primes there are below `n`: CPU-bound, so it runs on threads. */
export const countPrimes = Thread.handler(
  import.meta.url,
  { input: Schema.Number, success: Schema.Number, failure: TooLarge },
  (n: number) => {
    if (n > 50_000_000) return Effect.fail(new TooLarge({ limit: 50_000_000 }))
    const composite = new Uint8Array(n)
    let count = 0
    for (let i = 2; i < n; i++) {
      if (composite[i]) continue
      count++
      for (let j = i * i; j < n; j += i) composite[j] = 1
    }
    return Effect.succeed(count)
  }
)
