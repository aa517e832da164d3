/**
 * Supervision trees, declared as data: supervisors whose children are scoped
 * effects (a pool, a server, any service that runs until it ends) or other
 * supervisors. Each supervisor is an actor: child exits arrive in its
 * mailbox and are handled one at a time by OTP's rules (see `Restart`).
 *
 * @since 0.1.0
 */
import { Cause, Clock, Context, Duration, Effect, Exit, Fiber, Layer, PubSub, Queue, Schedule, Stream, type Scope } from "effect"
import { type Actor, createActor } from "xstate"
import * as Durations from "../shared/durations.ts"
import * as Restart from "./Restart.ts"
import { SupervisorEscalated } from "./SupervisorError.ts"
import * as SupervisorLifecycle from "./SupervisorLifecycle.ts"
import { onStateChange } from "../shared/stateChanges.ts"
import * as XStateClock from "../shared/xstateClock.ts"

/**
 * A tree supervisor's lifecycle machine changed state.
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorTransition {
  readonly type: "@troupe.supervisor.transition"
  readonly supervisor: string
  readonly from: SupervisorLifecycle.SupervisorState
  readonly to: SupervisorLifecycle.SupervisorState
  readonly event: string
  readonly at: number
}

/**
 * A tree supervisor's child exited, and whether it was restarted (with the
 * children its strategy took with it).
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildExited {
  readonly type: "@troupe.supervisor.childExited"
  readonly supervisor: string
  readonly child: string
  readonly reason: Restart.ExitReason
  /** The children restarted because of it, in start order; empty when none. */
  readonly restarted: ReadonlyArray<string>
  readonly at: number
}

/**
 * What a supervision tree publishes (`tree.events`).
 *
 * @category models
 * @since 0.1.0
 */
export type TreeEvent = SupervisorTransition | ChildExited

/**
 * @category type ids
 * @since 0.4.0
 */
export const SupervisableTypeId = "~troupe/Supervisable" as const

/**
 * What a tree supervises as a child through {@link pool}: something that runs
 * while it is healthy (`supervise` fails when it gives up, and is interrupted
 * to stop it for a restart) and stops for good (`stop`) when the tree will
 * not run it again. A `Pool` is one.
 *
 * @category models
 * @since 0.4.0
 */
export interface Supervisable {
  readonly [SupervisableTypeId]: {
    readonly supervise: Effect.Effect<never, unknown>
    readonly stop: Effect.Effect<void>
  }
}

/**
 * A child: an effect that runs until it exits. Its scope closes when it exits
 * or is stopped, so whatever it acquired (a pool, a connection) is released.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSpec {
  readonly _tag: "Child"
  readonly id: string
  readonly run: Effect.Effect<unknown, unknown, Scope.Scope>
  readonly restart: Restart.RestartType
  /** How long the child gets to stop when interrupted (default 5 seconds). */
  readonly shutdown: Duration.Duration
  /** Runs when the child will not run again: not restarted, or its supervisor stopped. */
  readonly stoppedForGood: Effect.Effect<void>
}

/**
 * A supervisor and its children, started in order and stopped in reverse.
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorSpec {
  readonly _tag: "Supervisor"
  readonly id: string
  readonly strategy: Restart.Strategy
  readonly intensity: Restart.Intensity
  /** Delays between restarts (none by default); it starts over once restarts have calmed down. */
  readonly backoff: Schedule.Schedule<unknown> | undefined
  readonly children: ReadonlyArray<ChildSpec | SupervisorSpec>
}

/**
 * A tree's state at one moment.
 *
 * @category models
 * @since 0.1.0
 */
export type Snapshot =
  | {
    readonly _tag: "Child"
    readonly id: string
    readonly state: "running" | "exited" | "stopped"
    readonly restarts: number
  }
  | {
    readonly _tag: "Supervisor"
    readonly id: string
    readonly state: SupervisorLifecycle.SupervisorState
    readonly restarts: number
    readonly children: ReadonlyArray<Snapshot>
  }

/**
 * A running tree.
 *
 * @category models
 * @since 0.1.0
 */
