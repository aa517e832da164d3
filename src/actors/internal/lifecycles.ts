// The lifecycle machines of one pool's workers, run as child actors of a few
// shared XState systems. A root actor brings a system of its own (maps, a
// scheduler, a dozen closures), which cost more heap than the machine it runs
// (~2,700 of ~4,900 bytes a worker) and half its spawn time. One clock bridge
// and one inspection callback serve every worker: the callback finds the
// worker by its actor. A system holds at most `perSystem` workers: XState
// cancels a stopping actor's timers by scanning every timer in its system, so
// one system for thousands of idle workers (each with its idle timer) would
// make their shutdown quadratic (7 s for 10,000).
//
// Each actor starts from the machine's initial snapshot, worked out once per
// pool with the worker's id put in: working it out (the machine's initial
// microsteps) took two thirds of making an actor. Only while the initial state
// has no actions to run, which restoring a snapshot would skip.
import type { Context } from "effect"
import { type Actor, type ActorRefLike, type AnyActorRef, createActor, fromCallback, initialTransition, type Snapshot } from "xstate"
import { onStateChanges, type StateListener } from "../../shared/stateChanges.ts"
import * as XStateClock from "../../shared/xstateClock.ts"
import type * as WorkerLifecycle from "../WorkerLifecycle.ts"

const perSystem = 32

/** One worker's lifecycle actor. */
export type LifecycleActor = Actor<typeof WorkerLifecycle.machine>

/** What hears one worker's lifecycle: its state changes, and each run-out of its idle timer. */
export interface LifecycleListener extends StateListener<WorkerLifecycle.WorkerState> {
  /** The machine's idle timer ran out: the worker has been idle a whole idle timeout, by that timer. */
  idleTimedOut(): void
}

/** A persisted snapshot of the machine, as XState restores one. */
type Initial = Snapshot<unknown> & { readonly context: WorkerLifecycle.WorkerContext }

export class Lifecycles {
  private readonly machine: typeof WorkerLifecycle.machine
  /** How long a worker stays idle before its machine's idle timer runs out (and again each such period). */
  readonly idleTimeoutMs: number
  /** The machine's initial snapshot for this pool, persisted (undefined: its initial state runs actions). */
  private readonly initial: Initial | undefined
  private readonly clock: XStateClock.XStateClock
  private readonly listeners = new WeakMap<ActorRefLike, LifecycleListener>()
  private readonly inspect = onStateChanges((actor) => this.listeners.get(actor))
  /** The root of the system new actors join, and how many have joined it. */
  private root: AnyActorRef | undefined = undefined
  private joined = 0

  /** `idleTimedOut`: a worker's idle timer ran out (after its listener heard it): its supervisor may retire it. */
  constructor(machine: typeof WorkerLifecycle.machine, context: Context.Context<never>, idleTimeoutMs: number, idleTimedOut: () => void) {
    const timedOut = ({ self }: { readonly self: ActorRefLike }) => {
      this.listeners.get(self)?.idleTimedOut()
      idleTimedOut()
    }
    this.machine = machine.provide({ actions: { idleTimedOut: timedOut } })
    this.idleTimeoutMs = idleTimeoutMs
    this.clock = XStateClock.fromContext(context)
    const [snapshot, actions] = initialTransition(this.machine, { workerId: 0, idleTimeoutMs })
    this.initial = actions.length > 0 ? undefined : (this.machine.getPersistedSnapshot(snapshot) as Initial)
  }

  /** A lifecycle actor for worker `workerId` (not started yet); `listener` hears its state changes. */
  make(workerId: number, listener: LifecycleListener): LifecycleActor {
    if (this.root === undefined || this.joined === perSystem) {
      // The root only holds the system: it ignores what its children tell it (that they are done).
      this.root = createActor(fromCallback(() => {}), { clock: this.clock, inspect: this.inspect }).start()
      this.joined = 0
    }
    this.joined++
    const input = { workerId, idleTimeoutMs: this.idleTimeoutMs }
    const snapshot = this.initial && withId(this.initial, workerId)
    const actor = createActor(this.machine, snapshot === undefined ? { input, parent: this.root } : { input, snapshot, parent: this.root })
    this.listeners.set(actor, listener)
    return actor
  }
}

const withId = (initial: Initial, workerId: number): Snapshot<unknown> => ({ ...initial, context: { ...initial.context, workerId } }) as unknown as Snapshot<unknown>
