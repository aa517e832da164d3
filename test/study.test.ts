// The study's machinery on the TestClock: sleep jobs take exactly their
// simulated time, so every wall time, ideal and speed-up is known in advance.
import { it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import * as Progress from "../lib/progress.ts"
import type { StudyPlan } from "../lib/study/plan.ts"
import { rows } from "../lib/study/fixedTeams.ts"
import { runKind } from "../lib/study/run.ts"
import { timelineLine } from "../lib/report/summary.ts"

const plan = (teams: ReadonlyArray<number>, overrides: Partial<StudyPlan> = {}): StudyPlan => ({
  kinds: [{ kind: "sleep", jobs: 6, size: 100, teams }],
  repeat: 2,
  mailbox: "fifo",
  dispatch: "leastLoaded",
  scaling: "auto",
  jobsPerWorker: 1,
  idleAfterMs: 300,
  ...overrides
})

/** Runs one kind of the plan, moving the TestClock on until it ends. */
const simulate = (study: StudyPlan) =>
  Effect.gen(function*() {
    const steps: Array<string> = []
    const progress = Progress.layer("plain", (line) => steps.push(line))
    const fiber = yield* runKind(study.kinds[0]!, study, undefined).pipe(Effect.provide(progress), Effect.forkChild)
    while (fiber.pollUnsafe() === undefined) yield* TestClock.adjust("10 millis")
    return { report: yield* Fiber.join(fiber), steps }
  })

describe("the study on simulated time", () => {
  it.effect("fixed teams take exactly ceil(jobs / workers) sleeps: speed-up and utilization follow", () =>
    Effect.gen(function*() {
      const { report, steps } = yield* simulate(plan([1, 2, 3, 4, 6]))
      expect(report.rows.map((r) => [r.workers, r.wallMs, r.idealMs, r.samplesMs.length])).toEqual([
        [1, 600, 600, 2],
        [2, 300, 300, 2],
        [3, 200, 200, 2],
        [4, 200, 200, 2],
        [6, 100, 100, 2]
      ])
      expect(report.rows.map((r) => r.speedup)).toEqual([1, 2, 3, 3, 6])
      expect(report.rows.map((r) => r.utilization)).toEqual([1, 1, 1, 0.75, 1])
      expect(steps).toContain("sleep 100 ms · 4 workers: 200 ms (median of 2)")
    }))

  it.effect("the autoscaled team grows while jobs wait, then shrinks to its floor once idle", () =>
    Effect.gen(function*() {
      const { report } = yield* simulate(plan([1, 6]))
      const auto = report.autoscaled
      expect(auto.policy).toBe("threshold+idleTimeout")
      expect(auto.timeline[0]).toEqual({ atMs: 0, workers: 1 })
      expect(auto.peakWorkers).toBeGreaterThan(1)
      expect(auto.peakWorkers).toBeLessThanOrEqual(6)
      expect(auto.finalWorkers).toBe(1)
      // No retirement before the idle timeout: a worker is idle at the earliest once its first sleep ended.
      const shrinkAt = auto.timeline.find((p, i) => i > 0 && p.workers < auto.timeline[i - 1]!.workers)!.atMs
      expect(shrinkAt).toBeGreaterThanOrEqual(100 + 300)
      expect(auto.timeline.filter((p) => p.atMs < auto.wallMs).at(-1)!.workers).toBe(auto.peakWorkers)
      // Growth while 6 jobs wait beats one worker: at most ceil(6 / 2) sleeps once the team has grown.
      expect(auto.wallMs).toBeLessThan(600)
    }))

  it.effect("threshold only: the team grows and stays", () =>
    Effect.gen(function*() {
      const { report } = yield* simulate(plan([1, 6], { scaling: "threshold" }))
      expect(report.autoscaled.policy).toBe("threshold")
      expect(report.autoscaled.finalWorkers).toBe(report.autoscaled.peakWorkers)
    }))
})

describe("rows", () => {
  it.effect("uneven batches on a smallest team above 1: 7 jobs on 2 and 7 workers", () =>
    Effect.sync(() => {
      // 2 workers: 4 rounds of 50 ms; 7 workers: 1 round. Nothing beats linear.
      const sleep = rows({ kind: "sleep", jobs: 7, size: 50, teams: [2, 7] }, [[200], [50]])
      expect(sleep.rows.map((r) => [r.idealMs, r.speedup, r.idealSpeedup, r.utilization])).toEqual([
        [200, 7 / 4, 7 / 4, 7 / 8],
        [50, 7, 7, 1]
      ])
      const cpu = rows({ kind: "cpu", jobs: 7, size: 1500, teams: [2, 7] }, [[80], [25]])
      expect(cpu.jobMs).toBe(20) // 80 ms over 4 rounds
      expect(cpu.rows.map((r) => [r.idealMs, r.speedup, r.idealSpeedup])).toEqual([[80, 7 / 4, 7 / 4], [20, (80 * 7) / 4 / 25, 7]])
      for (const r of [...sleep.rows, ...cpu.rows]) expect(r.idealSpeedup).toBeLessThanOrEqual(r.workers)
    }))


  it.effect("CPU rows: the job's time is what the smallest team measured per job and worker", () =>
    Effect.sync(() => {
      const cpu = { kind: "cpu" as const, jobs: 8, size: 9000, teams: [2, 4] }
      const { jobMs, rows: table } = rows(cpu, [[400, 420, 380], [250]])
      expect(jobMs).toBe(100) // 400 ms on 2 workers for 8 jobs
      expect(table.map((r) => [r.workers, r.wallMs, r.idealMs, r.speedup, r.idealSpeedup, r.utilization])).toEqual([
        [2, 400, 400, 2, 2, 1],
        [4, 250, 200, 3.2, 4, 0.8]
      ])
    }))
})

describe("timelineLine", () => {
  const kind = (timeline: Array<{ atMs: number; workers: number }>) =>
    ({ kind: "sleep", autoscaled: { timeline } }) as unknown as Parameters<typeof timelineLine>[0]

  it.effect("keeps the starting size, collapses changes within a millisecond, cuts long runs in the middle", () =>
    Effect.sync(() => {
      expect(timelineLine(kind([{ atMs: 0, workers: 1 }, { atMs: 0.2, workers: 2 }, { atMs: 0.4, workers: 4 }, { atMs: 300, workers: 1 }, { atMs: 310, workers: 1 }])))
        .toBe("sleep: 0 ms: 1 → 0 ms: 4 → 300 ms: 1 → 310 ms: 1")
      const long = Array.from({ length: 20 }, (_, i) => ({ atMs: i * 10, workers: i + 1 }))
      expect(timelineLine(kind(long), 4)).toBe("sleep: 0 ms: 1 → 10 ms: 2 → … → 180 ms: 19 → 190 ms: 20")
    }))
})
