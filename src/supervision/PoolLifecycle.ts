/**
 * The lifecycle of a pool, as an XState machine: it starts once and stops once.
 *
 * ```
 * starting ─STARTED─► running ─SHUTDOWN─► draining ─STOPPED─► stopped
 * ```
 *
 * A second `SHUTDOWN` is ignored by the machine, which is what makes a second
 * shutdown a no-op.
 *
 * @since 0.1.0
 */
import { setup } from "xstate"

/**
 * @category models
 * @since 0.1.0
 */
export type PoolState = "starting" | "running" | "draining" | "stopped"

/**
 * @category models
 * @since 0.1.0
 */
export type PoolEvent = { readonly type: "STARTED" } | { readonly type: "SHUTDOWN" } | { readonly type: "STOPPED" }

/**
 * @category machines
 * @since 0.1.0
 */
export const machine = setup({
  types: { events: {} as PoolEvent }
}).createMachine({
  id: "troupe.pool",
  initial: "starting",
  states: {
    starting: { on: { STARTED: "running", STOPPED: "stopped" } },
    running: { on: { SHUTDOWN: "draining" } },
    draining: { on: { STOPPED: "stopped" } },
    stopped: { type: "final" }
  }
})
