// Runs jobs on the lane's own fiber: the handler is called in-process.
import { Effect } from "effect"
import type { JobRecord } from "../../internal/jobRecord.ts"
import { type JobRunner, RuntimeEnd } from "./jobRunner.ts"

export const make = (handler: (input: unknown) => Effect.Effect<unknown, unknown>): JobRunner => ({
  start: (ready) => ready(),
  run: (job) => (job.timeoutMs === Infinity ? call(handler, job) : withTimeout(call(handler, job), job.timeoutMs)),
  withdraw: () => false,
  settlesCancelAtOnce: false,
  abort: () => {},
  stop: (done) => done()
})

// A handler that throws instead of returning an Effect, or returns
// something else, fails its job with a defect; the lane carries on.
const call = (handler: (input: unknown) => Effect.Effect<unknown, unknown>, job: JobRecord): Effect.Effect<unknown, unknown> => {
  try {
    const effect = handler(job.input)
    return Effect.isEffect(effect) ? effect : Effect.die(new TypeError(`the handler returned ${String(effect)}, not an Effect`))
  } catch (defect) {
    return Effect.die(defect)
  }
}

const withTimeout = (effect: Effect.Effect<unknown, unknown>, ms: number) =>
  Effect.timeoutOrElse(effect, {
    duration: ms,
    orElse: () => Effect.fail(new RuntimeEnd("timedOut", `the job outlived its timeout of ${ms} ms`))
  })
