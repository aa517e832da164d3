/**
 * The lifecycle of a supervisor, as an XState machine.
 *
 * ```
 * starting ─STARTED─► running ─SHUTDOWN─► draining ─STOPPED─► stopped
 *     └──────────────────┴─ESCALATE─► escalated (restart intensity exceeded)
 * ```
 *
 * @since 0.1.0
 */
import { setup } from "xstate"

/**
 * @category models
 * @since 0.1.0
 */
export type SupervisorState = "starting" | "running" | "draining" | "stopped" | "escalated"

/**
 * @category models
 * @since 0.1.0
 */
export type SupervisorEvent =
  | { readonly type: "STARTED" }
  | { readonly type: "SHUTDOWN" }
  | { readonly type: "STOPPED" }
  | { readonly type: "ESCALATE" }

/**
 * @category machines
 * @since 0.1.0
 */
export const machine = setup({ types: { events: {} as SupervisorEvent } }).createMachine({
  id: "troupe.supervisor",
  initial: "starting",
  states: {
    starting: { on: { STARTED: "running", ESCALATE: "escalated", SHUTDOWN: "draining" } },
    running: { on: { SHUTDOWN: "draining", ESCALATE: "escalated" } },
    draining: { on: { STOPPED: "stopped" } },
    stopped: { type: "final" },
    escalated: { type: "final" }
  }
})
