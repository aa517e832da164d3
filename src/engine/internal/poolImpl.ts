// What a `Pool` value is behind its public interface: the engine's core, the
// team's supervisor, and the pool's own procedures that other layers reach
// through protocols (a supervision tree supervises it as a `Supervisable`).
// Pool.ts and PromisePool.ts reach the core through it.
import { Effect, Exit } from "effect"
import { pipeArguments } from "effect/Pipeable"
import { SupervisableTypeId } from "../../supervision/Supervisor.ts"
import type { TeamSupervisor } from "../../supervision/internal/team.ts"
import { PoolClosed, PoolEscalated } from "../PoolError.ts"
import type { PoolCore } from "./poolCore.ts"
import { Shutdown, type ShutdownReport, type Terms } from "./shutdown.ts"
import * as Durations from "../../shared/durations.ts"

export const TypeId = "~troupe/Pool" as const

export class PoolImpl {
  readonly [TypeId] = undefined as any
  readonly core: PoolCore
  readonly supervisor: TeamSupervisor
  private shutdown: Shutdown | undefined = undefined

  constructor(core: PoolCore, supervisor: TeamSupervisor) {
    this.core = core
    this.supervisor = supervisor
  }

  get name(): string {
    return this.core.name
  }

  get [SupervisableTypeId]() {
    return { supervise: this.supervise, stop: Effect.asVoid(this.shutdownWith(this.defaultTerms())) }
  }

  /** The pool's own `shutdown` option, as terms. */
  defaultTerms(): Terms {
    const { deadline, queued } = this.core.options.shutdown
    return { deadlineMs: Durations.toMillis(deadline)!, queued }
  }

  /** Starts the shutdown with `terms`, or amends the one under way; waits for its report. */
  shutdownWith(terms: Terms): Effect.Effect<ShutdownReport<unknown>> {
    return Effect.suspend(() => {
      if (this.shutdown === undefined) this.shutdown = new Shutdown(this.core, terms)
      else this.shutdown.amend(terms)
      return this.shutdown.await
    })
  }

  // Runs while the team does, for a supervision tree (see `Pool.supervise`).
  readonly supervise: Effect.Effect<never, PoolEscalated | PoolClosed> = Effect.callback<never, PoolEscalated | PoolClosed>((resume) => {
    const { core, supervisor } = this
    if (core.phase !== "running") return resume(Exit.fail(new PoolClosed({ pool: core.name })))
    core.supervisedBy = (escalation) => {
      core.supervisedBy = undefined
      resume(Exit.fail(new PoolEscalated({ pool: core.name, ...escalation })))
    }
    supervisor.startTeam()
    return Effect.sync(() => {
      core.supervisedBy = undefined
      if (core.phase === "running") supervisor.stopTeam("stopped by its supervisor")
    })
  })

  pipe() {
    return pipeArguments(this, arguments)
  }
}

export const impl = (pool: unknown): PoolImpl => pool as PoolImpl
