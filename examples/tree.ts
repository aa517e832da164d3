// A supervision tree declared as data: a pool and a flaky feed under one
// supervisor. The feed crashes twice; the supervisor restarts it, with a
// backoff, within its restart intensity. Run: npx node examples/tree.ts
import { Console, Effect, Ref, Schedule } from "effect"
import { Pool, Supervisor } from "troupe"

const program = Effect.gen(function*() {
  const attempts = yield* Ref.make(0)

  // A feed that dies on its first two runs, then keeps going.
  const feed = Effect.gen(function*() {
    const n = yield* Ref.updateAndGet(attempts, (k) => k + 1)
    if (n <= 2) return yield* Effect.die(new Error(`feed crashed (run ${n})`))
    yield* Console.log(`feed up on run ${n}`)
    return yield* Effect.never
  })

  const tree = yield* Supervisor.start(
    Supervisor.supervisor("app", [
      Supervisor.child("thumbnails", Pool.make({ handler: (file: string) => Effect.succeed(`thumbs/${file}`) }).pipe(Effect.andThen(Effect.never))),
      Supervisor.supervisor("ingest", [Supervisor.child("feed", feed)], {
        strategy: "oneForOne",
        intensity: 3,
        period: "10 seconds",
        backoff: Schedule.exponential("10 millis")
      })
    ])
  )
  yield* Effect.sleep("200 millis")
  console.log(JSON.stringify(yield* tree.snapshot, null, 2))
}).pipe(Effect.scoped)

Effect.runPromise(program)
