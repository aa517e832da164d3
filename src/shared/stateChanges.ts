// XState's inspection stream, narrowed to the state changes of one actor: how
// every lifecycle machine (worker, pool, supervisor) reports its transitions.
import type { ActorRefLike, AnyActorRef, InspectionEvent } from "xstate"

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

/** What hears one actor's state changes: the state it was last told, and each change. */
export interface StateListener<S extends string> {
  readonly state: S
  stateChanged(from: S, to: S, event: string): void
}

/**
 * An `inspect` callback for a system of many actors: `listenerOf` finds who
 * hears each one (none: its changes go unheard).
 */
export const onStateChanges =
  <S extends string>(listenerOf: (actor: ActorRefLike) => StateListener<S> | undefined) =>
  (event: InspectionEvent): void => {
    if (event.type !== "@xstate.snapshot") return
    const listener = listenerOf(event.actorRef)
    if (listener === undefined) return
    const to = (event.snapshot as unknown as { value: S }).value
    const from = listener.state
    if (to !== from) listener.stateChanged(from, to, event.event.type)
  }
