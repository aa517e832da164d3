// The front door for one job, shared by the Effect API (`Pool.submit`,
// `Pool.fork`) and the Promise API (`PromisePool.run`): its options and input
// are checked before it is admitted (a bad one fails the submit and the pool
// never holds it), then it is admitted now or waits for room.
import { Cause, Effect, Exit } from "effect"
import { InvalidInput, InvalidOptions, type MailboxFull, type PoolClosed } from "../PoolError.ts"
import * as PoolOptions from "../PoolOptions.ts"
import { JobRecord, type JobExtras } from "../../job/internal/jobRecord.ts"
import type { PendingSubmit } from "./admission.ts"
import type { Engine } from "./engine.ts"
import { toRetryPolicy } from "../../job/internal/retryState.ts"

/** A job's options (see `Pool.JobOptions`), as given: checked here. */
export interface RawJobOptions {
  readonly queueTimeout?: unknown
  readonly retry?: unknown
  readonly priority?: unknown
  readonly timeout?: unknown
  readonly key?: unknown
}

/** What admission needs of a checked job. */
export type Checked = readonly [priority: number, extras: JobExtras | undefined]

/** A plain job (no options, a fiber pool without a default timeout): nothing to check or carry. */
const plainJob: Checked = [0, undefined]


/** Checks a job's options and input: what to admit it with, or why it cannot be. */
export const prepare = (
  core: Engine,
  input: unknown,
  raw: RawJobOptions | undefined
): Checked | InvalidOptions | InvalidInput => {
  const config = core.config
  if (raw === undefined && !config.jobsCarryExtras) return plainJob
  let options: typeof PoolOptions.JobOptions.Type = noOptions
  if (raw !== undefined) {
    const decoded = decodeJobOptions(raw)
    if (Exit.isFailure(decoded)) return decoded.cause.reasons.find(Cause.isFailReason)!.error
    options = decoded.value
  }
  const timeoutMs = options.timeout ?? config.timeoutMs
  const queueTimeoutMs = options.queueTimeout ?? config.queueTimeoutMs
  const key = options.key
  const retry = options.retry === undefined ? config.retryPolicy : toRetryPolicy(options.retry)
  let payload = input
  if (config.encodeInput !== undefined) {
    const encoded = config.encodeInput(input)
    if (Exit.isFailure(encoded)) return new InvalidInput({ pool: core.name, input, issue: issueOf(encoded.cause) })
    payload = encoded.value
  }
  const priority = options.priority ?? 0
  const submittedAt = config.timesJobs || retry !== undefined ? core.now() : undefined
  if (timeoutMs === Infinity && queueTimeoutMs === Infinity && payload === input && key === undefined && submittedAt === undefined) {
    return [priority, undefined]
  }
  return [priority, { payload, timeoutMs, queueTimeoutMs, submittedAt, key, retry, starts: 0, retryState: undefined }]
}

/** True when `prepare` refused the job. */
export const isRefused = (checked: Checked | InvalidOptions | InvalidInput): checked is InvalidOptions | InvalidInput =>
  !Array.isArray(checked) // not `instanceof`: the checked tuple is the common case

/**
 * One `Pool.submit` waiting for its job's outcome: one object holds what a
 * closure per step would (the admission, the wait for room, the outcome).
 * The outcome resumes the submitter from a scheduler task, not on the
 * settling worker's stack: under load a waiter wakes to a batch of settled
 * jobs instead of switching fibers once per job.
 */
export class Call implements PendingSubmit {
  readonly input: unknown
  readonly priority: number
  readonly extras: JobExtras | undefined
  private readonly core: Engine
  private readonly resume: (exit: Exit.Exit<unknown, unknown>) => void
  private job: JobRecord | undefined = undefined
  private waiting = false

  constructor(core: Engine, input: unknown, [priority, extras]: Checked, resume: (exit: Exit.Exit<unknown, unknown>) => void) {
    this.core = core
    this.input = input
    this.priority = priority
    this.extras = extras
    this.resume = resume
  }

  /** Admits the job, or waits for room; returns what interrupting the submitter does. */
  start(): Effect.Effect<void> {
    const admission = this.core.admission.tryAdmit(this.input, this.priority, this.extras)
    if (admission instanceof JobRecord) this.admitted(admission)
    else if (admission !== undefined) this.resume(Exit.fail(admission))
    else {
      this.waiting = true
      this.core.admission.wait(this)
    }
    return this.interrupted
  }

  admitted(job: JobRecord): void {
    this.waiting = false
    this.job = job
    job.observe(this.settled)
  }

  rejected(error: PoolClosed): void {
    this.waiting = false
    this.resume(Exit.fail(error))
  }

  private readonly settled = (): void => this.core.dispatcher.scheduleTask(this.wake, 0)

  private readonly wake = (): void => this.resume(this.job!.exit!)

  // The submitter was interrupted: a job still waiting for room is withdrawn,
  // an admitted one cancelled (it leaves its queue, or is interrupted).
  private get interrupted(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.waiting) return Effect.sync(() => this.core.admission.withdraw(this))
      const job = this.job
      if (job === undefined || job.exit !== undefined) return Effect.void
      job.unobserve(this.settled)
      return cancel(job)
    })
  }
}

/** Cancels a job and waits until it has settled. */
export const cancel = (job: JobRecord): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const unobserve = job.resumeWith(() => resume(Effect.void))
    job.owner.cancel(job)
    return Effect.sync(unobserve)
  })

/**
 * Admits a checked job now, or queues the submission until there is room
 * (`onFull: "suspend"`). `admitted` gets the job, `rejected` the reason it was
 * not accepted; one of them is called, at most once. Returns a withdraw for a
 * submission still waiting for room.
 */
export const admit = (
  core: Engine,
  input: unknown,
  [priority, extras]: Checked,
  admitted: (job: JobRecord) => void,
  rejected: (error: PoolClosed | MailboxFull) => void
): PendingSubmit | undefined => {
  const admission = core.admission.tryAdmit(input, priority, extras)
  if (admission instanceof JobRecord) return void admitted(admission)
  if (admission !== undefined) return void rejected(admission)
  return core.admission.wait({ input, priority, extras, admitted, rejected })
}

export const invalidOption = (field: string, value: unknown, message: string): InvalidOptions =>
  new InvalidOptions({ field, value, issues: [{ field, message }] })

const issueOf = (cause: Cause.Cause<unknown>): string => {
  const error = cause.reasons.find(Cause.isFailReason)?.error
  return error instanceof Error ? error.message : Cause.pretty(cause)
}

const decodeJobOptions = PoolOptions.decoder(PoolOptions.JobOptions)
const noOptions: typeof PoolOptions.JobOptions.Type = {}

/** A value as a message shows it: `NaN`, `{}`, `"soon"`. */
export const describe = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    try {
      return JSON.stringify(value)
    } catch {
      return String(value)
    }
  }
  return String(value)
}