export interface Tree {
  /** The tree's state now. */
  readonly snapshot: Effect.Effect<Snapshot>
  /** Completes only if the root supervisor gives up, with its `SupervisorEscalated`. */
  readonly await: Effect.Effect<never, SupervisorEscalated>
  /** Every supervisor's lifecycle transitions and every child exit, from now on. */
  readonly events: Stream.Stream<TreeEvent>
}

/**
 * A child that runs `run` until it exits.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Pool, Supervisor } from "troupe"
 *
 * const resizer = Supervisor.child("resizer",
 *   Pool.make({ handler: (path: string) => Effect.succeed(path) }).pipe(Effect.andThen(Effect.never)))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const child = (
  id: string,
  run: Effect.Effect<unknown, unknown, Scope.Scope>,
  options?: { readonly restart?: Restart.RestartType; readonly shutdown?: Duration.Input }
): ChildSpec => ({
  _tag: "Child",
  id,
  run,
  restart: options?.restart ?? "permanent",
  shutdown: Duration.millis(Durations.toMillisOrThrow(options?.shutdown ?? "5 seconds", `Supervisor child "${id}": shutdown`)),
  stoppedForGood: Effect.void
})

/**
 * A pool as a child: the tree supervises its team (see `Pool.supervise`). A
 * restart of this child restarts the team; the pool's queued jobs are kept.
 * Any {@link Supervisable} will do.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pool = (
  id: string,
  pool: Supervisable,
  options?: { readonly restart?: Restart.RestartType; readonly shutdown?: Duration.Input }
): ChildSpec => ({
  // When the tree will not run it again, the pool shuts down, so nothing
  // waits on a team that is gone; its report lists what was still queued.
  ...child(id, pool[SupervisableTypeId].supervise, options),
  stoppedForGood: pool[SupervisableTypeId].stop
})

/**
 * A supervisor. OTP's defaults: `oneForOne`, intensity 1 restart in 5 seconds.
 *
 * @category constructors
 * @since 0.1.0
 */
export const supervisor = (
  id: string,
  children: ReadonlyArray<ChildSpec | SupervisorSpec>,
  options?: {
    readonly strategy?: Restart.Strategy
    readonly intensity?: number
    readonly period?: Duration.Input
    /** e.g. `Schedule.exponential("100 millis")`: the wait before each restart; it starts over when no other restart is within `period`. */
    readonly backoff?: Schedule.Schedule<unknown>
  }
): SupervisorSpec => ({
  _tag: "Supervisor",
  id,
  strategy: options?.strategy ?? "oneForOne",
  intensity: {
    intensity: options?.intensity ?? Restart.defaultIntensity.intensity,
    periodMs: options?.period === undefined
      ? Restart.defaultIntensity.periodMs
      : Durations.toMillisOrThrow(options.period, `Supervisor "${id}": period`, { positive: true })
  },
  backoff: options?.backoff,
  children
})

/**
 * Starts a tree in the current scope; closing the scope stops it, children in
 * reverse order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (spec: SupervisorSpec): Effect.Effect<Tree, never, Scope.Scope> =>
  Effect.gen(function*() {
    const hub = yield* PubSub.sliding<TreeEvent>(4096)
    const node = new TreeSupervisor(spec, yield* Effect.context<never>(), hub, true)
    const fiber = yield* Effect.forkScoped(node.run)
    return {
      snapshot: Effect.sync(() => node.snapshot(0)),
      await: Fiber.join(fiber) as Effect.Effect<never, SupervisorEscalated>,
      events: Stream.fromPubSub(hub)
    }
  })

/**
 * A Layer that runs the tree for as long as the layer is in use.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Supervisor } from "troupe"
 *
 * const App = Supervisor.layer(Supervisor.supervisor("app", [
 *   Supervisor.child("heartbeat", Effect.log("tick").pipe(Effect.repeat({ times: 3 })), { restart: "transient" })
 * ]))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const layer = (spec: SupervisorSpec): Layer.Layer<never> => Layer.effectDiscard(start(spec))

interface ChildState {
  readonly spec: ChildSpec
  /** The sub-supervisor when this child is one (a fresh one each restart), for snapshots. */
  node: TreeSupervisor | undefined
  fiber: Fiber.Fiber<unknown, unknown> | undefined
  state: "running" | "exited" | "stopped"
  restarts: number
}

