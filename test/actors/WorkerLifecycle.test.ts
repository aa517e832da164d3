import { it as eit } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { createActor, initialTransition, transition } from "xstate"
import * as XStateClock from "../../src/shared/xstateClock.ts"
import { WorkerLifecycle } from "../../src/index.ts"

const { machine } = WorkerLifecycle
type State = WorkerLifecycle.WorkerState
type Event = WorkerLifecycle.WorkerEvent

const events: ReadonlyArray<Event> = [
  { type: "READY" },
  { type: "BUSY" },
  { type: "IDLE" },
  { type: "RETIRE" },
  { type: "DRAIN" },
  { type: "STOPPED" },
  { type: "CRASH", reason: "boom" }
]

// The whole table: state x event -> next state. Anything not listed stays put.
const table: Record<State, Partial<Record<Event["type"], State>>> = {
  spawning: { READY: "idle", DRAIN: "draining", STOPPED: "stopped", CRASH: "crashed" },
  idle: { BUSY: "busy", RETIRE: "draining", DRAIN: "draining", CRASH: "crashed" },
  busy: { IDLE: "idle", DRAIN: "draining", CRASH: "crashed" },
  draining: { STOPPED: "stopped", CRASH: "crashed" },
  stopped: {},
  crashed: {}
}

// Walk the machine purely to reach each state.
const paths: Record<State, ReadonlyArray<Event>> = {
  spawning: [],
  idle: [{ type: "READY" }],
  busy: [{ type: "READY" }, { type: "BUSY" }],
  draining: [{ type: "READY" }, { type: "DRAIN" }],
  stopped: [{ type: "READY" }, { type: "DRAIN" }, { type: "STOPPED" }],
  crashed: [{ type: "CRASH", reason: "x" }]
}

const reach = (state: State) => {
  let [snapshot] = initialTransition(machine, { workerId: 7 })
  for (const event of paths[state]) [snapshot] = transition(machine, snapshot, event)
  expect(snapshot.value).toBe(state)
  return snapshot
}

describe("WorkerLifecycle", () => {
  for (const from of Object.keys(table) as Array<State>) {
    for (const event of events) {
      const to = table[from][event.type] ?? from
      it(`${from} --${event.type}--> ${to}`, () => {
        const [next] = transition(machine, reach(from), event)
        expect(next.value).toBe(to)
      })
    }
  }

  it("only an idle worker may retire; a busy one drains only when told to stop", () => {
    expect(transition(machine, reach("busy"), { type: "RETIRE" })[0].value).toBe("busy")
    expect(transition(machine, reach("idle"), { type: "RETIRE" })[0].value).toBe("draining")
  })

  it("remembers the crash reason and ends in a final state", () => {
    const [crashed] = transition(machine, reach("busy"), { type: "CRASH", reason: "out of memory" })
    expect(crashed.context).toEqual({ workerId: 7, crashReason: "out of memory", idleTimeoutMs: WorkerLifecycle.neverMs })
    expect(crashed.status).toBe("done")
    expect(reach("stopped").status).toBe("done")
  })

  it("acceptsJobs holds for idle and busy only", () => {
    const accepting = (Object.keys(table) as Array<State>).filter(WorkerLifecycle.acceptsJobs)
    expect(accepting).toEqual(["idle", "busy"])
  })
})

describe("WorkerLifecycle idle timer", () => {
  eit.effect("an idle worker reports idleTimedOut after exactly the timeout, then every timeout while idle", () =>
    Effect.gen(function*() {
      const fired: Array<number> = []
      let now = 0
      const context = yield* Effect.context<never>()
      const actor = createActor(
        machine.provide({ actions: { idleTimedOut: () => void fired.push(now) } }),
        { input: { workerId: 1, idleTimeoutMs: 30_000 }, clock: XStateClock.fromContext(context) }
      ).start()
      actor.send({ type: "READY" })
      const advance = (ms: number) => Effect.sync(() => (now += ms)).pipe(Effect.andThen(TestClock.adjust(ms)))
      yield* advance(29_999)
      expect(fired).toEqual([])
      yield* advance(1)
      expect(fired).toEqual([30_000])
      expect(actor.getSnapshot().value).toBe("idle")
      yield* advance(30_000)
      expect(fired).toEqual([30_000, 60_000])
      actor.send({ type: "BUSY" }) // leaving idle cancels the timer
      yield* advance(60_000)
      expect(fired).toEqual([30_000, 60_000])
      actor.stop()
    }))

  it("without a timeout the timer is the longest a clock takes (XState's own clock would make Infinity 1 ms)", () => {
    expect(initialTransition(machine, { workerId: 1 })[0].context.idleTimeoutMs).toBe(2 ** 31 - 1)
    expect(initialTransition(machine, { workerId: 1, idleTimeoutMs: Infinity })[0].context.idleTimeoutMs).toBe(2 ** 31 - 1)
  })
})
