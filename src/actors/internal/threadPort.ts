// One Node worker thread, seen from the pool: jobs go out and results come
// back in batches, one message per scheduler batch each way. The thread is
// spawned through `effect/workers` (`@effect/platform-node`'s NodeWorker),
// which buffers what is sent before the thread is ready and reports its exit
// or error as a `WorkerError`.
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import { Cause, Context, Effect, Exit, type Fiber } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import { Spawner, WorkerPlatform, type Worker } from "effect/workers/Worker"
import { Worker as NodeThread } from "node:worker_threads"
import type { JobEntry, ResultEntry, ThreadData } from "./threadProtocol.ts"
import { Tag } from "./threadProtocol.ts"

const entry = new URL("./threadEntry.ts", import.meta.url)

// NodeWorker's platform is stateless: built once, not per thread, which keeps
// the work between a pool's creation and its threads' spawn short.
let platform: WorkerPlatform["Service"] | undefined
const nodePlatform = (): WorkerPlatform["Service"] =>
  (platform ??= Effect.runSync(
    Effect.gen(function*() {
      return yield* WorkerPlatform
    }).pipe(Effect.provide(NodeWorker.layerPlatform))
  ))

let live = 0
let spawned = 0
/** Threads spawned and not yet exited, in this process (for tests: none may outlive its pool). */
export const liveThreads = (): number => live
/** Threads ever spawned in this process (for tests: a crash loop is bounded). */
export const spawnedThreads = (): number => spawned

/** What every thread of one pool is started with. */
export interface ThreadSpec {
  readonly module: string
  readonly exportName: string
  readonly heapLimitBytes: number | undefined
  /** Node's hard limit for the thread's old generation: past it the thread dies (a crash). */
  readonly maxOldGenerationMb: number | undefined
  readonly context: Context.Context<never>
  readonly dispatcher: SchedulerDispatcher
}

/** A job's reply: how it ended, or `lost` when the thread went away first. */
export type Reply = { readonly tag: Tag; readonly value: unknown } | "lost"

export interface PortEvents {
  readonly ready: () => void
  /** The thread exited or failed on its own (not by `kill` or `close`). */
  readonly died: (reason: string) => void
  /** The thread's heap passed its limit. */
  readonly recycle: () => void
}

export class ThreadPort {
  /** Jobs sent so far; a job's send index tells whether the thread has started it. */
  sent = 0
  /** Why the thread is gone, once it is. */
  deadReason: string | undefined = undefined
  /** Called once the thread has booted (at once if it has). */
  private readyWaiters: Array<() => void> | undefined = []
  private readonly startedView: Int32Array
  private readonly pending = new Map<number, (reply: Reply) => void>()
  private thread: NodeThread | undefined = undefined
  private worker: Worker<ReadonlyArray<ResultEntry>, ReadonlyArray<JobEntry>> | undefined = undefined
  private fiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  private outbox: Array<JobEntry> = []
  private flushPending = false
  private ending = false
  private readonly exited: Array<() => void> = []
  private readonly spec: ThreadSpec
  private readonly events: PortEvents

  constructor(spec: ThreadSpec, events: PortEvents) {
    this.spec = spec
    this.events = events
    const started = new SharedArrayBuffer(4)
    this.startedView = new Int32Array(started)
    const data: ThreadData = { module: spec.module, exportName: spec.exportName, started, heapLimitBytes: spec.heapLimitBytes }
    const resourceLimits = spec.maxOldGenerationMb === undefined ? undefined : { maxOldGenerationSizeMb: spec.maxOldGenerationMb }
    const spawner = () => {
      const thread = new NodeThread(entry, { workerData: data, ...(resourceLimits && { resourceLimits }) })
      live++
      spawned++
      thread.once("exit", () => live--)
      return (this.thread = thread)
    }
    const port = this
    const program = Effect.gen(function*() {
      const worker = yield* nodePlatform().spawn<ReadonlyArray<ResultEntry>, ReadonlyArray<JobEntry>>(0)
      port.worker = worker
      return yield* worker.run((batch) => Effect.sync(() => port.received(batch)), { onSpawn: Effect.sync(() => port.booted()) })
    }).pipe(Effect.provideService(Spawner, spawner))
    const fiber = Effect.runForkWith(spec.context)(program)
    this.fiber = fiber
    fiber.addObserver((exit) => this.threadExited(exit))
  }

