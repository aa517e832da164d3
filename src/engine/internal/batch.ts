// A batch of jobs submitted as one: `Pool.submitAll` and `PromisePool.runAll`.
// No fiber and no waiting submitter per job: the batch admits its inputs while
// the pool has room, waits for room as one submitter when it has none, and
// each job's record writes its result into place when it ends. Like
// `Effect.forEach`, the first failure ends the batch, and the jobs still
// queued or running are cancelled; so does interrupting it.
import { Cause, Exit } from "effect"
import type { JobError } from "../../job/JobError.ts"
import { type JobExit, type JobExtras, JobRecord } from "../../job/internal/jobRecord.ts"
import type { InvalidInput, InvalidOptions, MailboxFull, PoolClosed } from "../PoolError.ts"
import type { PendingSubmit } from "./admission.ts"
import type { Engine } from "./engine.ts"
import * as Submission from "./submission.ts"

export type BatchError<E> = E | JobError | PoolClosed | MailboxFull | InvalidOptions | InvalidInput

/**
 * Runs `inputs` as one batch; `done` gets every result in input order, or the
 * first failure. Returns a cancel for the batch (its unsettled jobs are
 * cancelled; `done` is not called after it).
 */
export const run = <O>(
  core: Engine,
  inputs: ReadonlyArray<unknown>,
  options: Submission.RawJobOptions | undefined,
  done: (exit: Exit.Exit<Array<O>, BatchError<unknown>>) => void
): () => void => {
  const batch = new Batch<O>(core, inputs, options, done)
  batch.pump()
  return () => batch.cancel()
}

class Batch<O> implements PendingSubmit {
  private readonly core: Engine
  private readonly inputs: ReadonlyArray<unknown>
  private readonly options: Submission.RawJobOptions | undefined
  private readonly done: (exit: Exit.Exit<Array<O>, BatchError<unknown>>) => void
  private readonly results: Array<O>
  private readonly jobs: Array<JobRecord | undefined>
  /** The next input to admit. */
  private next = 0
  private unsettled = 0
  private ended = false
  private waiting = false
  // What the pool's admission reads of this batch while it waits for room: its next job.
  input: unknown = undefined
  priority = 0
  extras: JobExtras | undefined = undefined

  constructor(
    core: Engine,
    inputs: ReadonlyArray<unknown>,
    options: Submission.RawJobOptions | undefined,
    done: (exit: Exit.Exit<Array<O>, BatchError<unknown>>) => void
  ) {
    this.core = core
    this.inputs = inputs
    this.options = options
    this.done = done
    this.results = new Array(inputs.length)
    this.jobs = new Array(inputs.length)
  }

  /** Admits inputs while the pool has room; then waits for room as one submitter. */
  pump(): void {
    const admission = this.core.admission
    while (!this.ended && this.next < this.inputs.length) {
      const input = this.inputs[this.next]
      const checked = Submission.prepare(this.core, input, this.options)
      if (Submission.isRefused(checked)) return this.fail(checked)
      const admitted = admission.tryAdmit(input, checked[0], checked[1])
      if (admitted instanceof JobRecord) this.watch(admitted)
      else if (admitted !== undefined) return this.fail(admitted)
      else return this.waitForRoom(input, checked)
    }
    this.finishIfDone()
  }

  admitted(job: JobRecord): void {
    this.waiting = false
    this.watch(job)
    this.pump()
  }

  rejected(error: PoolClosed): void {
    this.waiting = false
    this.fail(error)
  }

  cancel(): void {
    if (this.ended) return
    this.ended = true
    this.stop()
  }

  private waitForRoom(input: unknown, [priority, extras]: Submission.Checked): void {
    this.input = input
    this.priority = priority
    this.extras = extras
    this.waiting = true
    this.core.admission.wait(this)
  }

  private watch(job: JobRecord): void {
    const i = this.next++
    this.jobs[i] = job
    this.unsettled++
    job.observe((exit) => this.settled(i, exit))
  }

  private settled(i: number, exit: JobExit): void {
    this.jobs[i] = undefined
    this.unsettled--
    if (this.ended) return
    if (Exit.isFailure(exit)) return this.fail(exit.cause.reasons.find(Cause.isFailReason)?.error ?? Cause.squash(exit.cause))
    this.results[i] = exit.value as O
    this.finishIfDone()
  }

  private finishIfDone(): void {
    if (this.ended || this.unsettled > 0 || this.next < this.inputs.length) return
    this.ended = true
    this.done(Exit.succeed(this.results))
  }

  // The first failure ends the batch: what is still queued or running is cancelled.
  private fail(error: unknown): void {
    if (this.ended) return
    this.ended = true
    this.stop()
    this.done(Exit.fail(error as BatchError<unknown>))
  }

  // Queued jobs first: a lane freed by cancelling a running job would take the next one.
  private stop(): void {
    if (this.waiting) this.core.admission.withdraw(this)
    for (const job of this.jobs) if (job !== undefined && job.state === "queued") this.core.cancel(job)
    for (const job of this.jobs) if (job !== undefined) this.core.cancel(job)
  }
}
