// One Node worker thread, seen from the pool: jobs go out and results come
// back in batches, one message per scheduler batch each way. The thread is
// spawned through `effect/workers` (`@effect/platform-node`'s NodeWorker),
// which buffers what is sent before the thread is ready and reports its exit
// or error as a `WorkerError`.
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import { Cause, Clock, Context, Effect, Exit, type Fiber } from "effect"
import type { SchedulerDispatcher } from "effect/Scheduler"
import { Spawner, WorkerPlatform, type Worker } from "effect/workers/Worker"
import { Worker as NodeThread } from "node:worker_threads"
import { claimTag, type JobEntry, type ResultEntry, Tag, type ThreadData, type Trace } from "./threadProtocol.ts"

// Built, this module is threadPort.js beside threadEntry.js; from source (this
// repository, Node stripping types), threadPort.ts beside threadEntry.ts.
const entry = new URL(import.meta.url.endsWith(".ts") ? "./threadEntry.ts" : "./threadEntry.js", import.meta.url)

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
  /** `thread.maxHeapMb`: past it the thread is terminated, a crash (see `resourceLimitsOf`). */
  readonly maxHeapMb: number | undefined
  readonly context: Context.Context<never>
  readonly dispatcher: SchedulerDispatcher
  /** Most jobs in flight to one thread (the worker's lanes). */
  readonly window: number
}

// How `thread.maxHeapMb` is enforced. V8's own limit (Node's `resourceLimits`)
// cannot be the rule: when the old generation reaches it, Node raises it by
// 16 MiB and asks the thread to stop, but one allocation bigger than that
// (an array that grows by half at once) makes V8 abort the whole process, not
// the thread (nodejs/node#47224). So the pool reads the heap of a thread that
// has jobs every 10 ms (`worker.getHeapStatistics()`, which Node answers from
// inside the thread between two steps of its JavaScript, so a synchronous job
// is read while it runs) and terminates the thread once its used heap passes
// `maxHeapMb`: a crash, as V8's would be. V8's limit stays, at twice
// `maxHeapMb`, as the backstop, so the watch has the time of that much
// allocation to act. The young generation is held to an eighth of `maxHeapMb`
// (8 MiB at least, V8's default at most), so that short-lived objects weigh
// little in a reading.
//
// A reading counts what V8 has not collected yet. Ending a thread only once a
// full collection left its heap past the limit (or past 1.5 times the limit)
// ended fewer threads for their garbage, but let a string that doubles abort
// the process every time: measured and dropped (docs/threads.md, "Memory").
const watchMs = 10
/** The watch needs `worker.getHeapStatistics()` (Node 24 has it); without it V8's limit is `maxHeapMb` itself. */
const canWatch = typeof NodeThread.prototype.getHeapStatistics === "function"
const MiB = 1024 * 1024
/** V8's default young generation on Node 24, in MiB: troupe never sets a larger one. */
const defaultYoungMb = 192

const resourceLimitsOf = (maxHeapMb: number | undefined) => {
  if (maxHeapMb === undefined) return undefined
  if (!canWatch) return { maxOldGenerationSizeMb: maxHeapMb }
  const young = Math.max(8, maxHeapMb / 8)
  return { maxOldGenerationSizeMb: 2 * maxHeapMb, ...(young < defaultYoungMb && { maxYoungGenerationSizeMb: young }) }
}

/** A job's reply: how it ended, or `lost` when the thread went away first. */
export type Reply = { readonly tag: Tag; readonly value: unknown } | "lost"

export interface PortEvents {
  readonly ready: () => void
  /** The thread exited or failed on its own (not by `kill` or `close`). */
  readonly died: (reason: string) => void
  /** The thread's heap passed its limit. */
  readonly recycle: () => void
  /**
   * The thread answered `n` jobs in `ms` of its time: since its previous
   * answer, or since it was sent work while it had none (on the pool's Clock).
   */
  readonly measured?: ((ms: number, n: number) => void) | undefined
}

export class ThreadPort {
  /** Jobs sent so far. */
  sent = 0
  /** Results received so far. */
  answered = 0
  /** Why the thread is gone, once it is. */
  deadReason: string | undefined = undefined
  /** Called once the thread has booted (at once if it has). */
  private readyWaiters: Array<() => void> | undefined = []
  private readonly claims: Claims
  private readonly pending = new Map<number, (reply: Reply) => void>()
  private thread: NodeThread | undefined = undefined
  private worker: Worker<ReadonlyArray<ResultEntry>, ReadonlyArray<JobEntry>> | undefined = undefined
  private fiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  private outbox: Array<JobEntry> = []
  private flushPending = false
  private ending = false
  /** Reads the thread's heap while it has jobs (`thread.maxHeapMb` only). */
  private watch: Fiber.Fiber<void> | undefined = undefined
  private reading = false
  /** Set when the heap watch terminated the thread: the reason its worker crashed. */
  private outOfMemory: string | undefined = undefined
  private readonly exited: Array<() => void> = []
  private readonly spec: ThreadSpec
  private readonly events: PortEvents
  /** Milliseconds on the pool's Clock, when the port measures its thread's time (`events.measured`). */
  private readonly now: (() => number) | undefined
  /** Since when the thread has had work without answering (see `measured`); -1: it has none. */
  private busySince = -1

