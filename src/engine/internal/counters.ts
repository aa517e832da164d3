// Plain counters on the hot path; exported as Effect Metrics at read time
// (Metric.registerUnsafe), so settling a job costs one increment.
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

export class Counters {
  submitted = 0
  completed = 0
  failed = 0
  defects = 0
  cancelled = 0
  crashed = 0
  handedBack = 0
  interrupted = 0
  timedOut = 0
  queueTimedOut = 0
  deadLettered = 0
  /** Retries scheduled (a job retried twice counts two). */
  retried = 0
  /** Dead letters dropped, oldest first, because the dead-letter queue was full. */
  deadLettersDropped = 0
  /** Threads replaced under their workers (timeouts, recycling). */
  threadsReplaced = 0
  /** Jobs idle workers took from other workers' mailboxes. */
  stolen = 0
  /** Jobs taken ahead of a higher-priority job thanks to aging. */
  promoted = 0
  /** Workers started, by why. */
  readonly spawned = { initial: 0, replacement: 0, scaleUp: 0 }
  /** Workers retired by the scaling policy. */
  retired = 0
  /** Workers now in each state; `stopped` and `crashed` count every worker that ever ended so. */
  readonly workers: Record<WorkerState, number> = { spawning: 0, idle: 0, busy: 0, draining: 0, stopped: 0, crashed: 0 }

  settled(outcome: Outcome): void {
    // A switch keeps each increment a monomorphic field store.
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

  workerCreated(): void {
    this.workers.spawning++
  }

  workerTransition(from: WorkerState, to: WorkerState): void {
    this.workers[from]--
    this.workers[to]++
  }
}
