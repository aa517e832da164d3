// --profile: a CPU profile of the run in Node's own format (.cpuprofile, for
// Chrome DevTools or VS Code), taken with the inspector of this process. Thread
// workers' time shows as waiting: each thread is a separate isolate. Written
// only for a run that finished: an interrupted run leaves no files behind.
import { Session } from "node:inspector/promises"
import { dirname } from "node:path"
import { Effect, Exit, FileSystem } from "effect"

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
    (session, exit) =>
      Effect.gen(function*() {
        const { profile } = yield* Effect.promise(() => session.post("Profiler.stop"))
        session.disconnect()
        if (Exit.isFailure(exit)) return
        const fs = yield* FileSystem.FileSystem
        yield* fs.makeDirectory(dirname(file), { recursive: true })
        yield* fs.writeFileString(file, JSON.stringify(profile))
      }).pipe(Effect.orDie)
  )
