/**
 * A job type, declared once: a name, Schemas for its input, success and
 * error, and its handler. It runs in a local pool (`Pool.make({ handler:
 * type.handler })`) or, through `troupe/Cluster`, on runner processes that
 * share a database, where the Schemas carry its jobs and results between
 * processes.
 *
 * @since 0.5.0
 */
import { type Effect, Schema } from "effect"
import type * as Thread from "../actors/Thread.ts"

/** @category models */
export interface JobType<
  Name extends string,
  In extends Schema.Top,
  Out extends Schema.Top,
  Err extends Schema.Top,
  R = never
> {
  readonly name: Name
  readonly input: In
  readonly success: Out
  readonly error: Err
  /** A function run on a fiber, or a `Thread.handler` run on worker threads (CPU-bound jobs). */
  readonly handler: Handler<In, Out, Err, R>
}

/** @category models */
export type Handler<In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R> =
  | ((input: In["Type"]) => Effect.Effect<Out["Type"], Err["Type"], R>)
  | Thread.Handler<In["Type"], Out["Type"], Err["Type"]>

/** @category models */
export type Any = JobType<string, Schema.Top, Schema.Top, Schema.Top, any>

/**
 * Declares a job type. The name identifies its jobs across processes: two
 * programs that mean the same job type give the same name.
 *
 * @category constructors
 */
export const make = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top = typeof Schema.Never, R = never>(
  name: Name,
  options: {
    readonly input: In
    readonly success: Out
    readonly error?: Err | undefined
    readonly handler: Handler<In, Out, Err, R>
  }
): JobType<Name, In, Out, Err, R> => ({
  name,
  input: options.input,
  success: options.success,
  error: options.error ?? (Schema.Never as unknown as Err),
  handler: options.handler
})
