// How a pool's workers run their jobs: every fiber worker shares one runner
// (the handler, called on the lane's fiber); each thread worker gets a runner
// of its own around one thread, built from options made once per pool.
import type { Context } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import * as FiberRunner from "../../actors/internal/fiberRunner.ts"
import type { JobRunner } from "../../actors/internal/jobRunner.ts"
import { makeOptions, ThreadRunner } from "../../actors/internal/threadRunner.ts"
import type { WorkerActor } from "../../actors/internal/workerActor.ts"
import type { Config } from "./config.ts"

export const make = (
  config: Config,
  context: Context.Context<never>,
  dispatcher: SchedulerDispatcher,
  threadReplaced: (worker: WorkerActor, reason: string) => void
): (worker: WorkerActor) => JobRunner => {
  const thread = config.thread
  if (thread === undefined) {
    const runner = FiberRunner.make(config.options.handler as FiberRunner.FiberHandler)
    return () => runner
  }
  const { recycleAfterJobs, recycleAboveHeapMb, maxHeapMb } = config.options.thread
  const spec = {
    module: thread.handler.module,
    exportName: thread.exportName,
    heapLimitBytes: recycleAboveHeapMb === undefined ? undefined : recycleAboveHeapMb * 1024 * 1024,
    maxHeapMb,
    window: config.lanes,
    context,
    dispatcher
  }
  const options = makeOptions(spec, thread.handler.schemas, recycleAfterJobs ?? Infinity, config.adaptiveWindow)
  return (worker) => new ThreadRunner(options, (reason) => threadReplaced(worker, reason))
}
