// The entry point of a thread worker's thread. It loads the handler's module,
// then answers batches of jobs with batches of results.
//
// It speaks the message protocol of `effect/workers` (which the pool's side
// uses through `@effect/platform-node`'s NodeWorker): `[0]` is "ready",
// `[1, data]` carries data, `[1]` from the pool means "close". It is written
// on `node:worker_threads` rather than NodeWorkerRunner because a thread that
// loads NodeWorkerRunner boots in ~220 ms against ~130 ms with `effect/Effect`
// alone and ~60 ms with neither (measured on the 2-core machine), and boot
// time is time to first result. For the same reason Effect itself is loaded
// only once a handler returns an Effect: a plain handler never pays for it.
//
// Batches: the pool sends `[id, input]` entries (or `[id]`: interrupt that
// job); the thread answers `[id, tag, value]` (tag: see `Tag` below), one
// message per batch of jobs rather than one per job; but once a job of a batch
// ends `flushAfterMs` or more after the batch came (or the last answer left),
// the results so far leave at once: a job's result never waits for a slow job
// after it, and the pool can send the next job while this thread runs the rest.
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Schema from "effect/Schema"
import { getHeapStatistics } from "node:v8"
import { parentPort, workerData } from "node:worker_threads"
import { isHandler, type Handler } from "../Thread.ts"
import { claimTag, type JobEntry, Tag, type ThreadData, type Trace } from "./threadProtocol.ts"

const data = workerData as ThreadData
const port = parentPort!
/** Claim slots shared with the pool (see `claimTag`): a job runs only if the thread claims it first. */
const claims = new Int32Array(data.claims)
const running = new Map<number, Fiber.Fiber<unknown, unknown>>()
let out: Array<unknown> = []
let flushPending = false
/** See the header: results older than this (ms) are not held back for the rest of a batch. */
const flushAfterMs = 1
let recycleAsked = false

type Codec = (value: unknown) => unknown

/** Effect's own mark on its values (a checked literal type, so a change in Effect breaks the build). */
const EffectTypeId: Effect.TypeId = "~effect/Effect"
const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown> => typeof u === "object" && u !== null && EffectTypeId in u

type Runtime = readonly [typeof import("effect/Effect"), typeof import("effect/Exit"), typeof import("effect/Cause"), typeof import("effect/Tracer")]
let runtime: Runtime | undefined
/** Jobs that arrived while Effect was loading: not claimed yet, so the pool may still withdraw them. */
let waitingForRuntime: Array<JobEntry> | undefined

const load = async (): Promise<Handler<unknown, unknown, unknown>> => {
  const module = (await import(data.module)) as Record<string, unknown>
  const handler = module[data.exportName]
  if (!isHandler(handler)) throw new Error(`troupe: ${data.module} has no thread handler exported as "${data.exportName}"`)
  return handler
}

const codecs = async (handler: Handler<unknown, unknown, unknown>) => {
  const { input, success, failure } = handler.schemas
  if (input === undefined && success === undefined && failure === undefined) return undefined
  const S = await import("effect/Schema")
  return {
    input: input && (S.decodeUnknownSync(input) as Codec),
    success: success && (S.encodeUnknownSync(success) as Codec),
    failure: failure && (S.encodeUnknownSync(failure) as Codec)
  }
}

const handler = await load()
const codec = await codecs(handler)

const push = (id: number, tag: Tag, value?: unknown): void => {
  out.push(tag === Tag.interrupted ? [id, tag] : [id, tag, value])
  if (!flushPending) {
    flushPending = true
    setImmediate(flush)
  }
}

// A value the structured clone cannot copy (a function, a class with private
// state) fails its own job with a defect rather than the whole batch.
const flush = (): void => {
  flushPending = false
  if (out.length === 0) return
  const batch = out
  out = []
  try {
    port.postMessage([1, batch])
  } catch {
    port.postMessage([1, batch.map(cloneable)])
  }
  if (data.heapLimitBytes !== undefined && !recycleAsked && heapBytes() > data.heapLimitBytes) {
    recycleAsked = true
    port.postMessage([1, [[-1, Tag.recycle]]])
  }
}

/** The thread's JavaScript heap plus the buffers it holds outside it. */
const heapBytes = (): number => {
  const stats = getHeapStatistics()
  return stats.used_heap_size + stats.external_memory
}

