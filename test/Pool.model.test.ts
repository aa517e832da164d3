// Model-based test of the pool (fc.commands): random sequences of submit,
// complete / fail / defect, cancel, worker crash and shutdown, for each
// mailbox kind, with and without work stealing, checked against a small
// model and the pool's invariants.
import { Effect, Exit, Fiber, ManagedRuntime, Option, Scope } from "effect"
import { TestClock } from "effect/testing"
import { fc, test } from "@fast-check/vitest"
import { expect } from "vitest"
import { Dispatch, Job, Mailbox, Pool } from "../src/index.ts"
import { eventually, makeGates, settle, tagOf, type Verdict } from "./helpers.ts"
import { crashWorker, liveWorkerIds } from "./poolInternals.ts"

const kinds = {
  fifo: "fifo",
  lifo: "lifo",
  priority: "priority",
  aging: Mailbox.priority({ aging: 50 }),
  fairShare: Mailbox.fairShare(Mailbox.lifo())
} as const
type Kind = keyof typeof kinds
const dispatches = {
  leastLoaded: "leastLoaded",
  workStealing: "workStealing",
  // every mailbox full at one job: the rest wait in the shared queue
  workStealingLocal1: Dispatch.workStealing({ localCapacity: 1 })
} as const
const DEADLINE_MS = 1_000

interface Tracked {
  readonly input: number
  readonly form: "submit" | "fork"
  readonly fiber?: Fiber.Fiber<number, unknown>
  readonly handle?: Job.JobHandle<number, string>
  /** The outcome the model predicts, once it can. */
  expected?: string
  /** Outcomes the model allows when it cannot say which (a throwing job may be cancelled or handed back first). */
  allowed?: ReadonlyArray<string>
  /** The first outcome observed; it must never change. */
  observed?: Exit.Exit<number, unknown>
}

interface Real {
  readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  readonly pool: Pool.Pool<number, number, string>
  readonly gates: ReturnType<typeof makeGates>
  readonly jobs: Array<Tracked>
  readonly released: Set<number>
  /** Inputs whose handler throws instead of returning an Effect. */
  readonly throwing: Set<number>
}

interface Model {
  readonly workers: number
  readonly concurrency: number
  accepted: number
  closed: boolean
  /** Workers crashed on purpose; no other worker may crash (a job's defect must not). */
  crashes: number
  /** Jobs running when a worker was crashed: the only ones that may end with WorkerCrashed. */
  readonly exposed: Set<number>
}

// A step that never finishes is a failure of the pool (a lost job, a cancel
// that waits forever), not a test hang: fail it after a generous real-time bound.
const run = <A, E>(real: Real, effect: Effect.Effect<A, E>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("a pool operation never completed")), 5_000)
  })
  return Promise.race([real.runtime.runPromise(effect), stuck]).finally(() => clearTimeout(timer))
}

const outcomeOf = (job: Tracked): Exit.Exit<number, unknown> | undefined => {
  if (job.handle !== undefined) {
    const polled = Effect.runSync(Job.poll(job.handle))
    return Option.getOrUndefined(polled)
  }
  return job.fiber!.pollUnsafe()
}

const tag = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit) ? "Completed" : Exit.hasInterrupts(exit) ? "Interrupt" : tagOf(findError(exit)) ?? "Failed"

const findError = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const reason = exit.cause.reasons[0]
  return reason !== undefined && reason._tag === "Fail" ? reason.error : reason
}

const isRunning = (real: Real, job: Tracked) => real.gates.started.includes(job.input) && outcomeOf(job) === undefined

