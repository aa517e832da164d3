/**
 * Thread handlers: jobs that run on Node worker threads.
 *
 * A thread handler is defined in a module of its own, which each thread
 * loads. Give it to `Pool.make` as the `handler` and the pool's workers are
 * threads; everything else (submit, mailboxes, dispatch, scaling,
 * supervision, shutdown) is the same as for fiber workers.
 *
 * This module loads nothing at run time (only types), so a thread that
 * imports it boots as fast as the handler's own imports allow.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"

const TypeId = "~troupe/Thread/Handler" as const

/**
 * Schemas for what crosses the thread boundary. Each one left out is sent by
 * structured clone: fine for plain data, but class instances (a tagged error,
 * a `Date` subclass) arrive as plain objects without their prototype.
 *
 * @category models
 * @since 0.2.0
 */
export interface Schemas<I, O, E> {
  readonly input?: Schema.Codec<I, unknown>
  readonly success?: Schema.Codec<O, unknown>
  readonly failure?: Schema.Codec<E, unknown>
}

/**
 * A job handler that runs on worker threads.
 *
 * @category models
 * @since 0.2.0
 */
export interface Handler<in I, out O, out E = never> {
  readonly [TypeId]: typeof TypeId
  /** The module that exports this handler: what each thread imports. */
  readonly module: string
  readonly schemas: Schemas<any, any, any>
  /**
   * Returns an Effect (typed failures cross as `E`), a Promise (what it
   * rejects with crosses as `E`), or a plain value. A throw is a defect.
   */
  readonly handle: (input: I) => Effect.Effect<O, E> | PromiseLike<O> | O
}

/**
 * Defines a thread handler. Call it in the module that exports the handler,
 * passing that module's `import.meta.url`: it is where each thread loads the
 * handler from.
 *
 * **Example**
 *
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Thread } from "troupe"
 *
 * export const sumTo = Thread.handler(import.meta.url, (n: number) => {
 *   let sum = 0
 *   for (let i = 1; i <= n; i++) sum += i
 *   return Effect.succeed(sum)
 * })
 * ```
 *
 * Import subpaths (`effect/Effect`, `effect/Schema`) in a handler module
 * rather than the `effect` barrel: each thread loads the module, and the
 * barrel takes a few hundred milliseconds more to load.
 *
 * @category constructors
 * @since 0.2.0
 */
export const handler: {
  <I, O, E = never>(module: string | URL, handle: (input: I) => Effect.Effect<O, E>): Handler<I, O, E>
  <I, O>(module: string | URL, handle: (input: I) => PromiseLike<O> | O): Handler<I, O, unknown>
  <I, O, E = never>(module: string | URL, schemas: Schemas<I, O, E>, handle: (input: I) => Effect.Effect<O, E>): Handler<I, O, E>
  <I, O, E = unknown>(module: string | URL, schemas: Schemas<I, O, E>, handle: (input: I) => PromiseLike<O> | O): Handler<I, O, E>
} = (module: string | URL, ...rest: Array<any>): Handler<any, any, any> => ({
  [TypeId]: TypeId,
  module: String(module),
  schemas: rest.length === 2 ? rest[0] : {},
  handle: rest.length === 2 ? rest[1] : rest[0]
})

/**
 * @category guards
 * @since 0.2.0
 */
export const isHandler = (u: unknown): u is Handler<unknown, unknown, unknown> =>
  typeof u === "object" && u !== null && (u as Record<string, unknown>)[TypeId] === TypeId