interface ChildExit {
  readonly index: number
  readonly fiber: Fiber.Fiber<unknown, unknown>
  readonly exit: Exit.Exit<unknown, unknown>
}

/** One supervisor: an actor whose mailbox receives its children's exits. */
class TreeSupervisor {
  readonly spec: SupervisorSpec
  readonly isRoot: boolean
  readonly lifecycle: Actor<typeof SupervisorLifecycle.machine>
  private readonly context
  private readonly hub: PubSub.PubSub<TreeEvent>
  private readonly clock: Clock.Clock
  private readonly children: Array<ChildState>
  private window: ReadonlyArray<number> = []
  private backoffStep: ((input: unknown) => Effect.Effect<unknown, unknown>) | undefined = undefined

  constructor(spec: SupervisorSpec, context: Context.Context<never>, hub: PubSub.PubSub<TreeEvent>, isRoot = false) {
    this.spec = spec
    this.isRoot = isRoot
    this.context = context
    this.hub = hub
    this.clock = Context.getUnsafe(context, Clock.Clock)
    let state: SupervisorLifecycle.SupervisorState = "starting"
    this.lifecycle = createActor(SupervisorLifecycle.machine, {
      clock: XStateClock.fromContext(context),
      inspect: onStateChange(() => this.lifecycle, () => state, (from, to, event) => {
        this.publish({ type: "@troupe.supervisor.transition", supervisor: spec.id, from, to, event, at: this.now() })
        state = to
      })
    }).start()
    this.children = spec.children.map((c) => (c._tag === "Child" ? childState(c) : this.subSupervisor(c)))
  }

  get run(): Effect.Effect<never, SupervisorEscalated> {
    const node = this
    return Effect.gen(function*() {
      const exits = yield* Queue.unbounded<ChildExit>()
      yield* Effect.addFinalizer(() => node.stopAll("SHUTDOWN"))
      node.children.forEach((_, i) => node.startChild(i, exits))
      node.lifecycle.send({ type: "STARTED" })
      while (true) {
        const event = yield* Queue.take(exits)
        yield* node.handle(event, exits)
      }
    }).pipe(Effect.scoped) as Effect.Effect<never, SupervisorEscalated>
  }

  // A sub-supervisor is a permanent child whose run is a fresh supervisor each
  // time, remembered for snapshots.
  private subSupervisor(spec: SupervisorSpec): ChildState {
    let state: ChildState | undefined = undefined
    const run = Effect.suspend(() => {
      const node = new TreeSupervisor(spec, this.context, this.hub)
      state!.node = node
      return node.run
    })
    state = childState(child(spec.id, run, { restart: "permanent" }))
    return state
  }

  /** The children's (and their subtrees') stoppedForGood hooks, last started first. */
  private get stoppedForGood(): Effect.Effect<void> {
    return Effect.forEach([...this.children].reverse(), (c) =>
      c.node !== undefined ? c.node.stoppedForGood : c.spec.stoppedForGood, { discard: true })
  }

  private now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  private publish(event: TreeEvent): void {
    PubSub.publishUnsafe(this.hub, event)
  }

  snapshot(restarts: number): Snapshot {
    return {
      _tag: "Supervisor",
      id: this.spec.id,
      state: this.lifecycle.getSnapshot().value as SupervisorLifecycle.SupervisorState,
      restarts,
      children: this.children.map((c) =>
        c.node !== undefined
          ? c.node.snapshot(c.restarts)
          : { _tag: "Child" as const, id: c.spec.id, state: c.state, restarts: c.restarts }
      )
    }
  }

