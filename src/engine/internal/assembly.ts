// How a pool is put together: options decoded, a thread handler's module
// found, the parts that are made with Effects (the event hub, the dead-letter
// queue, the rate limiter), the engine started in the caller's scope, its
// metrics registered, and, for thread workers, a first thread booted.
import { Context, Effect, Option, PubSub, Queue, type Scope } from "effect"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Thread from "../../actors/Thread.ts"
import type { DeadLetter } from "../DeadLetter.ts"
import type { InspectionEvent } from "../Inspection.ts"
import { InvalidOptions, PoolEscalated } from "../PoolError.ts"
import * as PoolOptions from "../PoolOptions.ts"
import * as Config from "./config.ts"
import * as Metrics from "./metrics.ts"
import { PoolImpl } from "./poolImpl.ts"

export const make = (options: unknown): Effect.Effect<PoolImpl, InvalidOptions | PoolEscalated, Scope.Scope> =>
  Effect.gen(function*() {
    const decoded = yield* PoolOptions.decode(options)
    const thread = Thread.isHandler(decoded.handler) ? yield* threadSetup(decoded.handler) : undefined
    const context = yield* Effect.context<never>()
    const pool = new PoolImpl(Config.make(decoded, thread), {
      context,
      hub: yield* PubSub.sliding<InspectionEvent>(decoded.inspectionBuffer),
      deadLetters: yield* Queue.sliding<DeadLetter<unknown, unknown>>(decoded.deadLetters.capacity),
      limiter: yield* limiterFor(context)
    })
    const core = pool.core
    const metrics = Metrics.register(core.name, core.counters, core.observe.timings, () => core.admission.queued, context)
    core.start()
    yield* Effect.addFinalizer(() => pool.shutdownWith(pool.defaultTerms()).pipe(Effect.ensuring(Effect.sync(metrics.remove))))
    if (thread !== undefined && decoded.minWorkers > 0) yield* teamUp(pool)
    return pool
  })

// The RateLimiter of the pool's context, if it has one (shared, e.g. through
// Redis, so pools of one name on many machines share a limit), or one of its own in memory.
const limiterFor = (context: Context.Context<never>): Effect.Effect<RateLimiter.RateLimiter> =>
  Option.match(Context.getOption(context, RateLimiter.RateLimiter), {
    onSome: Effect.succeed,
    onNone: () => RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
  })

// The module each thread loads must export the handler: find it under its name.
const threadSetup = (handler: Thread.Handler<unknown, unknown, unknown>): Effect.Effect<Config.ThreadSetup, InvalidOptions> =>
  Effect.tryPromise({
    try: () => import(handler.module) as Promise<Record<string, unknown>>,
    catch: (cause) => invalidHandler(handler, `its module ${handler.module} could not be loaded: ${String(cause)}`)
  }).pipe(
    Effect.flatMap((module) => {
      const exportName = Object.keys(module).find((key) => module[key] === handler)
      return exportName === undefined
        ? Effect.fail(invalidHandler(handler, `it must be exported by the module it names (${handler.module})`))
        : Effect.succeed({ handler, exportName })
    })
  )

const invalidHandler = (handler: unknown, message: string) =>
  new InvalidOptions({ field: "handler", value: handler, issues: [{ field: "handler", message }] })

// A thread pool is ready once a thread has booted. A module that cannot load
// in a thread crashes each one at boot: the restart intensity ends the
// attempts, and the pool fails to start with the reason.
const teamUp = (pool: PoolImpl): Effect.Effect<void, PoolEscalated> =>
  Effect.callback<void, PoolEscalated>((resume) => {
    const stop = pool.core.team.whenUp((escalation) =>
      resume(escalation === undefined ? Effect.void : Effect.fail(new PoolEscalated({ pool: pool.name, ...escalation })))
    )
    return Effect.sync(stop)
  })
