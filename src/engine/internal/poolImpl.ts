// What a `Pool` value is behind its public interface: its engine, and the
// pool's own procedures that other layers reach through protocols (a
// supervision tree supervises it as a `Supervisable`). Pool.ts and
// PromisePool.ts reach the engine through it.
import { Effect, Exit } from "effect"
import { pipeArguments } from "effect/Pipeable"
import { SupervisableTypeId } from "../../supervision/Supervisor.ts"
import type { Escalation } from "../../supervision/internal/team.ts"
import { PoolClosed, PoolEscalated } from "../PoolError.ts"
import type { Config } from "./config.ts"
import { Engine, type EngineParts } from "./engine.ts"
import type { ShutdownReport, Terms } from "./shutdown.ts"

export const TypeId = "~troupe/Pool" as const

export class PoolImpl {
  readonly [TypeId] = undefined as any
  readonly core: Engine
  /** Set while a supervision tree supervises this pool: where an escalation goes. */
  private supervisedBy: ((escalation: Escalation) => void) | undefined = undefined

  constructor(config: Config, parts: Omit<EngineParts, "escalated">) {
    this.core = new Engine(config, { ...parts, escalated: (escalation) => this.escalated(escalation) })
  }

  get name(): string {
    return this.core.name
  }

  get [SupervisableTypeId]() {
    return { supervise: this.supervise, stop: Effect.asVoid(this.shutdownWith(this.defaultTerms())) }
  }

  /** The pool's own `shutdown` option, as terms. */
  defaultTerms(): Terms {
    const { deadline, queued } = this.core.config.options.shutdown
    return { deadlineMs: deadline, queued }
  }

  /** Starts the shutdown with `terms`, or amends the one under way; waits for its report. */
  shutdownWith(terms: Terms): Effect.Effect<ShutdownReport<unknown>> {
    return Effect.suspend(() => this.core.shutdownWith(terms))
  }

  // Runs while the team does, for a supervision tree (see `Pool.supervise`).
  readonly supervise: Effect.Effect<never, PoolEscalated | PoolClosed> = Effect.callback<never, PoolEscalated | PoolClosed>((resume) => {
    const { core } = this
    if (core.phase !== "running") return resume(Exit.fail(new PoolClosed({ pool: core.name })))
    this.supervisedBy = (escalation) => {
      this.supervisedBy = undefined
      resume(Exit.fail(new PoolEscalated({ pool: core.name, ...escalation })))
    }
    core.team.startTeam()
    return Effect.sync(() => {
      this.supervisedBy = undefined
      if (core.phase === "running") core.team.stopTeam("stopped by its supervisor")
    })
  })

  // A team that crashes faster than its restart intensity shuts its pool
  // down, unless a supervision tree supervises the pool: then the tree decides.
  private escalated(escalation: Escalation): void {
    if (this.supervisedBy !== undefined) return this.supervisedBy(escalation)
    Effect.runForkWith(this.core.context)(this.shutdownWith(this.defaultTerms()))
  }

  pipe() {
    return pipeArguments(this, arguments)
  }
}

export const impl = (pool: unknown): PoolImpl => pool as PoolImpl
