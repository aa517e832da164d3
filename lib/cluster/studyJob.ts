// The job type `troupe runner` serves and the distributed study submits: the
// study's two kinds of job (sleep `size` ms, or `size` digits of pi on the
// runner's fiber: each runner is a process of its own), answering which
// runner ran it (`RUNNER_NAME`).
import { Effect, Schema } from "effect"
import * as Cluster from "troupe/Cluster"
import { piDigits } from "../cpuWork.ts"

export const StudyJob = Cluster.jobType("troupe-study", {
  input: Schema.Struct({ kind: Schema.Literals(["sleep", "cpu"]), size: Schema.Number }),
  success: Schema.String,
  handler: ({ kind, size }) =>
    (kind === "sleep" ? Effect.sleep(size) : Effect.sync(() => piDigits(size))).pipe(Effect.as(`${process.env.RUNNER_NAME}`))
})
