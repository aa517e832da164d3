// XState's inspection stream, narrowed to the state changes of one actor: how
// every lifecycle machine (worker, pool, supervisor) reports its transitions.
import type { AnyActorRef, InspectionEvent } from "xstate"

/**
 * An `inspect` callback that calls `changed` when `self`'s state value moves
 * away from `current()`, with the event that moved it.
 */
export const onStateChange =
  <S extends string>(self: () => AnyActorRef, current: () => S, changed: (from: S, to: S, event: string) => void) =>
  (event: InspectionEvent): void => {
    if (event.type !== "@xstate.snapshot" || event.actorRef !== self()) return
    const to = (event.snapshot as unknown as { value: S }).value
    const from = current()
    if (to !== from) changed(from, to, event.event.type)
  }
