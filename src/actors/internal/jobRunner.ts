// How a worker actor runs one job: on its own fiber (fiberRunner.ts) or on its
// thread (threadRunner.ts). The actor's lanes, mailbox and lifecycle are the same.
import type { Effect } from "effect"
import type { JobRecord } from "../../internal/jobRecord.ts"

export interface JobRunner {
  /** Starts; `ready` once jobs can run (a thread: once booted), `died` if it fails on its own. */
  readonly start: (ready: () => void, died: (reason: string) => void) => void
  /** The job's run, as its lane awaits it. It may fail with a `RuntimeEnd`. */
  readonly run: (job: JobRecord) => Effect.Effect<unknown, unknown>
  /** After a crash: true for a job handed to the runner that never started (it may run elsewhere). */
  readonly unstarted: (job: JobRecord) => boolean
  /** A crash or the shutdown deadline: let go of running jobs now. */
  readonly abort: (reason: string) => void
  /** Every lane has ended: release what the runner holds, then call `done`. */
  readonly stop: (done: () => void) => void
}

/**
 * A job ended by the runtime rather than by its handler: it outlived its
 * timeout, or the thread under it was terminated (another job's timeout).
 */
export class RuntimeEnd {
  readonly kind: "timedOut" | "lost"
  readonly reason: string
  constructor(kind: "timedOut" | "lost", reason: string) {
    this.kind = kind
    this.reason = reason
  }
}
