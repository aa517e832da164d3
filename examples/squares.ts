import { Effect } from "effect"
import { Job, Pool } from "troupe"

const program = Effect.gen(function*() {
  const pool = yield* Pool.make({
    handler: (n: number) => Effect.succeed(n * n),
    maxWorkers: 4,
    mailbox: "priority"
  })
  // wait for one result
  console.log(yield* Pool.submit(pool, 7))                 // 49
  // or fork jobs and join them later; higher priority runs first when queued
  const urgent = yield* Pool.fork(pool, 3, { priority: 10 })
  console.log(yield* Job.join(urgent))                      // 9
}).pipe(Effect.scoped)

Effect.runPromise(program)
