import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import * as Restart from "../../src/supervision/Restart.ts"

const reasons: ReadonlyArray<Restart.ExitReason> = ["normal", "failure", "defect", "interruption"]

describe("Restart.shouldRestart: restart type x exit reason", () => {
  const table: Record<Restart.RestartType, ReadonlyArray<boolean>> = {
    // normal, failure, defect, interruption
    permanent: [true, true, true, true],
    transient: [false, true, true, false],
    temporary: [false, false, false, false]
  }
  for (const [type, row] of Object.entries(table) as Array<[Restart.RestartType, ReadonlyArray<boolean>]>) {
    reasons.forEach((reason, i) => {
      it(`${type} child, ${reason} exit: ${row[i] ? "restarted" : "not restarted"}`, () => {
        expect(Restart.shouldRestart(type, reason)).toBe(row[i])
      })
    })
  }
})

describe("Restart.plan: strategy x failed child position", () => {
  const children = ["a", "b", "c", "d"]
  const expected: Record<Restart.Strategy, ReadonlyArray<ReadonlyArray<string>>> = {
    oneForOne: [["a"], ["b"], ["c"], ["d"]],
    oneForAll: [children, children, children, children],
    restForOne: [["a", "b", "c", "d"], ["b", "c", "d"], ["c", "d"], ["d"]]
  }
  for (const [strategy, rows] of Object.entries(expected) as Array<[Restart.Strategy, ReadonlyArray<ReadonlyArray<string>>]>) {
    rows.forEach((row, failed) => {
      it(`${strategy}, child ${failed + 1} of 4 exits: restart ${row.join(", ")}`, () => {
        expect(Restart.plan(strategy, failed, children)).toEqual(row)
      })
    })
  }

  test.prop([fc.constantFrom<Restart.Strategy>("oneForOne", "oneForAll", "restForOne"), fc.integer({ min: 1, max: 10 }), fc.nat()])(
    "a plan always restarts the failed child, keeps start order, and restarts nothing started before it unless oneForAll",
    (strategy, n, pick) => {
      const children = Array.from({ length: n }, (_, i) => i)
      const failed = pick % n
      const restarted = Restart.plan(strategy, failed, children)
      expect(restarted).toContain(failed)
      expect([...restarted].sort((a, b) => a - b)).toEqual(restarted)
      if (strategy !== "oneForAll") expect(restarted.every((c) => c >= failed)).toBe(true)
    }
  )
})

describe("Restart.record: the intensity window", () => {
  it("OTP defaults: 1 restart in 5 seconds is fine, a second within 5 seconds exceeds", () => {
    const first = Restart.record([], 0, Restart.defaultIntensity)
    expect(first.exceeded).toBe(false)
    expect(Restart.record(first.window, 4_999, Restart.defaultIntensity).exceeded).toBe(true)
    expect(Restart.record(first.window, 5_000, Restart.defaultIntensity).exceeded).toBe(false)
  })

  test.prop([
    fc.array(fc.nat({ max: 60_000 }), { maxLength: 30 }).map((xs) => [...xs].sort((a, b) => a - b)),
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 1, max: 20_000 })
  ])("exceeded exactly when more than `intensity` restarts fall within `period`", (times, intensity, periodMs) => {
    let window: ReadonlyArray<number> = []
    times.forEach((now, i) => {
      const result = Restart.record(window, now, { intensity, periodMs })
      const recent = times.slice(0, i + 1).filter((t) => now - t < periodMs).length
      expect(result.exceeded).toBe(recent > intensity)
      window = result.window
    })
  })
})
