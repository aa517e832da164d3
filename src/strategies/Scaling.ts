/**
 * Scaling policies: how many workers a pool should have, decided from a
 * snapshot of its load. A policy is a pure function `LoadSnapshot =>
 * Decision`; the supervisor applies decisions within `[minWorkers,
 * maxWorkers]` and makes each one visible as an inspection event and a metric.
 *
 * When the supervisor asks: after a batch of submissions (so a burst grows
 * the team at once, not on the next tick), when a worker has been idle for
 * the policy's `idleTimeout`, and after every change to the team.
 *
 * @since 0.1.0
 */
import { Duration } from "effect"
import * as Durations from "../shared/durations.ts"

const TypeId = "~troupe/Scaling" as const

/**
 * One worker, as a policy sees it.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerSnapshot {
  readonly id: number
  readonly state: "idle" | "busy"
  /** When the worker last became idle (Clock millis); undefined while busy. */
  readonly idleSince: number | undefined
  readonly queued: number
  readonly running: number
}

/**
 * The pool's load at one moment.
 *
 * @category models
 * @since 0.1.0
 */
export interface LoadSnapshot {
  /** Clock millis. */
  readonly now: number
  readonly minWorkers: number
  readonly maxWorkers: number
  /** Jobs one worker runs at once (its lanes). */
  readonly concurrency: number
  /** The workers that take jobs (idle or busy); retiring and crashed ones are not here. */
  readonly workers: ReadonlyArray<WorkerSnapshot>
  /** Jobs waiting to run, across the pool. */
  readonly queued: number
  /** When the team last grew (Clock millis), if ever. */
  readonly lastScaleUpAt: number | undefined
}

/**
 * What a policy decides. The supervisor clamps it to `[minWorkers, maxWorkers]`
 * and retires only idle workers.
 *
 * @category models
 * @since 0.1.0
 */
export type Decision =
  | { readonly _tag: "Hold" }
  | { readonly _tag: "Spawn"; readonly count: number; readonly reason: string }
  | { readonly _tag: "Retire"; readonly workerIds: ReadonlyArray<number>; readonly reason: string }

/**
 * @category models
 * @since 0.1.0
 */
export interface Scaling {
  readonly [TypeId]: typeof TypeId
  readonly name: string
  readonly decide: (snapshot: LoadSnapshot) => Decision
  /** How long a worker must be idle before the policy is asked about it; none when it never retires workers. */
  readonly idleTimeout: Duration.Duration | undefined
}

/**
 * @category constructors
 * @since 0.1.0
 */
export const hold: Decision = { _tag: "Hold" }

/**
 * @category guards
 * @since 0.1.0
 */
export const isScaling = (u: unknown): u is Scaling => typeof u === "object" && u !== null && TypeId in u

/**
 * A policy of your own.
 *
 * **Example**
 *
 * ```ts
 * import { Scaling } from "troupe"
 *
 * // one worker per 10 queued jobs, never retiring
 * const perTen = Scaling.make("perTen", (s) => {
 *   const want = Math.ceil(s.queued / 10)
 *   return want > s.workers.length ? { _tag: "Spawn", count: want - s.workers.length, reason: "perTen" } : Scaling.hold
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  name: string,
  decide: (snapshot: LoadSnapshot) => Decision,
  options?: { readonly idleTimeout?: Duration.Input }
): Scaling => ({
  [TypeId]: TypeId,
  name,
  decide,
  idleTimeout: options?.idleTimeout === undefined
    ? undefined
    : Duration.millis(Durations.toMillisOrThrow(options.idleTimeout, `Scaling.make("${name}"): idleTimeout`, { infinite: true }))
})

/**
 * Keeps the team at `maxWorkers`: no growth decisions to wait for, no
 * retirement. Crashed workers are still replaced.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fixed = (): Scaling =>
  make("fixed", (s) =>
    s.workers.length < s.maxWorkers
      ? { _tag: "Spawn", count: s.maxWorkers - s.workers.length, reason: "fixed size" }
      : hold)

/**
 * Jobs waiting that no free lane will take at once: the backlog a policy
 * should grow for. A job queued on an idle worker is not load, it is in transit.
 *
 * @category getters
 * @since 0.1.0
 */
export const backlog = (s: LoadSnapshot): number => {
  let free = 0
  for (const w of s.workers) free += Math.max(0, s.concurrency - w.running)
  return Math.max(0, s.queued - free)
}

