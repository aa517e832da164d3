// Runs a worker's jobs on its thread. The worker's lanes are its window of
// jobs in flight: each lane hands one job to the thread and waits for its
// reply, and the port batches what the lanes send in one scheduler batch.
//
// The thread is replaced, under the same worker, when a job outlives its
// timeout (the only way to stop a synchronous job is to terminate its
// thread), after `recycleAfter` jobs, or when its heap passes the limit.
// A thread that dies on its own is a crash of the worker: the supervisor
// replaces the whole worker, within the restart intensity.
import { Effect, Exit, type Fiber, Schema } from "effect"
import type { JobRecord } from "../../job/internal/jobRecord.ts"
import type * as Thread from "../Thread.ts"
import { type JobRunner, RuntimeEnd } from "./jobRunner.ts"
import { type Reply, ThreadPort, type ThreadSpec } from "./threadPort.ts"
import { Tag } from "./threadProtocol.ts"
import { ThreadWindow } from "./threadWindow.ts"

type Decoder = (u: unknown) => unknown

/** What every thread runner of one pool shares: built once per pool, not per worker. */
export interface ThreadOptions extends ThreadSpec {
  readonly decodeSuccess: Decoder | undefined
  readonly decodeFailure: Decoder | undefined
  /** Replace the thread after this many jobs (Infinity: never). */
  readonly recycleAfter: number
  /** The window adapts to the jobs' time (no `concurrency` given): `window` is its ceiling. */
  readonly adaptive: boolean
}

export const makeOptions = (
  spec: ThreadSpec,
  schemas: Thread.Schemas<unknown, unknown, unknown>,
  recycleAfter: number,
  adaptive: boolean
): ThreadOptions => ({
  ...spec,
  decodeSuccess: schemas.success && (Schema.decodeUnknownSync(schemas.success) as Decoder),
  decodeFailure: schemas.failure && (Schema.decodeUnknownSync(schemas.failure) as Decoder),
  recycleAfter,
  adaptive
})

const withdrawn = Exit.fail(new RuntimeEnd("withdrawn", "it waited behind a long job in its thread's window"))

/** One job in flight on a thread. */
interface Call {
  readonly job: JobRecord
  readonly resume: (exit: Exit.Exit<unknown, unknown>) => void
  port: ThreadPort
  k: number
  timer: Fiber.Fiber<void> | undefined
  /** Ended here (timed out, cancelled): a reply that still comes is dropped. */
  done: boolean
  /** Set while a cancel waits for the thread to let go of the job. */
  released: (() => void) | undefined
}

export class ThreadRunner implements JobRunner {
  readonly settlesCancelAtOnce = true
  private readonly options: ThreadOptions
  /** A thread was replaced under the worker, and why. */
  private readonly replaced: (reason: string) => void
  private port!: ThreadPort
  /** Replaced threads still finishing the jobs they hold. */
  private readonly retiring = new Set<ThreadPort>()
  /** Threads not yet exited; the worker has ended only once this is empty. */
  private readonly ports = new Set<ThreadPort>()
  private readonly calls = new Map<JobRecord, Call>()
  private ready: () => void = () => {}
  private died: (reason: string) => void = () => {}
  private stopped = false
  private stopDone: (() => void) | undefined = undefined
  /** The adaptive window (no `concurrency` given): how many jobs the lanes may hold. */
  readonly gate: ThreadWindow | undefined
  private readonly measured: ((ms: number, n: number) => void) | undefined

  constructor(options: ThreadOptions, replaced: (reason: string) => void) {
    this.options = options
    this.replaced = replaced
    if (!options.adaptive) return
    const window = new ThreadWindow(options.window, {
      inFlight: () => this.calls.size,
      progress: () => (this.port.isReady ? this.port.answered * (options.window + 2) + this.port.startedCount() : undefined),
      stuck: () => {
        const started = this.port.startedCount()
        return started > 0 && this.port.pendingCount > started
      },
      withdrawWaiting: () => this.withdrawWaiting()
    }, options.context, options.dispatcher)
    this.gate = window
    this.measured = (ms, n) => window.measured(ms, n)
  }

  start(ready: () => void, died: (reason: string) => void): void {
    this.ready = ready
    this.died = died
    this.port = this.open()
  }

  private open(): ThreadPort {
    let booted = false
    const port: ThreadPort = new ThreadPort(this.options, {
      ready: () => {
        if (booted) return
        booted = true
        this.ready()
        this.ready = () => {} // a replacement thread's boot is not the worker's
      },
      died: (reason) => this.died(reason),
      recycle: () => port === this.port && this.replace("its heap passed the limit"),
      measured: this.measured
    })
    this.ports.add(port)
    port.onExit(() => {
      this.ports.delete(port)
      this.retiring.delete(port)
      this.checkStopped()
    })
    return port
  }

  /** Moves new jobs to a fresh thread; the old one closes once its jobs are done. */
  private replace(reason: string): void {
    if (this.stopped) return // the worker is ending: no new thread
    const old = this.port
    this.port = this.open()
    this.replaced(reason)
    this.retiring.add(old)
    this.closeIfDone(old)
  }

  private closeIfDone(port: ThreadPort): void {
    if (!this.retiring.has(port) || port.pendingCount > 0) return
    this.retiring.delete(port)
    port.close(() => {})
  }

  run = (job: JobRecord): Effect.Effect<unknown, unknown> =>
    Effect.callback<unknown, unknown>((resume) => {
      const call: Call = { job, resume, port: this.port, k: 0, timer: undefined, done: false, released: undefined }
      this.calls.set(job, call)
      this.send(call)
      if (job.timeoutMs !== Infinity) this.startTimer(call)
      return Effect.callback<void>((released) => this.cancel(call, () => released(Effect.void)))
    })

