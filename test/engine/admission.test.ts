// The front door alone: admission under capacity, submitters waiting their
// turn (first come, first admitted, from a scheduler task), the load it
// keeps, and the signals that wake producers pacing themselves.
import { describe, expect, it } from "vitest"
import { Admission, type AdmissionHost, type PendingSubmit } from "../../src/engine/internal/admission.ts"
import { JobRecord } from "../../src/job/internal/jobRecord.ts"

/** A host whose scheduler tasks run when the test says so. */
const makeHost = (options: { capacity: number; failWhenFull?: boolean }) => {
  const tasks: Array<() => void> = []
  const dispatcher = { scheduleTask: (task: () => void) => void tasks.push(task), flush: () => {} }
  const log: Array<string> = []
  let running = true
  const host: AdmissionHost = {
    name: "p",
    capacity: options.capacity,
    failWhenFull: options.failWhenFull ?? false,
    dispatcher: dispatcher as never,
    owner: { cancel: () => {}, dispatcher } as never,
    tracing: undefined,
    isRunning: () => running,
    admitted: (job) => void log.push(`admitted ${job.input}`),
    pressure: (type, queued) => void log.push(`${type} ${queued}`),
    drained: () => void log.push("drained")
  }
  return {
    host,
    log,
    runTasks: () => {
      while (tasks.length > 0) tasks.shift()!()
    },
    stop: () => void (running = false)
  }
}

const pending = (input: number, admitted: Array<number>, rejected: Array<string>): PendingSubmit => ({
  input,
  priority: 0,
  extras: undefined,
  admitted: (job) => void admitted.push(job.input as number),
  rejected: (error) => void rejected.push(error._tag)
})

describe("Admission", () => {
  it("admits while under capacity, each job a record numbered in order; then the pool is full", () => {
    const { host, log } = makeHost({ capacity: 2 })
    const admission = new Admission(host)
    const a = admission.tryAdmit("a", 0, undefined)
    const b = admission.tryAdmit("b", 0, undefined)
    expect(a).toBeInstanceOf(JobRecord)
    expect([(a as JobRecord).id, (b as JobRecord).id]).toEqual([1, 2])
    expect(admission.tryAdmit("c", 0, undefined)).toBeUndefined() // suspend: the caller may wait
    expect([admission.queued, admission.outstanding]).toEqual([2, 2])
    expect(log).toEqual(["admitted a", "admitted b", "@troupe.pool.saturated 2"])
  })

  it("with onFull: fail, a full pool says MailboxFull; a closed one says PoolClosed", () => {
    const { host, stop } = makeHost({ capacity: 1, failWhenFull: true })
    const admission = new Admission(host)
    admission.tryAdmit("a", 0, undefined)
    expect(admission.tryAdmit("b", 0, undefined)).toMatchObject({ _tag: "MailboxFull", pool: "p", capacity: 1 })
    stop()
    expect(admission.tryAdmit("c", 0, undefined)).toMatchObject({ _tag: "PoolClosed", pool: "p" })
  })

  it("waiting submitters are admitted first come, first served, from a scheduler task, as room opens", () => {
    const { host, runTasks } = makeHost({ capacity: 1 })
    const admission = new Admission(host)
    admission.tryAdmit(0, 0, undefined)
    const admitted: Array<number> = []
    const rejected: Array<string> = []
    for (const n of [1, 2, 3]) admission.wait(pending(n, admitted, rejected))
    // while someone waits, a newcomer does not jump the queue
    expect(admission.tryAdmit(9, 0, undefined)).toBeUndefined()
    admission.dequeued() // job 0 starts: room for one
    expect(admitted).toEqual([]) // not on the worker's stack
    runTasks()
    expect(admitted).toEqual([1])
    admission.dequeued()
    admission.dequeued()
    runTasks()
    expect(admitted).toEqual([1, 2, 3])
  })

  it("a withdrawn submitter is never admitted; closing the door rejects the rest, when told to", () => {
    const { host, runTasks } = makeHost({ capacity: 1 })
    const admission = new Admission(host)
    admission.tryAdmit(0, 0, undefined)
    const admitted: Array<number> = []
    const rejected: Array<string> = []
    const first = admission.wait(pending(1, admitted, rejected))
    admission.wait(pending(2, admitted, rejected))
    admission.withdraw(first)
    const tell = admission.closeDoor()
    expect(rejected).toEqual([]) // the caller settles its own state first
    tell()
    expect(rejected).toEqual(["PoolClosed"])
    admission.dequeued()
    runTasks()
    expect(admitted).toEqual([])
  })

  it("keeps the load: queued and outstanding through starts, requeues, hand-backs and ends; drained once at zero", () => {
    const { host, log } = makeHost({ capacity: 10 })
    const admission = new Admission(host)
    admission.tryAdmit("a", 0, undefined)
    admission.tryAdmit("b", 0, undefined)
    admission.dequeued() // a starts
    admission.requeued() // ... and goes back unrun
    admission.handedBack(2) // shutdown takes both out of the queue
    expect([admission.queued, admission.outstanding]).toEqual([0, 2])
    admission.settled()
    expect(log).not.toContain("drained")
    admission.settled()
    expect(log.slice(-2)).toEqual(["@troupe.pool.drained 0", "drained"])
    expect(admission.outstanding).toBe(0)
  })

  it("wakes load waiters from a scheduler task once their condition holds, and at once if it holds now", () => {
    const { host, runTasks } = makeHost({ capacity: 10 })
    const admission = new Admission(host)
    const woken: Array<string> = []
    admission.whenLoad(() => admission.queued < 5, () => void woken.push("now"))
    expect(woken).toEqual(["now"])
    for (const n of [1, 2, 3]) admission.tryAdmit(n, 0, undefined)
    admission.whenLoad(() => admission.queued < 2, () => void woken.push("below 2"))
    const cancel = admission.whenLoad(() => admission.queued < 1, () => void woken.push("cancelled"))
    cancel()
    admission.dequeued()
    runTasks()
    expect(woken).toEqual(["now"])
    admission.dequeued()
    runTasks()
    expect(woken).toEqual(["now", "below 2"])
    admission.dequeued()
    runTasks()
    expect(woken).toEqual(["now", "below 2"]) // the cancelled waiter never runs
  })
})