/** Records first outcomes and checks every invariant that must hold at all times. */
const checkInvariants = (model: Model, real: Real) => {
  for (const job of real.jobs) {
    const now = outcomeOf(job)
    if (job.observed !== undefined) expect(now, `job ${job.input} settled twice`).toBe(job.observed)
    else if (now !== undefined) job.observed = now
    if (job.observed !== undefined && job.expected !== undefined) {
      expect(tag(job.observed), `outcome of job ${job.input}`).toBe(job.expected)
    }
    if (job.observed !== undefined && job.allowed !== undefined) {
      expect(job.allowed, `outcome of job ${job.input}`).toContain(tag(job.observed))
    }
  }
  const started = real.gates.started
  expect(new Set(started).size, "a job ran twice").toBe(started.length)
  expect(real.gates.maxRunning).toBeLessThanOrEqual(model.workers * model.concurrency)
  const stats = Pool.statsUnsafe(real.pool)
  expect(stats.submitted).toBe(model.accepted)
  expect(stats.workers.crashed, "only deliberate crashes").toBe(model.crashes)
  for (const job of real.jobs) {
    if (job.observed !== undefined && tag(job.observed) === "WorkerCrashed") expect(model.exposed.has(job.input)).toBe(true)
  }
  const settled = real.jobs.filter((j) => j.observed !== undefined).length
  const counted = stats.completed + stats.failed + stats.defects + stats.cancelled + stats.crashed + stats.handedBack +
    stats.interrupted
  expect(counted, "every settled job is counted once").toBe(settled)
}

const quiesce = (real: Real, extra: () => boolean = () => true) =>
  run(
    real,
    Effect.gen(function*() {
      yield* settle(10)
      // released jobs have finished, and whatever else this command waits for holds
      yield* eventually(
        () => real.jobs.every((j) => !real.released.has(j.input) || outcomeOf(j) !== undefined) && extra(),
        "the pool to settle down",
        300
      )
      yield* settle(10)
    })
  )

class Submit implements fc.AsyncCommand<Model, Real> {
  readonly priority: number
  readonly form: "submit" | "fork"
  readonly throws: boolean
  constructor(priority: number, form: "submit" | "fork", throws = false) {
    this.priority = priority
    this.form = form
    this.throws = throws
  }
  check = () => true
  async run(model: Model, real: Real) {
    const input = real.jobs.length + 1
    // keys for fair-share mailboxes: two submitters, and jobs with none
    const options = { priority: this.priority, key: input % 3 === 0 ? undefined : `k${input % 2}` }
    if (this.throws) real.throwing.add(input)
    if (model.closed) {
      const exit = await run(real, Effect.exit(Pool.fork(real.pool, input, options)))
      expect(tag(exit)).toBe("PoolClosed")
      return
    }
    const tracked: Tracked = this.form === "fork"
      ? { input, form: "fork", handle: await run(real, Pool.fork(real.pool, input, options)) }
      : { input, form: "submit", fiber: await run(real, Effect.forkDetach(Pool.submit(real.pool, input, options))) }
    // a throwing job never runs long enough to complete, fail, or be caught in a crash
    if (this.throws) tracked.allowed = ["JobDefect", "JobCancelled", "JobHandedBack", "Interrupt"]
    real.jobs.push(tracked)
    model.accepted++
    await quiesce(real)
    checkInvariants(model, real)
  }
  toString = () => `${this.form}(priority ${this.priority}${this.throws ? ", throws" : ""})`
}

