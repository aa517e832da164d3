// Shutdown is a procedure, not an accident: stop intake, hand back or drain
// the queued jobs, give running ones until the deadline, then interrupt what
// is left and report it. Every step is bounded, so it never hangs.
import { Duration, Effect, Exit, Option } from "effect"
import { JobInterrupted } from "../JobError.ts"
import { PoolClosed } from "../PoolError.ts"
import type { PoolCore } from "./poolCore.ts"

/** How long lanes get to stop after their jobs were interrupted at the deadline. */
const interruptGrace = Duration.seconds(1)

export interface ShutdownReport<I> {
  readonly pool: string
  /** Queued jobs that never ran, with their inputs, so they can be run elsewhere. */
  readonly handedBack: ReadonlyArray<{ readonly id: number; readonly input: I }>
  /** Jobs that were running at the deadline and were interrupted. */
  readonly interrupted: ReadonlyArray<{ readonly id: number; readonly input: I }>
  /** True when the deadline passed before the workers had finished. */
  readonly deadlineReached: boolean
  /** Set when the pool shut itself down because workers crashed faster than its restart intensity. */
  readonly escalation?: { readonly workerId: number; readonly reason: string }
}

export const run = (core: PoolCore): Effect.Effect<ShutdownReport<unknown>> =>
  Effect.gen(function*() {
    stopIntake(core)
    const quiet = yield* awaitQuiet(core).pipe(Effect.timeoutOption(core.options.shutdown.deadline))
    const deadlineReached = Option.isNone(quiet)
    if (deadlineReached) {
      interruptAll(core)
      yield* awaitQuiet(core).pipe(Effect.timeoutOption(interruptGrace))
    }
    core.stopTimers()
    core.lifecycle.send({ type: "STOPPED" })
    const entry = (job: { id: number; input: unknown }) => ({ id: job.id, input: job.input })
    return {
      pool: core.name,
      handedBack: core.ledger.handedBack.map(entry),
      interrupted: core.ledger.interrupted.map(entry),
      deadlineReached,
      ...(core.escalation === undefined ? {} : { escalation: core.escalation })
    }
  })

const stopIntake = (core: PoolCore): void => {
  core.lifecycle.send({ type: "SHUTDOWN" })
  const waiting = core.producers.drain()
  // A pool that gave up has no team to drain with: it hands everything back.
  if (core.options.shutdown.queued !== "drain" || core.escalation !== undefined) {
    for (const worker of core.accepting) core.handBack(worker.takeAll())
  }
  // Jobs in the overflow have no worker to run them now.
  core.handBack(core.overflow.drain())
  core.abandonRetries()
  for (const worker of core.accepting.splice(0)) worker.drain()
  core.permits.wake() // a lane waiting for a start permit with nothing left to start ends now
  // Last: a rejected producer's fiber may run right here, so the pool's own
  // state must already be settled when it does.
  for (const pending of waiting) pending.rejected(new PoolClosed({ pool: core.name }))
}

const interruptAll = (core: PoolCore): void => {
  for (const worker of core.live) {
    core.handBack(worker.takeAll())
    for (const job of worker.interruptRunning()) {
      core.ledger.interrupted.push(job)
      core.settle(job, "interrupted", Exit.fail(new JobInterrupted({ jobId: job.id })))
    }
  }
}

// Resumed from a scheduler task: quiet is reached inside some other step (a
// crash handing back jobs, say), which must finish before the report is read.
const awaitQuiet = (core: PoolCore): Effect.Effect<void> =>
  Effect.callback<void>((resume) => core.whenQuiet(() => core.dispatcher.scheduleTask(() => resume(Effect.void), 0)))
