import { describe, expect, it } from "vitest"
import { initialTransition, transition } from "xstate"
import { PoolLifecycle, SupervisorLifecycle } from "../../src/index.ts"

/**
 * A machine's whole table, state x event -> next state (anything not listed
 * stays put), checked with XState's pure `transition`; `paths` reach each state.
 */
const tableTest = <S extends string, E extends string>(
  machine: typeof PoolLifecycle.machine | typeof SupervisorLifecycle.machine,
  events: ReadonlyArray<E>,
  table: Record<S, Partial<Record<E, S>>>,
  paths: Record<S, ReadonlyArray<E>>,
  finals: ReadonlyArray<S>
) => {
  const run = (types: ReadonlyArray<E>) => {
    let [snapshot] = initialTransition(machine)
    for (const type of types) [snapshot] = transition(machine as never, snapshot as never, { type } as never)
    return snapshot
  }
  for (const from of Object.keys(table) as Array<S>) {
    it(`${from} is reached by ${paths[from].join(", ") || "starting"}${finals.includes(from) ? ", and is final" : ""}`, () => {
      const snapshot = run(paths[from])
      expect(snapshot.value).toBe(from)
      expect(snapshot.status).toBe(finals.includes(from) ? "done" : "active")
    })
    for (const event of events) {
      const to = table[from][event] ?? from
      it(`${from} --${event}--> ${to}`, () => expect(run([...paths[from], event]).value).toBe(to))
    }
  }
}

describe("PoolLifecycle: it starts once and stops once", () => {
  tableTest<PoolLifecycle.PoolState, PoolLifecycle.PoolEvent["type"]>(
    PoolLifecycle.machine,
    ["STARTED", "SHUTDOWN", "STOPPED"],
    {
      starting: { STARTED: "running", STOPPED: "stopped" }, // a pool that fails to start goes straight to stopped
      running: { SHUTDOWN: "draining" }, // a second STARTED is ignored; it cannot skip draining
      draining: { STOPPED: "stopped" }, // a second SHUTDOWN is ignored: that makes a second shutdown a no-op
      stopped: {}
    },
    { starting: [], running: ["STARTED"], draining: ["STARTED", "SHUTDOWN"], stopped: ["STARTED", "SHUTDOWN", "STOPPED"] },
    ["stopped"]
  )
})

describe("SupervisorLifecycle: it stops once, or escalates once", () => {
  tableTest<SupervisorLifecycle.SupervisorState, SupervisorLifecycle.SupervisorEvent["type"]>(
    SupervisorLifecycle.machine,
    ["STARTED", "SHUTDOWN", "STOPPED", "ESCALATE"],
    {
      starting: { STARTED: "running", ESCALATE: "escalated", SHUTDOWN: "draining" },
      running: { SHUTDOWN: "draining", ESCALATE: "escalated" },
      draining: { STOPPED: "stopped" }, // a crash while stopping escalates nothing
      stopped: {},
      escalated: {}
    },
    {
      starting: [],
      running: ["STARTED"],
      draining: ["STARTED", "SHUTDOWN"],
      stopped: ["STARTED", "SHUTDOWN", "STOPPED"],
      escalated: ["STARTED", "ESCALATE"]
    },
    ["stopped", "escalated"]
  )
})