class Release implements fc.AsyncCommand<Model, Real> {
  readonly pick: number
  readonly verdict: Verdict["_tag"]
  constructor(pick: number, verdict: Verdict["_tag"]) {
    this.pick = pick
    this.verdict = verdict
  }
  check = () => true
  async run(model: Model, real: Real) {
    const running = real.jobs.filter((j) => isRunning(real, j) && !real.released.has(j.input))
    const job = running[this.pick % Math.max(1, running.length)]
    if (job === undefined) return
    const verdict: Verdict = this.verdict === "succeed"
      ? { _tag: "succeed", value: job.input * 10 }
      : this.verdict === "fail"
      ? { _tag: "fail", error: "nope" }
      : { _tag: "die" }
    job.expected = this.verdict === "succeed" ? "Completed" : this.verdict === "fail" ? "Failed" : "JobDefect"
    real.released.add(job.input)
    await run(real, real.gates.release(job.input, verdict))
    await quiesce(real)
    checkInvariants(model, real)
    if (this.verdict === "succeed") expect(Exit.isSuccess(job.observed!) && job.observed.value).toBe(job.input * 10)
    if (this.verdict === "fail") expect(findError(job.observed!)).toBe("nope")
  }
  toString = () => `release(${this.pick}, ${this.verdict})`
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  readonly pick: number
  constructor(pick: number) {
    this.pick = pick
  }
  check = () => true
  async run(model: Model, real: Real) {
    const open = real.jobs.filter((j) => outcomeOf(j) === undefined)
    const job = open[this.pick % Math.max(1, open.length)]
    if (job === undefined) return
    if (job.form === "fork") await run(real, Job.cancel(job.handle!))
    else await run(real, Fiber.interrupt(job.fiber!))
    await quiesce(real, () => outcomeOf(job) !== undefined)
    if (job.form === "fork") job.expected = "JobCancelled"
    else expect(Exit.hasInterrupts(outcomeOf(job)!)).toBe(true) // the submitter itself was interrupted
    checkInvariants(model, real)
    if (job.form === "submit") {
      const cancelled = Pool.statsUnsafe(real.pool).cancelled
      expect(cancelled).toBeGreaterThan(0)
    }
  }
  toString = () => `cancel(${this.pick})`
}

class Crash implements fc.AsyncCommand<Model, Real> {
  readonly pick: number
  constructor(pick: number) {
    this.pick = pick
  }
  check = (model: Readonly<Model>) => !model.closed
  async run(model: Model, real: Real) {
    const ids = liveWorkerIds(real.pool)
    const id = ids[this.pick % ids.length]!
    const runningBefore = real.jobs.filter((j) => isRunning(real, j))
    for (const job of runningBefore) model.exposed.add(job.input)
    model.crashes++
    expect(crashWorker(real.pool, id, "chaos")).toBe(true)
    await quiesce(real, () => liveWorkerIds(real.pool).length === model.workers)
    checkInvariants(model, real)
    // jobs that were running and have now ended are exactly the crashed worker's
    const ended = runningBefore.filter((j) => j.observed !== undefined)
    expect(ended.length).toBeLessThanOrEqual(model.concurrency)
    for (const job of ended) expect(tag(job.observed!)).toBe("WorkerCrashed")
  }
  toString = () => `crash(${this.pick})`
}

class Shutdown implements fc.AsyncCommand<Model, Real> {
  readonly queued: "drain" | "handBack"
  /** Cancel one open job while the pool drains. */
  readonly cancelPick: number | undefined
  constructor(queued: "drain" | "handBack", cancelPick?: number) {
    this.queued = queued
    this.cancelPick = cancelPick
  }
  check = (model: Readonly<Model>) => !model.closed
  async run(model: Model, real: Real) {
    const cancelPick = this.cancelPick
    const report = await run(
      real,
      Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Pool.shutdown(real.pool))
        yield* settle(10)
        const open = real.jobs.filter((j) => outcomeOf(j) === undefined)
        const victim = cancelPick === undefined ? undefined : open[cancelPick % Math.max(1, open.length)]
        if (victim?.form === "fork") yield* Job.cancel(victim.handle!)
        else if (victim !== undefined) yield* Fiber.interrupt(victim.fiber!)
        yield* settle(10)
        yield* TestClock.adjust(DEADLINE_MS)
        return yield* Fiber.join(fiber)
      })
    )
    model.closed = true
    await quiesce(real, () => real.jobs.every((j) => outcomeOf(j) !== undefined))
    checkInvariants(model, real)
    // every accepted job has exactly one outcome; the report lists the unfinished ones
    const handedBack = real.jobs.filter((j) => j.form === "fork" && tag(j.observed!) === "JobHandedBack")
    const interrupted = real.jobs.filter((j) => j.form === "fork" && tag(j.observed!) === "JobInterrupted")
    const reported = (xs: ReadonlyArray<{ input: number }>) => new Set(xs.map((x) => x.input))
    for (const j of handedBack) expect(reported(report.handedBack).has(j.input)).toBe(true)
    for (const j of interrupted) expect(reported(report.interrupted).has(j.input)).toBe(true)
    if (this.queued === "handBack") expect(report.handedBack.every((j) => !real.gates.started.includes(j.input))).toBe(true)
    const stats = Pool.statsUnsafe(real.pool)
    expect(stats.state).toBe("stopped")
    expect(
      stats.completed + stats.failed + stats.defects + stats.cancelled + stats.crashed + stats.handedBack + stats.interrupted
    ).toBe(model.accepted)
  }
  toString = () => `shutdown(${this.queued}${this.cancelPick === undefined ? "" : `, cancel ${this.cancelPick}`})`
}