  constructor(spec: ThreadSpec, events: PortEvents) {
    this.spec = spec
    this.events = events
    if (events.measured !== undefined) {
      const clock = Context.getUnsafe(spec.context, Clock.Clock)
      this.now = () => Number(clock.monotonicTimeNanosUnsafe()) / 1e6
    }
    this.claims = new Claims(spec.window)
    const data: ThreadData = {
      module: spec.module,
      exportName: spec.exportName,
      claims: this.claims.buffer,
      heapLimitBytes: spec.heapLimitBytes
    }
    const resourceLimits = resourceLimitsOf(spec.maxHeapMb)
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

  /** Whether the thread has booted. */
  get isReady(): boolean {
    return this.readyWaiters === undefined
  }

  /** Jobs held that the thread has started (claimed) and not answered yet. */
  startedCount(): number {
    return this.claims.claimed()
  }

  /** Sends a job; `reply` is called once with its result, unless the job is withdrawn. Returns its send index. */
  call(input: unknown, timed: boolean, trace: Trace | undefined, reply: (reply: Reply) => void): number {
    const k = this.sent++
    if (this.deadReason !== undefined) {
      reply("lost")
      return k
    }
    const slot = this.claims.offer(k)
    this.pending.set(k, reply)
    this.post(trace !== undefined ? [k, slot, input, timed ? 1 : 0, trace] : timed ? [k, slot, input, 1] : [k, slot, input])
    if (this.spec.maxHeapMb !== undefined && canWatch && this.watch === undefined) {
      // On the pool's Clock, like every other timer of troupe.
      this.watch = Effect.runForkWith(this.spec.context)(Effect.forever(Effect.sleep(watchMs).pipe(Effect.andThen(Effect.sync(this.readHeap)))))
    }
    return k
  }

  // The heap watch (see `resourceLimitsOf`): one reading at a time, none before
  // the thread has booted, and none once it holds no job (the watch starts
  // again with the next one).
  private readonly readHeap = (): void => {
    const thread = this.thread
    if (this.pending.size === 0 || this.deadReason !== undefined) return this.stopWatch()
    if (this.reading || thread === undefined || this.readyWaiters !== undefined) return // not booted yet
    this.reading = true
    thread.getHeapStatistics().then(
      (stats) => {
        this.reading = false
        const limit = this.spec.maxHeapMb!
        const used = stats.used_heap_size
        if (used <= limit * MiB || this.deadReason !== undefined || this.outOfMemory !== undefined) return
        this.outOfMemory = `JS heap out of memory: the thread's heap was ${Math.round(used / MiB)} MiB, ` +
          `past thread.maxHeapMb (${limit} MiB), and the thread was terminated`
        this.stopWatch()
        void thread.terminate()
      },
      () => {
        this.reading = false // the thread is exiting
      }
    )
  }

  private stopWatch(): void {
    const watch = this.watch
    if (watch === undefined) return
    this.watch = undefined
    watch.interruptUnsafe()
  }

  /**
   * Takes back job `k` if the thread has not started it: then it never will,
   * and no reply comes. False once the thread has claimed it.
   */
  withdraw(k: number): boolean {
    if (!this.claims.withdraw(k)) return false
    this.pending.delete(k)
    if (this.pending.size === 0) this.busySince = -1
    return true
  }

  /** Asks the thread to interrupt job `k` (an Effect job still running there). */
  interrupt(k: number): void {
    if (this.deadReason === undefined && this.pending.has(k)) this.post([k])
  }

  /** Terminates the thread now; every job still waiting on it is lost. */
  kill(reason: string): void {
    if (this.deadReason !== undefined) return
    this.ending = true
    this.deadReason = reason
    void this.thread?.terminate()
    this.lose()
  }

  /**
   * Asks the thread to exit (when what it holds is done or abandoned); `done`
   * runs once it has. A thread that will not exit is terminated after 5 seconds.
   */
  close(done: () => void): void {
    if (this.fiber === undefined) return done()
    this.exited.push(done)
    if (this.ending) return
    this.ending = true
    this.fiber.interruptUnsafe()
  }

  /** Calls `f` once the thread has exited (at once if it has). */
  onExit(f: () => void): void {
    if (this.fiber === undefined) f()
    else this.exited.push(f)
  }

  private post(entry: JobEntry): void {
    this.outbox.push(entry)
    if (this.flushPending) return
    this.flushPending = true
    this.spec.dispatcher.scheduleTask(this.flush, 0)
  }

  // A batch the structured clone cannot copy is sent entry by entry: a job
  // whose input cannot cross fails alone, with a defect saying why.
  private readonly flush = (): void => {
    this.flushPending = false
    const batch = this.outbox
    this.outbox = []
    const worker = this.worker
    if (this.deadReason !== undefined || batch.length === 0) return
    if (worker === undefined) return this.whenReady(() => this.flushLater(batch)) // not spawned yet: keep the batch
    if (this.now !== undefined && this.busySince < 0) this.busySince = this.now()
    if (Exit.isSuccess(Effect.runSyncExit(worker.send(batch)))) return
    for (const entry of batch) {
      const sent = Effect.runSyncExit(worker.send([entry]))
      if (Exit.isSuccess(sent) || entry.length === 1) continue
      const reply = this.pending.get(entry[0])
      if (reply === undefined || !this.withdraw(entry[0])) continue
      reply({ tag: Tag.defect, value: new Error(`troupe: the job's input could not be sent to its thread: ${reasonOf(sent.cause)}`) })
    }
  }

  private flushLater(batch: Array<JobEntry>): void {
    this.outbox = batch.concat(this.outbox)
    this.flush()
  }

  private received(batch: ReadonlyArray<ResultEntry>): void {
    let n = 0
    for (const [k, tag, value] of batch) {
      if (tag === Tag.recycle) {
        this.events.recycle()
        continue
      }
      n++
      this.claims.release(k)
      const reply = this.pending.get(k)
      if (reply === undefined) continue
      this.pending.delete(k)
      reply({ tag, value })
    }
    this.answered += n
    if (this.now !== undefined && n > 0) this.measure(n)
  }

  private measure(n: number): void {
    const now = this.now!()
    const since = this.busySince
    this.busySince = this.pending.size > 0 ? now : -1
    if (since >= 0) this.events.measured!(now - since, n)
  }

  private lose(): void {
    const replies = [...this.pending.values()]
    this.pending.clear()
    for (const reply of replies) reply("lost")
  }

  private threadExited(exit: Exit.Exit<unknown, unknown>): void {
    this.fiber = undefined
    this.stopWatch()
    if (!this.ending) {
      // Died on its own (or for its heap): the worker crashes first (it sees
      // which jobs never started), then whatever still waits on this thread is
      // told it is gone.
      this.ending = true
      this.deadReason = this.outOfMemory ?? (Exit.isFailure(exit) ? reasonOf(exit.cause) : "the thread stopped")
      this.events.died(this.deadReason)
    } else {
      this.deadReason ??= this.outOfMemory ?? "the thread was closed"
    }
    this.lose()
    for (const done of this.exited.splice(0)) done()
  }
}

/**
 * Who starts a job: one slot per job in flight, shared with the thread. The
 * pool offers job k in a free slot as +tag; the thread claims it (+tag to
 * -tag) just before running it, and skips it if the pool withdrew it first
 * (+tag to 0). Both sides use compare-and-swap, so a withdrawn job never runs
 * there, and one claimed there is never sent anywhere else.
 *
 * A slot is free again once its job has replied or been withdrawn. A
 * withdrawn job may still sit in the thread's inbox when its slot is reused:
 * tags are unique per job, so the thread's claim for it fails and it is
 * skipped. Jobs holding a slot are at most the worker's lanes.
 */
class Claims {
  readonly buffer: SharedArrayBuffer
  private readonly slots: Int32Array
  private readonly free: Array<number> = []
  private readonly slotOf = new Map<number, number>()

