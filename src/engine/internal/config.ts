// What a pool's engine runs by: its decoded options and what follows from
// them (the strategies made from their names, which jobs carry extras), worked
// out once when the pool is made. Durations are milliseconds already: the
// option schemas decode them.
import { Duration, type Exit, Schema } from "effect"
import type * as Thread from "../../actors/Thread.ts"
import { maxWindow } from "../../actors/internal/threadWindow.ts"
import { type RetryPolicy, toRetryPolicy } from "../../job/internal/retryState.ts"
import * as Dispatch from "../../strategies/Dispatch.ts"
import * as Mailbox from "../../strategies/Mailbox.ts"
import * as Scaling from "../../strategies/Scaling.ts"
import type { Decoded } from "../PoolOptions.ts"

/** A pool of thread workers: its handler, and the name its module exports it under. */
export interface ThreadSetup {
  readonly handler: Thread.Handler<unknown, unknown, unknown>
  readonly exportName: string
}

export interface Config {
  readonly name: string
  readonly options: Decoded
  readonly thread: ThreadSetup | undefined
  /** Jobs one worker runs at once, as scaling counts them: `concurrency`, else 1. */
  readonly concurrency: number
  /** A worker's lanes: `concurrency`, or a thread pool's adaptive window's ceiling. */
  readonly lanes: number
  /** Thread workers size their window by their jobs' time (a thread pool given no `concurrency`). */
  readonly adaptiveWindow: boolean
  readonly mailboxKind: Mailbox.MailboxKind
  readonly dispatch: Dispatch.Dispatch
  /** Work stealing is on: an idle lane may take jobs from another worker's mailbox. */
  readonly steals: boolean
  /** With work stealing, the most jobs one worker's mailbox holds (Infinity: no limit). */
  readonly localCapacity: number
  readonly capacity: number
  readonly scaling: Scaling.Scaling
  readonly idleTimeoutMs: number
  /** A job's run timeout unless it sets its own (Infinity: none). */
  readonly timeoutMs: number
  /** A job's queue-wait limit unless it sets its own (Infinity: none). */
  readonly queueTimeoutMs: number
  /** Every job's retry policy unless it sets its own. */
  readonly retryPolicy: RetryPolicy | undefined
  /** Jobs carry their submission time (aging reads it; dead letters report it). */
  readonly timesJobs: boolean
  /** Every job carries extras (a default timeout, an encoded input, a submission time): no fast path for plain jobs. */
  readonly jobsCarryExtras: boolean
  /** Encodes a job's input for its thread, by the handler's input schema. */
  readonly encodeInput: ((input: unknown) => Exit.Exit<unknown, Schema.SchemaError>) | undefined
}

export const make = (options: Decoded, thread: ThreadSetup | undefined): Config => {
  const mailboxKind = Mailbox.fromOption(options.mailbox)
  const dispatch = Dispatch.fromOption(options.dispatch)
  const scaling = Scaling.fromOption(options.scaling)
  const retryPolicy = options.retry && toRetryPolicy(options.retry)
  const inputSchema = thread?.handler.schemas.input
  const encodeInput = inputSchema && Schema.encodeUnknownExit(inputSchema)
  const timeoutMs = options.timeout ?? Infinity
  const queueTimeoutMs = options.queueTimeout ?? Infinity
  const timesJobs = mailboxKind.timesJobs === true || retryPolicy !== undefined || options.shutdown.queued === "deadLetter"
  const steals = dispatch.steal !== undefined
  const adaptiveWindow = thread !== undefined && options.concurrency === undefined
  return {
    name: options.name,
    options,
    thread,
    concurrency: options.concurrency ?? 1,
    lanes: adaptiveWindow ? maxWindow : options.concurrency ?? 1,
    adaptiveWindow,
    mailboxKind,
    dispatch,
    steals,
    localCapacity: steals ? dispatch.localCapacity ?? Infinity : Infinity,
    capacity: options.capacity === "unbounded" ? Infinity : options.capacity,
    scaling,
    idleTimeoutMs: scaling.idleTimeout === undefined ? Infinity : Duration.toMillis(scaling.idleTimeout),
    timeoutMs,
    queueTimeoutMs,
    retryPolicy,
    timesJobs,
    jobsCarryExtras: encodeInput !== undefined || timeoutMs !== Infinity || timesJobs || queueTimeoutMs !== Infinity,
    encodeInput
  }
}
