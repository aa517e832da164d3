/**
 * The pure decisions of a supervisor, after OTP's `supervisor.erl`: whether a
 * child that exited is restarted, which children a restart takes with it,
 * and whether restarts have come too fast (the restart intensity). Plain
 * data in, plain data out: unit- and property-tested without fibers.
 *
 * @since 0.1.0
 */

/**
 * How a supervisor restarts children (OTP's strategies).
 *
 * - `oneForOne`: only the child that exited.
 * - `oneForAll`: every child (they depend on each other).
 * - `restForOne`: the child that exited and every child started after it.
 *
 * @category models
 * @since 0.1.0
 */
export type Strategy = "oneForOne" | "oneForAll" | "restForOne"

/**
 * Whether a child is restarted when it exits (OTP's restart types).
 *
 * - `permanent`: always.
 * - `transient`: only when it failed or died, not when it ended normally or was interrupted.
 * - `temporary`: never.
 *
 * @category models
 * @since 0.1.0
 */
export type RestartType = "permanent" | "transient" | "temporary"

/**
 * Why a child exited: its effect succeeded (`normal`), failed with a typed
 * error (`failure`), died (`defect`), or was interrupted (`interruption`,
 * OTP's `shutdown`).
 *
 * @category models
 * @since 0.1.0
 */
export type ExitReason = "normal" | "failure" | "defect" | "interruption"

/**
 * @category decisions
 * @since 0.1.0
 */
export const shouldRestart = (restart: RestartType, reason: ExitReason): boolean =>
  restart === "permanent" || (restart === "transient" && (reason === "failure" || reason === "defect"))

/**
 * The children to restart, in start order, when the child at `failed` exits.
 *
 * @category decisions
 * @since 0.1.0
 */
export const plan = <A>(strategy: Strategy, failed: number, children: ReadonlyArray<A>): ReadonlyArray<A> =>
  strategy === "oneForOne" ? children.slice(failed, failed + 1)
  : strategy === "oneForAll" ? children
  : children.slice(failed)

/**
 * Restart intensity: at most `intensity` restarts within `period` (OTP
 * defaults: 1 in 5 seconds).
 *
 * @category models
 * @since 0.1.0
 */
export interface Intensity {
  readonly intensity: number
  readonly periodMs: number
}

/**
 * OTP's defaults: 1 restart in 5 seconds.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultIntensity: Intensity = { intensity: 1, periodMs: 5_000 }

/**
 * Records a restart at `now` in a window of earlier restart times. Times
 * older than the period fall out. `exceeded` is true when the window now
 * holds more than `intensity` restarts: the supervisor must give up and
 * escalate rather than restart.
 *
 * @category decisions
 * @since 0.1.0
 */
export const record = (
  window: ReadonlyArray<number>,
  now: number,
  limits: Intensity
): { readonly window: ReadonlyArray<number>; readonly exceeded: boolean } => {
  const kept = [now, ...window.filter((t) => now - t < limits.periodMs)]
  return { window: kept, exceeded: kept.length > limits.intensity }
}
