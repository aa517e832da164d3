// Plain counters on the hot path: settling a job costs one increment. The
// stats (`Pool.stats`) and the Effect Metrics (`metrics.ts`) are both read
// from here, by the lists below, so the three cannot drift apart.
import type { WorkerState } from "../../actors/WorkerLifecycle.ts"

/** Every way a job ends: the counters, the stats and the `troupe_jobs` metric all follow this list. */
export const outcomes = [
  "completed",
  "failed",
  "defects",
  "cancelled",
  "crashed",
  "handedBack",
  "interrupted",
  "timedOut",
  "queueTimedOut",
  "deadLettered"
] as const
export type Outcome = (typeof outcomes)[number]

/** The counters besides outcomes, each with the metric it is exported as. */
export const tallies = {
  submitted: { metric: "troupe_jobs_submitted", description: "jobs accepted by the pool" },
  retried: { metric: "troupe_jobs_retried", description: "retries made (a job retried twice counts two)" },
  deadLettersDropped: { metric: "troupe_dead_letters_dropped", description: "dead letters dropped, oldest first, from a full dead-letter queue" },
  threadsReplaced: { metric: "troupe_threads_replaced", description: "threads replaced under their workers (a timeout, or recycling)" },
  stolen: { metric: "troupe_jobs_stolen", description: "jobs idle workers took from other workers' mailboxes" },
  promoted: { metric: "troupe_jobs_promoted", description: "jobs an aging priority mailbox ran ahead of a higher-priority job" },
  retired: { metric: "troupe_workers_retired", description: "idle workers retired by the scaling policy" }
} as const
export type Tally = keyof typeof tallies

export const spawnReasons = ["initial", "replacement", "scaleUp"] as const
export type SpawnReason = (typeof spawnReasons)[number]

export const workerStates = ["spawning", "idle", "busy", "draining", "stopped", "crashed"] as const satisfies ReadonlyArray<WorkerState>

/** A snapshot of the counters, as `Pool.stats` shows them. */
export type Counts =
  & Readonly<Record<Outcome | Tally, number>>
  & {
    readonly spawned: Readonly<Record<SpawnReason, number>>
    /** Workers now in each state; `stopped` and `crashed` count every worker that ever ended so. */
    readonly workers: Readonly<Record<WorkerState, number>>
    /** Jobs a handler ran to an end: completed + failed + defects. */
    readonly served: number
  }

export class Counters {
  // One field per outcome: a switch keeps each increment a monomorphic field store.
  private completed = 0
  private failed = 0
  private defects = 0
  private cancelled = 0
  private crashed = 0
  private handedBack = 0
  private interrupted = 0
  private timedOut = 0
  private queueTimedOut = 0
  private deadLettered = 0
  // Likewise one field per tally (`submitted` is counted once per job).
  private submitted = 0
  private retried = 0
  private deadLettersDropped = 0
  private threadsReplaced = 0
  private stolen = 0
  private promoted = 0
  private retired = 0
  private readonly spawnedBy: Record<SpawnReason, number> = zeros(spawnReasons)
  private readonly inState: Record<WorkerState, number> = zeros(workerStates)

  settled(outcome: Outcome): void {
    switch (outcome) {
      case "completed": this.completed++; break
      case "failed": this.failed++; break
      case "defects": this.defects++; break
      case "cancelled": this.cancelled++; break
      case "crashed": this.crashed++; break
      case "handedBack": this.handedBack++; break
      case "interrupted": this.interrupted++; break
      case "timedOut": this.timedOut++; break
      case "queueTimedOut": this.queueTimedOut++; break
      case "deadLettered": this.deadLettered++; break
    }
  }

  add(tally: Tally, n = 1): void {
    switch (tally) {
      case "submitted": this.submitted += n; break
      case "retried": this.retried += n; break
      case "deadLettersDropped": this.deadLettersDropped += n; break
      case "threadsReplaced": this.threadsReplaced += n; break
      case "stolen": this.stolen += n; break
      case "promoted": this.promoted += n; break
      case "retired": this.retired += n; break
    }
  }

  spawned(reason: SpawnReason): void {
    this.spawnedBy[reason]++
    this.inState.spawning++
  }

  workerTransition(from: WorkerState, to: WorkerState): void {
    this.inState[from]--
    this.inState[to]++
  }

  outcome(outcome: Outcome): number {
    return this[outcome]
  }

  get(tally: Tally): number {
    return this[tally]
  }

  spawnedFor(reason: SpawnReason): number {
    return this.spawnedBy[reason]
  }

  workersIn(state: WorkerState): number {
    return this.inState[state]
  }

  /** Workers that can run jobs now: idle, busy or draining. */
  available(): number {
    return this.inState.idle + this.inState.busy + this.inState.draining
  }

  snapshot(): Counts {
    const ended = Object.fromEntries(outcomes.map((outcome) => [outcome, this[outcome]])) as Record<Outcome, number>
    const tally = Object.fromEntries((Object.keys(tallies) as Array<Tally>).map((t) => [t, this[t]])) as Record<Tally, number>
    return {
      ...ended,
      ...tally,
      served: ended.completed + ended.failed + ended.defects,
      spawned: { ...this.spawnedBy },
      workers: { ...this.inState }
    }
  }
}

const zeros = <K extends string>(keys: ReadonlyArray<K>): Record<K, number> =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>
