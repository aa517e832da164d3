// Shutdown is a procedure, not an accident: stop intake, hand back or drain
// the queued jobs, give running ones until the deadline, then interrupt what
// is left and report it. Every step is bounded, so it never hangs.
//
// It runs once per pool, on a fiber of its own: callers wait for its report.
// A later call may bring the deadline forward or stop a drain, and a caller
// that is interrupted (a timeout around `Pool.shutdown`) brings it to now.
import { Deferred, Duration, Effect, Exit, type Fiber } from "effect"
import { JobInterrupted } from "../../job/JobError.ts"
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

export type Queued = "drain" | "handBack" | "deadLetter"

/** One shutdown's terms: the deadline in millis from when it is given, and what happens to queued jobs. */
export interface Terms {
  readonly deadlineMs: number
  readonly queued: Queued
}

export class Shutdown {
  private readonly core: PoolCore
  private deadlineAt: number
  /** Completed (and replaced) whenever the deadline moves. */
  private moved = Deferred.makeUnsafe<void>()
  readonly fiber: Fiber.Fiber<ShutdownReport<unknown>>

  constructor(core: PoolCore, terms: Terms) {
    this.core = core
    this.deadlineAt = core.now() + terms.deadlineMs
    core.queuedAtShutdown = terms.queued
    this.fiber = Effect.runForkWith(core.context)(this.run())
  }

  /** A later shutdown's terms: an earlier deadline wins; a drain may become a hand-back. */
  amend(terms: Terms): void {
    this.bringForward(this.core.now() + terms.deadlineMs)
    if (this.core.queuedAtShutdown === "drain" && terms.queued !== "drain") {
      this.core.queuedAtShutdown = terms.queued
      handBackQueued(this.core)
    }
  }

  /** The deadline is now: interrupt what still runs. */
  hurry(): void {
    this.bringForward(this.core.now())
  }

  /** Waits for the report; interrupted, hurries, and waits for the (then bounded) rest. */
  readonly await: Effect.Effect<ShutdownReport<unknown>> = Effect.suspend(() =>
    Effect.callback<ShutdownReport<unknown>>((resume) => {
      this.fiber.addObserver(resume)
      return Effect.callback<void>((done) => {
        this.hurry()
        this.fiber.addObserver(() => done(Effect.void))
      })
    })
  )

  private bringForward(at: number): void {
    if (at >= this.deadlineAt) return
    this.deadlineAt = at
    const moved = this.moved
    this.moved = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(moved, Exit.void)
  }

  // Completes once the clock reaches the deadline, which may move earlier meanwhile.
  private readonly untilDeadline: Effect.Effect<void> = Effect.suspend(() => {
    const left = this.deadlineAt - this.core.now()
    if (left <= 0) return Effect.void
    return Effect.raceFirst(Effect.sleep(left), Deferred.await(this.moved)).pipe(Effect.andThen(this.untilDeadline))
  })

  private run(): Effect.Effect<ShutdownReport<unknown>> {
    const core = this.core
    const untilDeadline = this.untilDeadline
    return Effect.gen(function*() {
      stopIntake(core)
      const quiet = yield* Effect.raceFirst(awaitQuiet(core).pipe(Effect.as(true)), untilDeadline.pipe(Effect.as(false)))
      if (!quiet) {
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
        deadlineReached: !quiet,
        ...(core.escalation === undefined ? {} : { escalation: core.escalation })
      }
    })
  }
}

const stopIntake = (core: PoolCore): void => {
  core.lifecycle.send({ type: "SHUTDOWN" })
  const waiting = core.producers.drain()
  // A pool that gave up has no team to drain with: it hands everything back.
  if (core.queuedAtShutdown !== "drain" || core.escalation !== undefined) handBackQueued(core)
  // Jobs in the overflow have no worker to run them now.
  core.handBack(core.overflow.drain())
  core.abandonRetries()
  for (const worker of core.accepting.splice(0)) worker.drain()
  core.permits.wake() // a lane waiting for a start permit with nothing left to start ends now
  // Last: a rejected producer's fiber may run right here, so the pool's own
  // state must already be settled when it does.
  for (const pending of waiting) pending.rejected(new PoolClosed({ pool: core.name }))
}

const handBackQueued = (core: PoolCore): void => {
  for (const worker of core.live) core.handBack(worker.takeAll())
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
