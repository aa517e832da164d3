// Runs jobs on the lane's own fiber: the handler is called in-process. It may
// return an Effect, a Promise (an `async` function) or a plain value.
import { Effect } from "effect"
import type { JobRecord } from "../../job/internal/jobRecord.ts"
import { type JobRunner, RuntimeEnd } from "./jobRunner.ts"

/** A fiber handler: the job's input, and an AbortSignal for handlers that take one. */
export type FiberHandler = (input: unknown, signal: AbortSignal) => unknown

export const make = (handler: FiberHandler): JobRunner => {
  // Only a handler that declares a second parameter gets a signal: the others
  // (every Effect handler, say) pay nothing for it.
  const call = handler.length >= 2 ? callWithSignal : callPlain
  return {
    start: (ready) => ready(),
    run: (job) => {
      const effect = job.timeoutMs === Infinity ? call(handler, job) : withTimeout(call(handler, job), job.timeoutMs)
      // With a tracer installed, the attempt's span is the parent of the handler's own spans.
      const span = job.trace?.span
      return span === undefined ? effect : Effect.withParentSpan(effect, span)
    },
    withdraw: () => false,
    settlesCancelAtOnce: false,
    abort: () => {},
    stop: (done) => done()
  }
}

// A handler that throws instead of returning fails its job with a defect; the
// lane carries on. The Effect case is tested first: it must not pay for the others.
const callPlain = (handler: FiberHandler, job: JobRecord): Effect.Effect<unknown, unknown> => {
  let result: unknown
  try {
    result = handler(job.input, undefined as never)
  } catch (defect) {
    return Effect.die(defect)
  }
  if (Effect.isEffect(result)) return result as Effect.Effect<unknown, unknown>
  return isPromiseLike(result) ? fromPromise(result, undefined) : Effect.succeed(result)
}

const callWithSignal = (handler: FiberHandler, job: JobRecord): Effect.Effect<unknown, unknown> => {
  const controller = new AbortController()
  let result: unknown
  try {
    result = handler(job.input, controller.signal)
  } catch (defect) {
    return Effect.die(defect)
  }
  if (Effect.isEffect(result)) return result as Effect.Effect<unknown, unknown>
  return isPromiseLike(result) ? fromPromise(result, controller) : Effect.succeed(result)
}

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as PromiseLike<unknown>).then === "function"

// A rejection is the job's typed failure, the rejected value as it is (what
// `PromisePool.run` rejects with). Interrupted (cancel, timeout, shutdown),
// the job ends at once and the signal is aborted: a Promise cannot be stopped,
// so the pool does not wait for one that ignores its signal.
const fromPromise = (promise: PromiseLike<unknown>, controller: AbortController | undefined): Effect.Effect<unknown, unknown> =>
  Effect.callback<unknown, unknown>((resume) => {
    promise.then(
      (value) => resume(Effect.succeed(value)),
      (error) => resume(Effect.fail(error))
    )
    return controller === undefined ? undefined : Effect.sync(() => controller.abort())
  })

const withTimeout = (effect: Effect.Effect<unknown, unknown>, ms: number) =>
  Effect.timeoutOrElse(effect, {
    duration: ms,
    orElse: () => Effect.fail(new RuntimeEnd("timedOut", `the job outlived its timeout of ${ms} ms`))
  })
