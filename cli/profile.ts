// --profile: a CPU profile of the run in Node's own format (.cpuprofile, for
// Chrome DevTools or VS Code), taken with the inspector of this process. Thread
// workers' time shows as waiting: each thread is a separate isolate.
import { Session } from "node:inspector/promises"
import { Effect, FileSystem } from "effect"

export const profiled = (file: string | undefined) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | FileSystem.FileSystem> =>
  file === undefined ? self : Effect.acquireUseRelease(
    Effect.promise(async () => {
      const session = new Session()
      session.connect()
      await session.post("Profiler.enable")
      await session.post("Profiler.start")
      return session
    }),
    () => self,
    (session) =>
      Effect.gen(function*() {
        const { profile } = yield* Effect.promise(() => session.post("Profiler.stop"))
        session.disconnect()
        const fs = yield* FileSystem.FileSystem
        yield* fs.makeDirectory(file.replace(/[/\\][^/\\]*$/, ""), { recursive: true })
        yield* fs.writeFileString(file, JSON.stringify(profile))
      }).pipe(Effect.orDie)
  )
