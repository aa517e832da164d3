// The shutdown procedure alone, over a stand-in pool: what happens to the
// jobs still queued in the workers' mailboxes under each of its terms, and
// whether a job a worker gives back during the shutdown may still run there
// (`draining`). The pool-level behaviour is in Pool.shutdown.test.ts.
import { Context, Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { WorkerActor } from "../../src/actors/internal/workerActor.ts"
import type { Outcome } from "../../src/engine/internal/counters.ts"
import { Shutdown, type Terms } from "../../src/engine/internal/shutdown.ts"
import { JobRecord } from "../../src/job/internal/jobRecord.ts"
import type { Escalation } from "../../src/supervision/internal/team.ts"

const dispatcher = { scheduleTask: (task: () => void) => queueMicrotask(task), flush: () => {} }
const owner = { cancel: () => {}, dispatcher } as never
const job = (id: number) => new JobRecord(id, `job ${id}`, 0, undefined, owner)

/** A pool with one worker holding `queued` jobs; it turns quiet when the test says so. */
const standIn = (queued: ReadonlyArray<JobRecord>, escalation?: Escalation) => {
  const mailbox = [...queued]
  const worker = { takeAll: () => mailbox.splice(0), interruptRunning: () => [] }
  const settled: Array<[number, Outcome | "deadLettered"]> = []
  let quiet: (() => void) | undefined
  const host = {
    name: "stand-in",
    context: Context.empty(),
    dispatcher,
    now: () => 0,
    escalation: () => escalation,
    lifecycle: () => {},
    closeDoor: () => () => {},
    live: () => [worker as unknown as WorkerActor],
    stopAccepting: () => {},
    drainShared: () => [],
    abandonRetries: () => {},
    wakePermits: () => {},
    unqueued: () => {},
    settle: (record: JobRecord, outcome: Outcome) => (settled.push([record.id, outcome]), true),
    deadLetter: (record: JobRecord) => void settled.push([record.id, "deadLettered"]),
    whenQuiet: (f: () => void) => void (quiet = f),
    stopTimers: () => {}
  }
  // The workers ran out their mailboxes: the pool is quiet, the report is due.
  const finish = (shutdown: Shutdown) => {
    mailbox.length = 0
    quiet?.()
    return Effect.runPromise(shutdown.await)
  }
  const start = (terms: Terms) => new Shutdown(host, terms)
  return { start, finish, mailbox, settled }
}

const drain: Terms = { deadlineMs: 60_000, queued: "drain" }
const boom: Escalation = { workerId: 1, reason: "boom" }

describe("Shutdown", () => {
  it("a drain leaves the queued jobs with their workers, to run before the report", async () => {
    const pool = standIn([job(1), job(2)])
    const shutdown = pool.start(drain)
    expect(shutdown.draining).toBe(true)
    expect(pool.mailbox).toHaveLength(2)
    expect(pool.settled).toEqual([])
    const report = await pool.finish(shutdown)
    expect(report).toMatchObject({ handedBack: [], interrupted: [], deadlineReached: false })
  })

  it("a hand-back or dead-letter shutdown never drains: queued jobs end at once", async () => {
    for (const queued of ["handBack", "deadLetter"] as const) {
      const pool = standIn([job(1), job(2)])
      const shutdown = pool.start({ deadlineMs: 60_000, queued })
        expect(shutdown.draining).toBe(false)
      expect(pool.mailbox).toEqual([])
      expect(pool.settled).toEqual(queued === "handBack" ? [[1, "handedBack"], [2, "handedBack"]] : [[1, "deadLettered"], [2, "deadLettered"]])
      const report = await pool.finish(shutdown)
      expect(report.handedBack.map((entry) => entry.id)).toEqual(queued === "handBack" ? [1, 2] : [])
    }
  })

  it("a drain of a pool that gave up hands its queued jobs back at once: it has no team to drain with", async () => {
    const pool = standIn([job(1), job(2)], boom)
    const shutdown = pool.start(drain)
    expect(shutdown.draining).toBe(false)
    expect(pool.mailbox).toEqual([])
    expect(pool.settled).toEqual([[1, "handedBack"], [2, "handedBack"]])
    const report = await pool.finish(shutdown)
    expect(report).toMatchObject({ handedBack: [{ id: 1, input: "job 1" }, { id: 2, input: "job 2" }], deadlineReached: false, escalation: boom })
  })

  it("a drain amended to a hand-back stops draining and hands back what is still queued", async () => {
    const pool = standIn([job(1), job(2)])
    const shutdown = pool.start(drain)
    shutdown.amend({ deadlineMs: 60_000, queued: "handBack" })
    expect(shutdown.draining).toBe(false)
    expect(pool.settled).toEqual([[1, "handedBack"], [2, "handedBack"]])
    shutdown.amend({ deadlineMs: 60_000, queued: "drain" }) // a hand-back never turns back into a drain
    expect(shutdown.draining).toBe(false)
    const report = await pool.finish(shutdown)
    expect(report.handedBack.map((entry) => entry.id)).toEqual([1, 2])
  })

  it("only a drain is amended: a hand-back stays one, for the jobs that reach it later too", async () => {
    const pool = standIn([job(1)])
    const shutdown = pool.start({ deadlineMs: 60_000, queued: "handBack" })
    shutdown.amend({ deadlineMs: 60_000, queued: "deadLetter" })
    shutdown.handBack([job(2)]) // a crashed worker's, say, after intake closed
    expect(pool.settled).toEqual([[1, "handedBack"], [2, "handedBack"]])
    const report = await pool.finish(shutdown)
    expect(report.handedBack.map((entry) => entry.id)).toEqual([1, 2])
  })
})