/**
 * Grows the team when the backlog (queued jobs no free lane will take at
 * once) per worker reaches `jobsPerWorker`: multiplies it by `factor`
 * (default 2), up to `maxWorkers`. The classic rule: 2 busy workers,
 * threshold 50, 100 queued jobs: 4 workers. With no workers (`minWorkers: 0`)
 * any queued job starts one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const threshold = (options: { readonly jobsPerWorker: number; readonly factor?: number }): Scaling => {
  const factor = options.factor ?? 2
  return make("threshold", (s) => {
    const n = s.workers.length
    if (s.queued === 0 || n >= s.maxWorkers) return hold
    if (n === 0) return { _tag: "Spawn", count: 1, reason: `${s.queued} queued jobs and no worker` }
    const waiting = backlog(s)
    if (waiting < options.jobsPerWorker * n) return hold
    const target = Math.min(s.maxWorkers, Math.max(n + 1, Math.ceil(n * factor)))
    return {
      _tag: "Spawn",
      count: target - n,
      reason: `${waiting} waiting jobs on ${n} workers reached ${options.jobsPerWorker} per worker`
    }
  })
}

/**
 * Grows the team under pressure: jobs wait that no free lane will take at
 * once (so no worker is idle), and the team is below `maxWorkers`. It spawns
 * enough workers for the waiting jobs (their number over the lanes a worker
 * has), at once: a burst gets a useful team in one step rather than by
 * doublings.
 *
 * @category constructors
 * @since 0.4.0
 */
export const pressure = (): Scaling =>
  make("pressure", (s) => {
    const n = s.workers.length
    if (s.queued === 0 || n >= s.maxWorkers) return hold
    const waiting = n === 0 ? s.queued : backlog(s)
    if (waiting === 0) return hold
    const count = Math.min(s.maxWorkers - n, Math.ceil(waiting / s.concurrency))
    return { _tag: "Spawn", count, reason: `${waiting} jobs waiting and no lane free` }
  })

/**
 * Retires workers idle for at least `after`, never below `minWorkers` and
 * never a busy one. Scaling down is slower than up on purpose (hysteresis): a
 * worker must stay idle for the whole timeout, and nothing retires within
 * `after` of the last growth, so load that comes and goes does not churn.
 *
 * @category constructors
 * @since 0.1.0
 */
export const idleTimeout = (options: { readonly after: Duration.Input }): Scaling => {
  const after = Durations.toMillisOrThrow(options.after, "Scaling.idleTimeout: after")
  return make(
    "idleTimeout",
    (s) => {
      if (s.lastScaleUpAt !== undefined && s.now - s.lastScaleUpAt < after) return hold
      const spare = s.workers.length - s.minWorkers
      if (spare <= 0) return hold
      const idle = s.workers
        .filter((w) => w.state === "idle" && w.idleSince !== undefined && s.now - w.idleSince >= after)
        .sort((a, b) => a.idleSince! - b.idleSince!)
        .slice(0, spare)
      return idle.length === 0 ? hold : {
        _tag: "Retire",
        workerIds: idle.map((w) => w.id),
        reason: `idle for ${Duration.format(Duration.millis(after))}`
      }
    },
    { idleTimeout: after }
  )
}

/**
 * Asks each policy in turn; the first that does not hold decides. The
 * combined policy's idle timeout is the shortest of theirs.
 *
 * @category combinators
 * @since 0.1.0
 */
export const combine = (...policies: ReadonlyArray<Scaling>): Scaling => {
  const timeouts = policies.flatMap((p) => (p.idleTimeout === undefined ? [] : [Duration.toMillis(p.idleTimeout)]))
  return make(
    policies.map((p) => p.name).join("+"),
    (s) => {
      for (const policy of policies) {
        const decision = policy.decide(s)
        if (decision._tag !== "Hold") return decision
      }
      return hold
    },
    timeouts.length === 0 ? undefined : { idleTimeout: Math.min(...timeouts) }
  )
}

/**
 * The default: grow under {@link pressure} (as soon as jobs wait with no lane
 * free), retire after 30 seconds idle. With `jobsPerWorker`, grow by the
 * {@link threshold} rule instead (doubling at that many waiting jobs per
 * worker), as {@link classic} does.
 *
 * @category constructors
 * @since 0.1.0
 */
export const auto = (options?: { readonly jobsPerWorker?: number; readonly idleAfter?: Duration.Input }): Scaling =>
  combine(
    options?.jobsPerWorker === undefined ? pressure() : threshold({ jobsPerWorker: options.jobsPerWorker }),
    idleTimeout({ after: options?.idleAfter ?? "30 seconds" })
  )

/**
 * The classic rule: double the team when 50 jobs per worker wait (or
 * `jobsPerWorker`), retire after 30 seconds idle. Slower to grow than the
 * default, for jobs whose bursts are better absorbed by a queue than by new
 * workers (each worker holds a connection, say).
 *
 * @category constructors
 * @since 0.4.0
 */
export const classic = (options?: { readonly jobsPerWorker?: number; readonly idleAfter?: Duration.Input }): Scaling =>
  combine(
    threshold({ jobsPerWorker: options?.jobsPerWorker ?? 50 }),
    idleTimeout({ after: options?.idleAfter ?? "30 seconds" })
  )

/**
 * Resolves a scaling option: `"auto"`, `"fixed"` or a policy.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromOption = (option: "auto" | "fixed" | Scaling): Scaling =>
  typeof option !== "string" ? option : option === "fixed" ? fixed() : auto()
