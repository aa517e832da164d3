// `npm run demo`: a pool of 3 workers makes thumbnails for a batch of 8 images,
// one of which it cannot handle, then shuts down and says what happened.
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Schema } from "effect"
import { Pool } from "troupe"

class UnsupportedFormat extends Schema.TaggedError<UnsupportedFormat>()("UnsupportedFormat", {
  file: Schema.String
}) {}

// The job: pretend to resize an image (I/O-bound: it mostly waits).
const makeThumbnail = (file: string) =>
  file.endsWith(".gif")
    ? Effect.fail(new UnsupportedFormat({ file }))
    : Effect.sleep(`${10 * file.length} millis`).pipe(Effect.as(`thumbs/${file}`))

const files = ["cat.png", "dog.jpg", "party.gif", "beach.png", "forest.jpg", "city.png", "moon.jpg", "sea.png"]

const main = Effect.gen(function*() {
  const pool = yield* Pool.make({ handler: makeThumbnail, name: "thumbnails", maxWorkers: 3, scaling: "fixed" })
  yield* Console.log(`pool "${pool.name}" started with 3 workers; submitting ${files.length} jobs`)

  const results = yield* Effect.forEach(
    files,
    (file) =>
      Pool.submit(pool, file).pipe(
        Effect.map((thumb) => `  ok      ${file.padEnd(11)} -> ${thumb}`),
        Effect.catchTag("UnsupportedFormat", (e) => Effect.succeed(`  failed  ${file.padEnd(11)} -> ${e._tag}`))
      ),
    { concurrency: "unbounded" }
  )
  yield* Console.log(results.join("\n"))

  const stats = yield* Pool.stats(pool)
  yield* Console.log(
    `served ${stats.served} jobs: ${stats.completed} completed, ${stats.failed} failed; ` +
      `${stats.workers.idle + stats.workers.busy} workers on the team`
  )
  const report = yield* Pool.shutdown(pool)
  yield* Console.log(`shut down: ${report.handedBack.length} handed back, ${report.interrupted.length} interrupted`)
})

NodeRuntime.runMain(main.pipe(Effect.scoped))