  constructor(window: number) {
    const size = window + 1
    this.buffer = new SharedArrayBuffer(size * 4)
    this.slots = new Int32Array(this.buffer)
    for (let i = size - 1; i >= 0; i--) this.free.push(i)
  }

  /** Offers job k; returns its slot. */
  offer(k: number): number {
    const slot = this.free.pop()
    if (slot === undefined) throw new Error("troupe: more jobs in flight to a thread than its worker has lanes")
    this.slotOf.set(k, slot)
    Atomics.store(this.slots, slot, claimTag(k))
    return slot
  }

  /** Jobs offered here that the thread has claimed (started) and not released yet. */
  claimed(): number {
    let n = 0
    for (const [k, slot] of this.slotOf) if (Atomics.load(this.slots, slot) === -claimTag(k)) n++
    return n
  }

  /** Takes job k back if the thread has not claimed it. */
  withdraw(k: number): boolean {
    const slot = this.slotOf.get(k)
    if (slot === undefined) return false
    const tag = claimTag(k)
    if (Atomics.compareExchange(this.slots, slot, tag, 0) !== tag) return false
    this.release(k)
    return true
  }

  /** Job k is done with its slot (it replied, or its thread is gone). */
  release(k: number): void {
    const slot = this.slotOf.get(k)
    if (slot === undefined) return
    this.slotOf.delete(k)
    this.free.push(slot)
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
