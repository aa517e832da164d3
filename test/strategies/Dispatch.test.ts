import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { Dispatch } from "../../src/index.ts"

const loadsArb = fc.array(
  fc.record({ queued: fc.nat({ max: 20 }), running: fc.nat({ max: 4 }) }),
  { minLength: 1, maxLength: 12 }
).map((ws) => ws.map((w, id) => ({ id, ...w })))

describe("Dispatch.leastLoaded", () => {
  test.prop([loadsArb, fc.nat()])("picks a worker with the fewest queued + running jobs", (workers, seq) => {
    const index = Dispatch.leastLoaded().select({ priority: 0, seq }, workers)
    const load = (i: number) => workers[i]!.queued + workers[i]!.running
    expect(index).toBeGreaterThanOrEqual(0)
    expect(index).toBeLessThan(workers.length)
    for (let i = 0; i < workers.length; i++) expect(load(index)).toBeLessThanOrEqual(load(i))
  })

  it("rotates among equally loaded workers", () => {
    const workers = [0, 1, 2].map((id) => ({ id, queued: 0, running: 0 }))
    const picks = [0, 1, 2, 3].map((seq) => Dispatch.leastLoaded().select({ priority: 0, seq }, workers))
    expect(new Set(picks).size).toBe(3)
  })
})

describe("Dispatch.roundRobin", () => {
  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 50 })])(
    "gives consecutive jobs to workers in turn, whatever their load",
    (n, jobs) => {
      const workers = Array.from({ length: n }, (_, id) => ({ id, queued: id * 10, running: 1 }))
      const counts = new Array<number>(n).fill(0)
      const picks = Array.from({ length: jobs }, (_, i) => Dispatch.roundRobin().select({ priority: 0, seq: i + 1 }, workers))
      // Every pick a worker of the team (an index off the team, or undefined, counts for no one)
      for (const index of picks) {
        expect(Number.isInteger(index) && index >= 0 && index < n).toBe(true)
        counts[index]!++
      }
      expect(counts.reduce((a, b) => a + b, 0)).toBe(jobs)
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
      // in turn: the next job goes to the next worker
      for (let i = 1; i < picks.length; i++) expect(picks[i]).toBe((picks[i - 1]! + 1) % n)
    }
  )
})

describe("Dispatch.fromOption", () => {
  it("resolves names and passes strategies through", () => {
    const mine = Dispatch.make("first", () => 0)
    expect(Dispatch.fromOption("leastLoaded").name).toBe("leastLoaded")
    expect(Dispatch.fromOption("roundRobin").name).toBe("roundRobin")
    expect(Dispatch.fromOption("workStealing").name).toBe("workStealing")
    expect(Dispatch.workStealing({ localCapacity: 3 }).localCapacity).toBe(3)
    expect(Dispatch.workStealing().localCapacity).toBeUndefined()
    expect(Dispatch.fromOption(mine)).toBe(mine)
    expect(Dispatch.isDispatch(mine)).toBe(true)
  })
})
