// How a job ended, read as its outcome: a pure table from what its lane saw
// (or how it left the queue) to the outcome, the exit its waiters get, and
// whether a retry policy may take it.
import { Cause, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { RuntimeEnd } from "../../src/actors/internal/jobRunner.ts"
import * as Settlement from "../../src/engine/internal/settlement.ts"
import { JobRecord } from "../../src/job/internal/jobRecord.ts"

const owner = { cancel: () => {}, dispatcher: { scheduleTask: () => {}, flush: () => {} } } as never
const extras = { payload: 1, timeoutMs: 250, queueTimeoutMs: 500, submittedAt: 0, key: undefined, retry: undefined, starts: 1, retryState: undefined }
const job = new JobRecord(7, "input", 0, extras, owner)
const worker = { id: 3, crashReason: "its thread exited" }

const failure = (verdict: Settlement.Verdict) => {
  const exit = verdict.exit
  return Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isFailReason)?.error : undefined
}

describe("Settlement.ofRun", () => {
  it("a success completes the job with its value", () => {
    const verdict = Settlement.ofRun(job, Exit.succeed(42), worker)
    expect(verdict).toMatchObject({ outcome: "completed", retryable: false })
    expect(verdict.exit).toEqual(Exit.succeed(42))
  })

  it("the handler's typed failure fails the job with it as is, and a retry policy may take it", () => {
    const error = { _tag: "Busy" }
    const verdict = Settlement.ofRun(job, Exit.fail(error), worker)
    expect(verdict).toMatchObject({ outcome: "failed", retryable: true })
    expect(verdict.error).toBe(error)
    expect(failure(verdict)).toBe(error)
  })

  it("a run timeout becomes JobTimedOut with the job's limit, retryable", () => {
    const verdict = Settlement.ofRun(job, Exit.fail(new RuntimeEnd("timedOut", "too long")), worker)
    expect(verdict).toMatchObject({ outcome: "timedOut", retryable: true })
    expect(failure(verdict)).toMatchObject({ _tag: "JobTimedOut", jobId: 7, timeoutMillis: 250 })
    expect(verdict.error).toBe(failure(verdict))
  })

  it("a thread lost under the job crashes it with the runtime's reason; never retried", () => {
    const verdict = Settlement.ofRun(job, Exit.fail(new RuntimeEnd("lost", "terminated for another job's timeout")), worker)
    expect(verdict).toMatchObject({ outcome: "crashed", retryable: false })
    expect(failure(verdict)).toMatchObject({ _tag: "WorkerCrashed", jobId: 7, workerId: 3, reason: "terminated for another job's timeout" })
  })

  it("a defect becomes JobDefect carrying what died; an interruption, JobInterrupted", () => {
    const boom = new Error("boom")
    const defect = Settlement.ofRun(job, Exit.die(boom), worker)
    expect(defect).toMatchObject({ outcome: "defects", retryable: false })
    expect(failure(defect)).toMatchObject({ _tag: "JobDefect", jobId: 7, defect: boom })
    const interrupted = Settlement.ofRun(job, Exit.interrupt(1), worker)
    expect(interrupted).toMatchObject({ outcome: "interrupted", retryable: false })
    expect(failure(interrupted)).toMatchObject({ _tag: "JobInterrupted", jobId: 7 })
  })

  it("a lane interrupted from outside: cancel, shutdown deadline, or its worker's crash (with the worker's reason)", () => {
    expect(failure(Settlement.ofRun(job, "cancel", worker))).toMatchObject({ _tag: "JobCancelled", jobId: 7 })
    expect(Settlement.ofRun(job, "cancel", worker).outcome).toBe("cancelled")
    expect(Settlement.ofRun(job, "shutdown", worker).outcome).toBe("interrupted")
    const crashed = Settlement.ofRun(job, "crash", worker)
    expect(crashed).toMatchObject({ outcome: "crashed", retryable: false })
    expect(failure(crashed)).toMatchObject({ _tag: "WorkerCrashed", workerId: 3, reason: "its thread exited" })
  })
})

describe("Settlement.ofRemoval", () => {
  it("a job that left the queue unrun: cancelled, handed back, or past its queue timeout (with its limit)", () => {
    expect(failure(Settlement.ofRemoval(job, "cancelled"))).toMatchObject({ _tag: "JobCancelled", jobId: 7 })
    expect(failure(Settlement.ofRemoval(job, "handedBack"))).toMatchObject({ _tag: "JobHandedBack", jobId: 7 })
    expect(failure(Settlement.ofRemoval(job, "queueTimedOut"))).toMatchObject({ _tag: "JobQueueTimedOut", jobId: 7, timeoutMillis: 500 })
    for (const removed of ["cancelled", "handedBack", "queueTimedOut"] as const) {
      expect(Settlement.ofRemoval(job, removed)).toMatchObject({ outcome: removed, retryable: false })
    }
  })
})

describe("Settlement.isWithdrawn", () => {
  // Only a runner's "withdrawn" end means the job never started and goes back to dispatch.
  it.each([
    ["the runner withdrew it", Exit.fail(new RuntimeEnd("withdrawn", "behind a long job")), true],
    ["its run timed out", Exit.fail(new RuntimeEnd("timedOut", "too long")), false],
    ["its thread was lost", Exit.fail(new RuntimeEnd("lost", "exited")), false],
    ["a typed failure", Exit.fail({ kind: "withdrawn" }), false],
    ["a defect", Exit.die(new RuntimeEnd("withdrawn", "as a defect")), false],
    ["an interruption", Exit.interrupt(1), false],
    ["an empty cause", Exit.failCause(Cause.empty), false],
    ["a success", Exit.succeed(new RuntimeEnd("withdrawn", "as a value")), false],
    ["an abort reason", "cancel", false]
  ] as const)("%s", (_name, ending, withdrawn) => {
    expect(Settlement.isWithdrawn(ending as never)).toBe(withdrawn)
  })
})
