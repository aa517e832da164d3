// What a `Pool` value is behind its public interface: the engine's core, the
// team's supervisor, and the shutdown once one has begun. Pool.ts and
// PromisePool.ts both reach the core through it.
import { pipeArguments } from "effect/Pipeable"
import type { TeamSupervisor } from "../../supervision/internal/team.ts"
import type { PoolCore } from "./poolCore.ts"
import type { Shutdown } from "./shutdown.ts"

export const TypeId = "~troupe/Pool" as const

export class PoolImpl {
  readonly [TypeId] = undefined as any
  readonly core: PoolCore
  readonly supervisor: TeamSupervisor
  shutdown: Shutdown | undefined = undefined
  constructor(core: PoolCore, supervisor: TeamSupervisor) {
    this.core = core
    this.supervisor = supervisor
  }
  get name(): string {
    return this.core.name
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
}

export const impl = (pool: unknown): PoolImpl => pool as PoolImpl