  private send(call: Call): void {
    if (this.port.sent >= this.options.recycleAfter) this.replace(`it ran ${this.options.recycleAfter} jobs`)
    const port = this.port
    call.port = port
    const span = call.job.trace?.span
    const trace = span === undefined ? undefined : ([span.traceId, span.spanId, span.sampled] as const)
    call.k = port.call(call.job.payload, call.job.timeoutMs !== Infinity, trace, (reply) => this.replied(call, port, reply))
    this.gate?.sent()
  }

  // The thread is stuck on a long job (see threadWindow.ts): the jobs it has
  // not started behind it go back to dispatch, where another worker may take them.
  private withdrawWaiting(): void {
    const port = this.port
    // A copy: a lane whose job is withdrawn may take another at once, and that one is not waiting behind anything yet.
    for (const call of [...this.calls.values()]) {
      if (call.port === port && !call.done && call.released === undefined && port.withdraw(call.k)) this.end(call, withdrawn)
    }
  }

  private replied(call: Call, port: ThreadPort, reply: Reply): void {
    if (reply !== "lost") this.end(call, this.exitOf(reply))
    else if (this.canMove(call, port) && port.withdraw(call.k)) this.move(call)
    else this.end(call, Exit.fail(new RuntimeEnd("lost", port.deadReason ?? "the thread is gone")))
    this.closeIfDone(port)
  }

  /** A job still wanted, on a thread that another has replaced under a live worker. */
  private canMove(call: Call, port: ThreadPort): boolean {
    return !call.done && call.released === undefined && !this.stopped && port !== this.port
  }

  // Never started on a thread that was replaced (withdrawn, so it never will):
  // run it on the new one, its time starting afresh there.
  private move(call: Call): void {
    call.timer?.interruptUnsafe()
    call.timer = undefined
    this.send(call)
    if (call.job.timeoutMs !== Infinity) this.startTimer(call)
  }

  private end(call: Call, exit: Exit.Exit<unknown, unknown>): void {
    call.timer?.interruptUnsafe()
    call.timer = undefined
    this.forget(call)
    const released = call.released
    if (released !== undefined) {
      call.released = undefined
      call.done = true
      return released()
    }
    if (call.done) return
    call.done = true
    call.resume(exit)
  }

  private forget(call: Call): void {
    if (this.calls.get(call.job) !== call) return
    this.calls.delete(call.job)
    this.gate?.changed()
  }

  private exitOf(reply: { readonly tag: Tag; readonly value: unknown }): Exit.Exit<unknown, unknown> {
    try {
      switch (reply.tag) {
        case Tag.success: return Exit.succeed(this.options.decodeSuccess ? this.options.decodeSuccess(reply.value) : reply.value)
        case Tag.failure: return Exit.fail(this.options.decodeFailure ? this.options.decodeFailure(reply.value) : reply.value)
        case Tag.defect: return Exit.die(reply.value)
        default: return Exit.interrupt()
      }
    } catch (defect) {
      return Exit.die(defect) // the thread sent what the schema does not decode
    }
  }

  // The lane was interrupted (the job cancelled; the worker has settled it
  // already). A job the thread has not started is withdrawn and the lane
  // freed at once; a started one is interrupted there, and the lane waits
  // until the thread lets go of it (a synchronous job runs to its end).
  private cancel(call: Call, released: () => void): void {
    if (call.done || call.port.deadReason !== undefined || call.port.withdraw(call.k)) {
      this.end(call, Exit.interrupt())
      return released()
    }
    call.released = released
    call.port.interrupt(call.k)
  }

  // A job's time starts once its thread has booted: a replacement thread's
  // boot is not the job's to pay for.
  private startTimer(call: Call): void {
    call.port.whenReady(() => call.done || call.timer !== undefined || this.startTimerNow(call))
  }

  private startTimerNow(call: Call): void {
    const ms = call.job.timeoutMs
    const timer = Effect.runForkWith(this.options.context)(Effect.sleep(ms))
    call.timer = timer
    timer.addObserver((exit) => Exit.isSuccess(exit) && call.timer === timer && this.timedOut(call, ms))
  }

  // A job still waiting behind another on its thread is withdrawn (it never
  // runs) and ends alone. One the thread has started can only be stopped with
  // the thread: new jobs go to a fresh thread first, the job ends, then the
  // old thread is killed (the "lost" reply the kill sends the job is dropped).
  private timedOut(call: Call, ms: number): void {
    call.timer = undefined
    const port = call.port
    const stuck = port.deadReason === undefined && !port.withdraw(call.k)
    if (stuck && port === this.port) this.replace(`job ${call.job.id} timed out`)
    this.end(call, Exit.fail(new RuntimeEnd("timedOut", `the job outlived its timeout of ${ms} ms`)))
    if (stuck) port.kill(`the thread was terminated: job ${call.job.id} outlived its timeout of ${ms} ms`)
  }

  /** Takes back a job the thread has not started: true if it never will (it may run elsewhere). */
  withdraw = (job: JobRecord): boolean => {
    const call = this.calls.get(job)
    return call !== undefined && call.port.withdraw(call.k)
  }

  abort = (reason: string): void => {
    this.stopped = true
    this.gate?.stop()
    for (const port of this.ports) port.kill(reason)
  }

  // Closes what is still open and waits for every thread, killed ones
  // included, to exit: no thread outlives its worker.
  stop = (done: () => void): void => {
    this.stopped = true
    this.gate?.stop()
    this.stopDone = done
    for (const port of [...this.ports]) port.close(() => {})
    this.checkStopped()
  }

  private checkStopped(): void {
    const done = this.stopDone
    if (done === undefined || this.ports.size > 0) return
    this.stopDone = undefined
    done()
  }
}