  // Uninterruptible but for the backoff: a tree closing mid-restart must not
  // lose track of a child it is stopping (the scope would close before that
  // child has released what it holds).
  private handle(event: ChildExit, exits: Queue.Queue<ChildExit>): Effect.Effect<void, SupervisorEscalated> {
    const node = this
    return Effect.uninterruptibleMask((restore) => Effect.gen(function*() {
      const c = node.children[event.index]!
      if (c.fiber !== event.fiber) return // the exit of a child this supervisor stopped itself
      c.fiber = undefined
      c.state = "exited"
      const reason = reasonOf(event.exit)
      const exited = { type: "@troupe.supervisor.childExited" as const, supervisor: node.spec.id, child: c.spec.id, reason }
      if (!Restart.shouldRestart(c.spec.restart, reason)) {
        node.publish({ ...exited, restarted: [], at: node.now() })
        return yield* c.spec.stoppedForGood
      }
      const recorded = Restart.record(node.window, yield* Clock.currentTimeMillis, node.spec.intensity)
      node.window = recorded.window
      if (recorded.exceeded) {
        node.publish({ ...exited, restarted: [], at: node.now() })
        yield* node.stopAll("ESCALATE")
        return yield* new SupervisorEscalated({ supervisor: node.spec.id, child: c.spec.id, restarts: node.spec.intensity.intensity })
      }
      const targets = Restart.plan(node.spec.strategy, event.index, node.children.map((_, i) => i))
      node.publish({ ...exited, restarted: targets.map((i) => node.children[i]!.spec.id), at: node.now() })
      for (const i of [...targets].reverse()) if (i !== event.index) yield* node.stopChild(i)
      yield* restore(node.backoff)
      for (const i of targets) {
        node.children[i]!.restarts++
        node.startChild(i, exits)
      }
    }))
  }

  // The schedule's next delay; a fresh schedule when this is the only restart
  // in the intensity window (restarts had calmed down). An exhausted schedule
  // adds no more delay: giving up is the intensity's call, not the backoff's.
  private get backoff(): Effect.Effect<void> {
    const schedule = this.spec.backoff
    if (schedule === undefined) return Effect.void
    const node = this
    return Effect.gen(function*() {
      if (node.backoffStep === undefined || node.window.length === 1) node.backoffStep = yield* Schedule.toStepWithSleep(schedule)
      yield* node.backoffStep(undefined).pipe(Effect.catchCause(() => Effect.void))
    })
  }

  private startChild(index: number, exits: Queue.Queue<ChildExit>): void {
    const c = this.children[index]!
    const fiber = Effect.runForkWith(this.context)(Effect.scoped(c.spec.run))
    c.fiber = fiber
    c.state = "running"
    fiber.addObserver((exit) => Queue.offerUnsafe(exits, { index, fiber, exit }))
  }

  private stopChild(index: number): Effect.Effect<void> {
    const c = this.children[index]!
    const fiber = c.fiber
    c.fiber = undefined
    c.state = "stopped"
    if (fiber === undefined) return Effect.void
    return Fiber.interrupt(fiber).pipe(Effect.timeoutOption(c.spec.shutdown), Effect.asVoid)
  }

  /** Stops every child, last started first, each within its shutdown timeout. */
  private stopAll(event: "SHUTDOWN" | "ESCALATE"): Effect.Effect<void> {
    const node = this
    return Effect.gen(function*() {
      node.lifecycle.send({ type: event })
      for (let i = node.children.length - 1; i >= 0; i--) yield* node.stopChild(i)
      // Only the root stops for good: a sub-supervisor that stops may be restarted by its parent.
      if (node.isRoot) yield* node.stoppedForGood
      node.lifecycle.send({ type: "STOPPED" })
    })
  }
}

const childState = (spec: ChildSpec): ChildState => ({ spec, node: undefined, fiber: undefined, state: "stopped", restarts: 0 })

const reasonOf = (exit: Exit.Exit<unknown, unknown>): Restart.ExitReason =>
  Exit.isSuccess(exit) ? "normal"
  : Cause.hasFails(exit.cause) ? "failure"
  : Cause.hasDies(exit.cause) ? "defect"
  : "interruption"
