// What a team supervisor reports, as the inspection events a pool publishes.
import type { TeamEvent } from "../../supervision/internal/team.ts"
import type { InspectionEvent } from "../Inspection.ts"

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
