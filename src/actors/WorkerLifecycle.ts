/**
 * The lifecycle of one worker, as an XState machine: the truth about what a
 * worker may do next.
 *
 * ```
 * spawning ─READY─► idle ⇄ busy (BUSY / IDLE edges, not one event per job)
 *                    ↻ after idleTimeout: idleTimedOut (the supervisor may send RETIRE)
 *                    │       │
 *          RETIRE (idle only) │ DRAIN (spawning, idle or busy)
 *                    ▼       ▼
 *                  draining ─STOPPED─► stopped
 * any state but stopped ─CRASH─► crashed
 * ```
 *
 * Test it purely with XState's `transition(WorkerLifecycle.machine, snapshot, event)`.
 *
 * @since 0.1.0
 */
import { assign, setup } from "xstate"

/**
 * @category models
 * @since 0.1.0
 */
export type WorkerState = "spawning" | "idle" | "busy" | "draining" | "stopped" | "crashed"

/**
 * @category models
 * @since 0.1.0
 */
export type WorkerEvent =
  | { readonly type: "READY" }
  | { readonly type: "BUSY" }
  | { readonly type: "IDLE" }
  | { readonly type: "RETIRE" }
  | { readonly type: "DRAIN" }
  | { readonly type: "STOPPED" }
  | { readonly type: "CRASH"; readonly reason: string }

/**
 * @category models
 * @since 0.1.0
 */
export interface WorkerContext {
  readonly workerId: number
  readonly crashReason: string | undefined
  /** How long the worker may stay idle before `idleTimedOut` runs (and again each such period). */
  readonly idleTimeoutMs: number
}

/**
 * The longest delay a timer takes (about 24.8 days), standing for "never":
 * XState's default clock would turn Infinity into 1 ms.
 *
 * @category constants
 * @since 0.1.0
 */
export const neverMs = 2 ** 31 - 1

// Every live state may crash; final states may not (declared per state, so
// even XState's pure `transition` on a finished snapshot cannot leave it).
const crash = {
  target: "crashed",
  actions: assign<WorkerContext, WorkerEvent, undefined, WorkerEvent, never>({
    crashReason: ({ event }) => (event.type === "CRASH" ? event.reason : undefined)
  })
} as const

/**
 * The worker lifecycle machine. Its input is the worker's id.
 *
 * @category machines
 * @since 0.1.0
 */
export const machine = setup({
  types: {
    context: {} as WorkerContext,
    events: {} as WorkerEvent,
    input: {} as { readonly workerId: number; readonly idleTimeoutMs?: number }
  },
  actions: {
    /** Provided by the worker: tells its supervisor (which decides whether it retires). */
    idleTimedOut: () => {}
  },
  delays: {
    idleTimeout: ({ context }) => context.idleTimeoutMs
  }
}).createMachine({
  id: "troupe.worker",
  context: ({ input }) => ({
    workerId: input.workerId,
    crashReason: undefined,
    idleTimeoutMs: Math.min(input.idleTimeoutMs ?? neverMs, neverMs)
  }),
  initial: "spawning",
  states: {
    spawning: { on: { READY: "idle", DRAIN: "draining", STOPPED: "stopped", CRASH: crash } },
    idle: {
      on: { BUSY: "busy", RETIRE: "draining", DRAIN: "draining", CRASH: crash },
      // Each full idle period asks the supervisor again; leaving idle cancels the timer.
      after: { idleTimeout: { target: "idle", reenter: true, actions: "idleTimedOut" } }
    },
    busy: { on: { IDLE: "idle", DRAIN: "draining", CRASH: crash } },
    draining: { on: { STOPPED: "stopped", CRASH: crash } },
    stopped: { type: "final" },
    crashed: { type: "final" }
  }
})

/**
 * States in which a worker takes new jobs from the dispatcher.
 *
 * @category guards
 * @since 0.1.0
 */
export const acceptsJobs = (state: WorkerState): boolean => state === "idle" || state === "busy"
