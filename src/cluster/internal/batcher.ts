// A client's batches: jobs submitted without an id or key, gathered until the
// event loop's next turn (or `size` of them), leave as one message, and each
// submitter is resumed with its own job's outcome from the batch's reply.
// A message per job costs several SQL writes; a batch costs the same few for
// all of its jobs.
import { Effect, Exit, Result } from "effect"

interface Waiting<I> {
  readonly jobId: string
  readonly input: I
  readonly resume: (exit: Exit.Exit<unknown, unknown>) => void
  /** Stopped waiting before its batch left: left out of it. */
  withdrawn: boolean
}

/** Sends one batch; its reply holds each job's outcome, in the batch's order. */
export type Send<I> = (
  batchId: string,
  jobs: ReadonlyArray<{ readonly jobId: string; readonly input: I }>
) => Effect.Effect<ReadonlyArray<Result.Result<unknown, unknown>>, unknown>

export const make = <I>(send: Send<I>, size: number, run: (effect: Effect.Effect<void>) => void) => {
  let gathering: Array<Waiting<I>> = []

  const flush = () => {
    const batch = gathering.filter((w) => !w.withdrawn)
    gathering = []
    if (batch.length === 0) return
    run(Effect.exit(send(crypto.randomUUID(), batch)).pipe(Effect.map((exit) => {
      if (Exit.isFailure(exit)) for (const w of batch) w.resume(exit)
      else batch.forEach((w, i) => w.resume(toExit(exit.value[i])))
    })))
  }

  /** The outcome of `input`'s job, once its batch has come back. */
  return (input: I): Effect.Effect<unknown, unknown> =>
    Effect.callback<unknown, unknown>((resume) => {
      const waiting: Waiting<I> = { jobId: crypto.randomUUID(), input, resume, withdrawn: false }
      if (gathering.push(waiting) === 1) setImmediate(flush)
      else if (gathering.length >= size) flush()
      // Once its batch has left, the job runs and its outcome is dropped.
      return Effect.sync(() => {
        waiting.withdrawn = true
      })
    })
}

const toExit = (result: Result.Result<unknown, unknown> | undefined): Exit.Exit<unknown, unknown> =>
  result === undefined
    ? Exit.die(new Error("a batch's reply held fewer outcomes than its jobs"))
    : Result.isSuccess(result)
    ? Exit.succeed(result.success)
    : Exit.fail(result.failure)