  whenReady(f: () => void): void {
    if (this.readyWaiters === undefined) f()
    else this.readyWaiters.push(f)
  }

  private booted(): void {
    const waiters = this.readyWaiters ?? []
    this.readyWaiters = undefined
    this.events.ready()
    for (const f of waiters) f()
  }

  get pendingCount(): number {
    return this.pending.size
  }

  /** Sends a job; `reply` is called once with its result. Returns its send index. */
  call(input: unknown, timed: boolean, reply: (reply: Reply) => void): number {
    const k = this.sent++
    if (this.deadReason !== undefined) {
      reply("lost")
      return k
    }
    this.pending.set(k, reply)
    this.post(timed ? [k, input, 1] : [k, input])
    return k
  }

  /** Asks the thread to interrupt job `k` (an Effect job still running there). */
  interrupt(k: number): void {
    if (this.deadReason === undefined && this.pending.has(k)) this.post([k])
  }

  hasStarted(k: number): boolean {
    return k < Atomics.load(this.startedView, 0)
  }

  /** Terminates the thread now; every job still waiting on it is lost. */
  kill(reason: string): void {
    if (this.deadReason !== undefined) return
    this.ending = true
    this.deadReason = reason
    this.lose()
    void this.thread?.terminate()
  }

  /** Lets the thread finish and exit; `done` runs once it has. A thread that will not exit is terminated after 5 seconds. */
  close(done: () => void): void {
    if (this.fiber === undefined) return done()
    this.exited.push(done)
    if (this.ending) return
    this.ending = true
    this.fiber.interruptUnsafe()
  }

  private post(entry: JobEntry): void {
    this.outbox.push(entry)
    if (this.flushPending) return
    this.flushPending = true
    this.spec.dispatcher.scheduleTask(this.flush, 0)
  }

  private readonly flush = (): void => {
    this.flushPending = false
    const batch = this.outbox
    this.outbox = []
    if (this.worker === undefined || this.deadReason !== undefined) return
    Effect.runSync(Effect.ignore(this.worker.send(batch)))
  }

  private received(batch: ReadonlyArray<ResultEntry>): void {
    for (const [k, tag, value] of batch) {
      if (tag === Tag.recycle) {
        this.events.recycle()
        continue
      }
      const reply = this.pending.get(k)
      if (reply === undefined) continue
      this.pending.delete(k)
      reply({ tag, value })
    }
  }

  private lose(): void {
    const replies = [...this.pending.values()]
    this.pending.clear()
    for (const reply of replies) reply("lost")
  }

  private threadExited(exit: Exit.Exit<unknown, unknown>): void {
    this.fiber = undefined
    if (!this.ending) {
      // Died on its own: whoever holds its jobs (the worker, crashing) settles them.
      this.ending = true
      this.deadReason = Exit.isFailure(exit) ? reasonOf(exit.cause) : "the thread stopped"
      this.pending.clear()
      this.events.died(this.deadReason)
    } else {
      this.deadReason ??= "the thread was closed"
      this.lose()
    }
    for (const done of this.exited.splice(0)) done()
  }
}

/** A WorkerError's message, with the error the thread threw when there is one. */
const reasonOf = (cause: Cause.Cause<unknown>): string => {
  const error = cause.reasons.find(Cause.isFailReason)?.error as { reason?: { message?: string; cause?: unknown } } | undefined
  const reason = error?.reason
  if (reason?.message === undefined) return Cause.pretty(cause)
  const thrown = reason.cause
  if (thrown === undefined) return reason.message
  return `${reason.message}: ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`
}
