/**
 * troupe: an actor-model worker-pool runtime for Effect.
 *
 * @since 0.1.0
 */
export * as DeadLetter from "./engine/DeadLetter.ts"
export * as Dispatch from "./strategies/Dispatch.ts"
export * as Inspection from "./engine/Inspection.ts"
export * as Job from "./Job.ts"
export * from "./job/JobError.ts"
export * as Mailbox from "./strategies/Mailbox.ts"
export * as Pool from "./Pool.ts"
export * from "./engine/PoolError.ts"
export * as PoolLifecycle from "./supervision/PoolLifecycle.ts"
export * as PoolOptions from "./engine/PoolOptions.ts"
export * as PromisePool from "./PromisePool.ts"
export * as Scaling from "./strategies/Scaling.ts"
export * as Thread from "./actors/Thread.ts"
export * as Timings from "./Timings.ts"
export * as Worker from "./actors/Worker.ts"
export * as WorkerLifecycle from "./actors/WorkerLifecycle.ts"
export * as Restart from "./supervision/Restart.ts"
export * as Supervisor from "./supervision/Supervisor.ts"
export * from "./supervision/SupervisorError.ts"
export * as SupervisorLifecycle from "./supervision/SupervisorLifecycle.ts"
