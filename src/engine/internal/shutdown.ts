// Shutdown is a procedure, not an accident: stop intake, hand back or drain
// the queued jobs, give running ones until the deadline, then interrupt what
// is left and report it. Every step is bounded, so it never hangs.
//
// It runs once per pool, on a fiber of its own: callers wait for its report.
// A later call may bring the deadline forward or stop a drain, and a caller
// that is interrupted (a timeout around `Pool.shutdown`) brings it to now.
// Jobs that reach it after intake closed (a crashed worker's, say) are handed
// back by it too, so its report lists every job that did not run.
import { type Context, Deferred, Duration, Effect, Exit, type Fiber } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import type { WorkerActor } from "../../actors/internal/workerActor.ts"
import type { JobExit, JobRecord } from "../../job/internal/jobRecord.ts"
import type { Escalation } from "../../supervision/internal/team.ts"
import type { Outcome } from "./counters.ts"
import * as Settlement from "./settlement.ts"

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

/** What shutdown needs of the engine. */
export interface ShutdownHost {
  readonly name: string
  readonly context: Context.Context<never>
  readonly dispatcher: SchedulerDispatcher
  readonly now: () => number
  readonly escalation: () => Escalation | undefined
  /** Tells the pool's lifecycle machine. */
  readonly lifecycle: (event: "SHUTDOWN" | "STOPPED") => void
  /** Stops intake; returns what tells the waiting submitters, to call once the pool's state is settled. */
  readonly closeDoor: () => () => void
  /** Workers whose lanes have not all ended. */
  readonly live: () => Iterable<WorkerActor>
  readonly stopAccepting: () => void
  readonly drainShared: () => Array<JobRecord>
  readonly abandonRetries: () => void
  /** Lanes waiting for a start permit look again (and end, with nothing left to start). */
  readonly wakePermits: () => void
  /** Jobs taken out of the queue for good. */
  readonly unqueued: (n: number) => void
  readonly settle: (job: JobRecord, outcome: Outcome, exit: JobExit) => boolean
  readonly deadLetter: (job: JobRecord) => void
  readonly whenQuiet: (f: () => void) => void
  readonly stopTimers: () => void
}

export class Shutdown {
  private readonly host: ShutdownHost
  private queued: Queued
  private readonly handedBack: Array<JobRecord> = []
  private readonly interrupted: Array<JobRecord> = []
  private deadlineAt: number
  /** Completed (and replaced) whenever the deadline moves. */
  private moved = Deferred.makeUnsafe<void>()
  private readonly fiber: Fiber.Fiber<ShutdownReport<unknown>>

  constructor(host: ShutdownHost, terms: Terms) {
    this.host = host
    this.queued = terms.queued
    this.deadlineAt = host.now() + terms.deadlineMs
    this.fiber = Effect.runForkWith(host.context)(this.run())
  }

  /** Queued jobs still run: the terms say drain, and the pool has a team to drain with. */
  get draining(): boolean {
    return this.queued === "drain" && this.host.escalation() === undefined
  }

  /** A later shutdown's terms: an earlier deadline wins; a drain may become a hand-back. */
  amend(terms: Terms): void {
    this.bringForward(this.host.now() + terms.deadlineMs)
    if (this.queued === "drain" && terms.queued !== "drain") {
      this.queued = terms.queued
      this.handBackQueued()
    }
  }

  /** Waits for the report; interrupted, hurries, and waits for the (then bounded) rest. */
  readonly await: Effect.Effect<ShutdownReport<unknown>> = Effect.suspend(() =>
    Effect.callback<ShutdownReport<unknown>>((resume) => {
      this.fiber.addObserver(resume)
      return Effect.callback<void>((done) => {
        this.bringForward(this.host.now())
        this.fiber.addObserver(() => done(Effect.void))
      })
    })
  )

  /**
   * Ends jobs already taken out of their queues unrun: handed back, listed in
   * the report, or with `queued: "deadLetter"`, made dead letters.
   */
  handBack(jobs: ReadonlyArray<JobRecord>): void {
    this.host.unqueued(jobs.length)
    for (const job of jobs) {
      if (this.queued === "deadLetter") this.host.deadLetter(job)
      else {
        this.handedBack.push(job)
        const verdict = Settlement.ofRemoval(job, "handedBack")
        this.host.settle(job, verdict.outcome, verdict.exit)
      }
    }
  }

  private bringForward(at: number): void {
    if (at >= this.deadlineAt) return
    this.deadlineAt = at
    const moved = this.moved
    this.moved = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(moved, Exit.void)
  }

  // Completes once the clock reaches the deadline, which may move earlier meanwhile.
  private readonly untilDeadline: Effect.Effect<void> = Effect.suspend(() => {
    const left = this.deadlineAt - this.host.now()
    if (left <= 0) return Effect.void
    return Effect.raceFirst(Effect.sleep(left), Deferred.await(this.moved)).pipe(Effect.andThen(this.untilDeadline))
  })

  private run(): Effect.Effect<ShutdownReport<unknown>> {
    const host = this.host
    return Effect.suspend(() => {
      this.stopIntake()
      return Effect.raceFirst(this.awaitQuiet.pipe(Effect.as(true)), this.untilDeadline.pipe(Effect.as(false)))
    }).pipe(
      Effect.tap((quiet) => (quiet ? Effect.void : this.interruptAll())),
      Effect.map((quiet) => {
        host.stopTimers()
        host.lifecycle("STOPPED")
        const escalation = host.escalation()
        return {
          pool: host.name,
          handedBack: this.handedBack.map(entry),
          interrupted: this.interrupted.map(entry),
          deadlineReached: !quiet,
          ...(escalation === undefined ? {} : { escalation })
        }
      })
    )
  }

  private stopIntake(): void {
    const host = this.host
    host.lifecycle("SHUTDOWN")
    const tellWaiting = host.closeDoor()
    // A pool that gave up has no team to drain with: it hands everything back.
    if (this.queued !== "drain" || host.escalation() !== undefined) this.handBackQueued()
    // Jobs in the shared queue have no worker to run them now.
    this.handBack(host.drainShared())
    host.abandonRetries()
    host.stopAccepting()
    host.wakePermits() // a lane waiting for a start permit with nothing left to start ends now
    // Last: a rejected producer's fiber may run right here, so the pool's own
    // state must already be settled when it does.
    tellWaiting()
  }

  private handBackQueued(): void {
    for (const worker of this.host.live()) this.handBack(worker.takeAll())
  }

  // The deadline passed: what still runs is interrupted and reported, and the
  // lanes get a grace period to stop.
  private interruptAll(): Effect.Effect<void> {
    for (const worker of this.host.live()) {
      this.handBack(worker.takeAll())
      for (const job of worker.interruptRunning()) {
        this.interrupted.push(job)
        const verdict = Settlement.interrupted(job)
        this.host.settle(job, verdict.outcome, verdict.exit)
      }
    }
    return this.awaitQuiet.pipe(Effect.timeoutOption(interruptGrace), Effect.asVoid)
  }

  // Resumed from a scheduler task: quiet is reached inside some other step (a
  // crash handing back jobs, say), which must finish before the report is read.
  private readonly awaitQuiet: Effect.Effect<void> = Effect.callback<void>((resume) =>
    this.host.whenQuiet(() => this.host.dispatcher.scheduleTask(() => resume(Effect.void), 0))
  )
}

const entry = (job: JobRecord) => ({ id: job.id, input: job.input })
