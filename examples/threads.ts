// A pool whose workers are threads: the same Pool API, a Thread.handler.
import { Effect } from "effect"
import { Pool } from "troupe"
import { countPrimes } from "./primes.thread.ts"

const program = Effect.gen(function*() {
  const pool = yield* Pool.make({ handler: countPrimes, minWorkers: 2, maxWorkers: 2, timeout: "10 seconds" })
  const counts = yield* Effect.forEach([1_000, 100_000, 1_000_000], (n) => Pool.submit(pool, n), { concurrency: "unbounded" })
  console.log(counts.join(" "))
  const error = yield* Effect.flip(Pool.submit(pool, 100_000_000))
  console.log(error._tag)
}).pipe(Effect.scoped)

Effect.runPromise(program)