const submitArb = fc.tuple(
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom("submit" as const, "fork" as const),
  fc.nat({ max: 9 })
).map(([p, f, t]) => new Submit(p, f, t === 0))
const releaseArb = fc.tuple(fc.nat(), fc.constantFrom("succeed" as const, "fail" as const, "die" as const))
  .map(([p, v]) => new Release(p, v))

// Weighted by repetition: mostly submits and releases, now and then a cancel
// or a crash, and rarely a shutdown before the final one.
const commands = (queued: "drain" | "handBack") => [
  submitArb,
  submitArb,
  submitArb,
  releaseArb,
  releaseArb,
  fc.nat().map((p) => new Cancel(p)),
  fc.nat().map((p) => new Crash(p)),
  fc.tuple(fc.nat({ max: 3 }), submitArb, fc.option(fc.nat())).map(([n, submit, pick]) =>
    n === 0 ? new Shutdown(queued, pick ?? undefined) : submit
  )
]

const scenario = fc.record({
  kind: fc.constantFrom<Kind>("fifo", "lifo", "priority", "aging", "fairShare"),
  workers: fc.integer({ min: 1, max: 3 }),
  concurrency: fc.integer({ min: 1, max: 2 }),
  dispatch: fc.constantFrom<keyof typeof dispatches>("leastLoaded", "workStealing", "workStealingLocal1"),
  queued: fc.constantFrom("drain" as const, "handBack" as const)
})

test.prop([scenario.chain((s) => fc.tuple(fc.constant(s), fc.commands(commands(s.queued), { maxCommands: 50, size: "max" })))], {
  numRuns: 60
})("pool against its model: every accepted job settles exactly once, none runs twice, none is lost", async ([s, cmds]) => {
  const runtime = ManagedRuntime.make(TestClock.layer())
  const scope = await runtime.runPromise(Scope.make())
  const gates = makeGates()
  const throwing = new Set<number>()
  const handler = (n: number): Effect.Effect<number, string> => {
    if (throwing.has(n)) throw new Error(`job ${n} throws`)
    return gates.handler(n)
  }
  const pool = await runtime.runPromise(
    Pool.make({
      handler,
      maxWorkers: s.workers,
      scaling: "fixed",
      restart: { intensity: 1_000 }, // crashes here are deliberate; escalation has its own tests
      concurrency: s.concurrency,
      mailbox: kinds[s.kind],
      dispatch: dispatches[s.dispatch],
      capacity: "unbounded",
      shutdown: { queued: s.queued, deadline: DEADLINE_MS }
    }).pipe(Scope.provide(scope))
  )
  const real: Real = { runtime, pool, gates, jobs: [], released: new Set(), throwing }
  const model: Model = {
    workers: s.workers,
    concurrency: s.concurrency,
    accepted: 0,
    closed: false,
    crashes: 0,
    exposed: new Set()
  }
  try {
    await fc.asyncModelRun(() => ({ model, real }), [...cmds, new FinalShutdown()])
  } finally {
    await runtime.dispose()
  }
}, 120_000)

/** Every run ends with a shutdown, so every run can check that nothing was lost. */
class FinalShutdown extends Shutdown {
  constructor() {
    super("drain")
  }
  override check = () => true
  override async run(model: Model, real: Real) {
    if (!model.closed) await super.run(model, real)
    for (const job of real.jobs) expect(job.observed, `job ${job.input} never settled`).toBeDefined()
    if (process.env.MODEL_DEBUG) console.log(JSON.stringify(Pool.statsUnsafe(real.pool)))
  }
  override toString = () => "final-shutdown"
}
