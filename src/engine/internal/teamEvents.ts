// What a team supervisor reports: the inspection events a pool publishes,
// and the log lines of its decisions (through Effect's Logger: scaling and
// retirement at Debug, crashes and escalations at Info and Warn).
import { Context, Effect, LogLevel, References } from "effect"
import type { TeamEvent } from "../../supervision/internal/team.ts"
import type { InspectionEvent } from "../Inspection.ts"
import type { Counters } from "./counters.ts"

/** What a team report touches in its pool's engine. */
export interface Reported {
  readonly name: string
  readonly context: Context.Context<never>
  readonly counters: Counters
  readonly rateLimit: { readonly wake: () => void }
  readonly team: { readonly live: { readonly size: number } }
  readonly admission: { readonly queued: number }
  readonly now: () => number
  readonly publish: (event: InspectionEvent) => void
  /** Who hears the team's decisions alone (a dashboard), without the stream of every worker transition. */
  readonly decisionListeners: ReadonlySet<(event: InspectionEvent) => void>
}

/** A team event, counted, published and logged. */
export const reported = (pool: Reported, event: TeamEvent): void => {
  if (event._tag === "Spawned") pool.counters.spawned(event.reason)
  else if (event._tag === "Retired") {
    pool.counters.add("retired")
    if (event.draining) pool.rateLimit.wake() // its lanes waiting for a permit end now
  }
  const inspection = inspectionOf(event, pool.name, pool.now())
  pool.publish(inspection)
  for (const listener of pool.decisionListeners) listener(inspection)
  log(event, { pool: pool.name, context: pool.context, team: pool.team.live.size, queued: pool.admission.queued })
}

/** Where a decision happened: the pool, its team and its queue now. */
export interface Situation {
  readonly pool: string
  readonly context: Context.Context<never>
  readonly team: number
  readonly queued: number
}

const levelOf = (event: TeamEvent): LogLevel.Severity =>
  event._tag === "Escalated" ? "Warn" : event._tag === "Crashed" ? "Info" : "Debug"

const lineOf = (event: TeamEvent, s: Situation): string => {
  switch (event._tag) {
    case "Spawned":
      return event.reason === "scaleUp"
        ? `scale up: worker ${event.worker.id} started (${event.detail ?? "policy"}); ${s.team} workers, ${s.queued} jobs queued`
        : event.reason === "replacement"
        ? `restart: worker ${event.worker.id} started in place of worker ${event.replaces}; ${s.team} workers`
        : `worker ${event.worker.id} started (the team's floor); ${s.team} workers`
    case "Retired":
      return `scale down: worker ${event.worker.id} retired (${event.reason}); ${s.team} workers, ${s.queued} jobs queued`
    case "Crashed":
      return `worker ${event.worker.id} crashed (${event.reason}); ${event.redispatched} of its queued jobs sent to others`
    case "Escalated":
      return `escalated after ${event.restarts} restarts: ${event.escalation.reason}; the team stops`
  }
}

/**
 * Logs a team decision with the numbers behind it, annotated with the pool,
 * its team size and queue. Nothing is built when the level is below the
 * minimum in the pool's context (where `Pool.make` ran).
 */
export const log = (event: TeamEvent, s: Situation): void => {
  const level = levelOf(event)
  if (!LogLevel.isGreaterThanOrEqualTo(level, Context.get(s.context, References.MinimumLogLevel))) return
  const annotations = { "troupe.pool": s.pool, "troupe.event": event._tag, "troupe.team": s.team, "troupe.queued": s.queued }
  Effect.runSyncWith(s.context)(Effect.logWithLevel(level)(lineOf(event, s)).pipe(Effect.annotateLogs(annotations)))
}

export const inspectionOf = (event: TeamEvent, pool: string, at: number): InspectionEvent => {
  switch (event._tag) {
    case "Spawned": {
      const { worker, reason, replaces, detail } = event
      return { type: "@troupe.worker.spawned", pool, workerId: worker.id, reason, replaces, detail, at }
    }
    case "Retired":
      return { type: "@troupe.worker.retired", pool, workerId: event.worker.id, reason: event.reason, at }
    case "Crashed":
      return { type: "@troupe.worker.crashed", pool, workerId: event.worker.id, reason: event.reason, redispatched: event.redispatched, at }
    case "Escalated": {
      const { workerId, reason } = event.escalation
      return { type: "@troupe.pool.escalated", pool, workerId, reason, restarts: event.restarts, at }
    }
  }
}
