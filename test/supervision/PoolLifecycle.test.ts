import { describe, expect, it } from "vitest"
import { initialTransition, transition } from "xstate"
import { PoolLifecycle } from "../../src/index.ts"

const { machine } = PoolLifecycle

const run = (...events: Array<PoolLifecycle.PoolEvent["type"]>) => {
  let [snapshot] = initialTransition(machine)
  for (const type of events) [snapshot] = transition(machine, snapshot, { type })
  return snapshot
}

describe("PoolLifecycle", () => {
  it("starts once and stops once: starting -> running -> draining -> stopped", () => {
    expect(run().value).toBe("starting")
    expect(run("STARTED").value).toBe("running")
    expect(run("STARTED", "SHUTDOWN").value).toBe("draining")
    expect(run("STARTED", "SHUTDOWN", "STOPPED").value).toBe("stopped")
    expect(run("STARTED", "SHUTDOWN", "STOPPED").status).toBe("done")
  })

  it("ignores a second SHUTDOWN and a second STARTED", () => {
    expect(run("STARTED", "SHUTDOWN", "SHUTDOWN").value).toBe("draining")
    expect(run("STARTED", "STARTED").value).toBe("running")
  })

  it("cannot skip draining: a running pool ignores STOPPED", () => {
    expect(run("STARTED", "STOPPED").value).toBe("running")
  })

  it("a pool that fails to start goes straight to stopped", () => {
    expect(run("STOPPED").value).toBe("stopped")
  })
})
