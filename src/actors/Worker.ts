/**
 * What a job can know about the worker running it.
 *
 * @since 0.1.0
 */
import { Context } from "effect"

/**
 * The id of the worker running the current job; `undefined` outside a pool.
 * Read it in a handler to log or trace which worker ran what.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Worker } from "troupe"
 *
 * const handler = (n: number) =>
 *   Effect.gen(function*() {
 *     const workerId = yield* Worker.CurrentWorkerId
 *     yield* Effect.log(`job ${n} on worker ${workerId}`)
 *     return n
 *   })
 * ```
 *
 * @category references
 * @since 0.1.0
 */
export const CurrentWorkerId = Context.Reference<number | undefined>("troupe/CurrentWorkerId", {
  defaultValue: () => undefined
})