const cloneable = (entry: unknown): unknown => {
  try {
    return structuredClone(entry)
  } catch (error) {
    const [id] = entry as [number]
    return [id, Tag.defect, new Error(`troupe: the job's result could not be sent to the pool: ${String(error)}`)]
  }
}

const settleExit = (id: number, exit: Exit.Exit<unknown, unknown>): void => {
  const [, Exit, Cause] = runtime!
  running.delete(id)
  if (Exit.isSuccess(exit)) return succeed(id, exit.value)
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) return fail(id, failure.error)
  const die = exit.cause.reasons.find(Cause.isDieReason)
  if (die !== undefined) return push(id, Tag.defect, die.defect)
  push(id, Tag.interrupted)
}

// The structured clone keeps only an Error's name, message and stack: a typed
// failure without a schema (a tagged error) crosses as a plain object of its
// own fields instead, so its tag and data arrive.
const ownFields = (error: unknown): unknown =>
  error instanceof Error ? { ...error, name: error.name, message: error.message } : error

const fail = (id: number, error: unknown): void =>
  guarded(id, Tag.failure, () => (codec?.failure ? codec.failure(error) : ownFields(error)))

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as PromiseLike<unknown>).then === "function"

const succeed = (id: number, value: unknown): void => guarded(id, Tag.success, () => (codec?.success ? codec.success(value) : value))

/** Encodes a result; an encoding failure is the job's defect. */
const guarded = (id: number, tag: Tag, encode: () => unknown): void => {
  let value: unknown
  try {
    value = encode()
  } catch (defect) {
    return push(id, Tag.defect, defect)
  }
  push(id, tag, value)
}

const run = (id: number, slot: number, input: unknown, trace?: Trace): void => {
  const tag = claimTag(id)
  if (Atomics.compareExchange(claims, slot, tag, -tag) !== tag) return // withdrawn by the pool: never runs
  let result: unknown
  try {
    result = handler.handle(codec?.input ? codec.input(input) : input)
  } catch (defect) {
    return push(id, Tag.defect, defect)
  }
  if (isEffect(result)) {
    if (runtime !== undefined) runEffect(id, result, trace)
    else loadRuntime(() => runEffect(id, result, trace))
  } else if (isPromiseLike(result)) {
    // A rejection is the job's typed failure, as for a fiber handler.
    result.then((value) => succeed(id, value), (error) => fail(id, error))
  } else {
    succeed(id, result)
  }
}

// With a trace, the handler's spans are children of its attempt's span in the pool (an external span here).
const runEffect = (id: number, effect: Effect.Effect<unknown, unknown>, trace: Trace | undefined): void => {
  const [E, , , Tracer] = runtime!
  const traced = trace === undefined ? effect : E.withParentSpan(effect, Tracer.externalSpan({ traceId: trace[0], spanId: trace[1], sampled: trace[2] }))
  const fiber = E.runFork(traced)
  const exit = fiber.pollUnsafe()
  if (exit !== undefined) return settleExit(id, exit)
  running.set(id, fiber)
  fiber.addObserver((exit) => settleExit(id, exit))
}

const loadRuntime = (then: () => void): void => {
  waitingForRuntime = []
  Promise.all([import("effect/Effect"), import("effect/Exit"), import("effect/Cause"), import("effect/Tracer")]).then((loaded) => {
    runtime = loaded
    then()
    const waiting = waitingForRuntime!
    waitingForRuntime = undefined
    for (const entry of waiting) take(entry)
    if (out.length > 0) flush()
  })
}

const take = (entry: JobEntry): void => {
  if (waitingForRuntime !== undefined) return void waitingForRuntime.push(entry)
  if (entry.length === 1) return running.get(entry[0])?.interruptUnsafe()
  if (entry.length === 3) return run(entry[0], entry[1], entry[2])
  const timed = entry[3] === 1
  if (timed) flush()
  run(entry[0], entry[1], entry[2], entry[4])
  if (timed) flush()
}

port.on("message", (message: readonly [0, ReadonlyArray<JobEntry>] | readonly [1]) => {
  if (message[0] === 1) return process.exit(0)
  const entries = message[1]
  let since = entries.length > 1 ? performance.now() : 0
  for (let i = 0; i < entries.length; i++) {
    take(entries[i]!)
    if (i === entries.length - 1 || out.length === 0) continue
    const now = performance.now()
    if (now - since < flushAfterMs) continue
    flush()
    since = now
  }
  if (out.length > 0) flush() // answered at once: no need to wait for setImmediate
})

port.postMessage([0])
