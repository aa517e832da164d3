// C. Thread workers against piscina, each contender in a fresh process:
//  1. time from pool creation to the first result (2 threads);
//  2. 20,000 tiny tasks (sum of 1..1000) on 2 threads: tasks per second,
//     after an unmeasured warm-up run of the same size;
//  3. 32 CPU jobs (~50 ms of BigInt pi digits each) on 1, then 2 threads
//     (the best of three batches each).
// troupe runs with its default options (no `concurrency`: each thread's
// window adapts to its jobs' time) in every phase; piscina with its default
// (one task at a time per thread) or a window of WINDOW tasks.
import { Effect } from "effect"
import { Piscina } from "piscina"
import { Pool } from "troupe"
import { availableParallelism } from "node:os"
import { childName } from "./lib/harness.ts"
import { pi, tiny } from "./threads/task.troupe.ts"
import { tiny as tinyEffect } from "./threads/task.troupe-effect.ts"

export const TINY_TASKS = 20_000
export const CPU_JOBS = 32
export const PI_DIGITS = 9_000
/** Tasks in flight per thread in piscina-window's tiny-task run (its `concurrentTasksPerWorker`): troupe's adaptive window's ceiling. */
export const WINDOW = 32

export const contenders = ["troupe", "troupe-effect", "piscina", "piscina-window"] as const
/** Only in the scaling run: troupe with least-loaded dispatch, to set work stealing against on equal jobs. */
export const scaleContenders = ["troupe", "troupe-leastLoaded", "piscina"] as const
type Contender = (typeof contenders)[number] | (typeof scaleContenders)[number]

const piscinaFile = new URL("./threads/task.piscina.ts", import.meta.url).href

interface Runner {
  readonly run: (name: "tiny" | "pi", input: number) => Promise<unknown>
  /** Runs every input and returns the results in order, as the pool's users would. */
  readonly runAll: (name: "tiny" | "pi", inputs: ReadonlyArray<number>) => Promise<ReadonlyArray<unknown>>
  readonly close: () => Promise<void>
}

// Default options but the team (fixed, `threads` of them) and dispatch: no `concurrency`.
const troupeRunner = async (
  threads: number,
  handler: typeof tiny | typeof pi | typeof tinyEffect,
  dispatch: "workStealing" | "leastLoaded" = "workStealing" // stealing: a thread slowed by a neighbour gives its waiting jobs to the other
): Promise<Runner> => {
  const { Scope } = await import("effect")
  const scope = Effect.runSync(Scope.make())
  const pool = await Effect.runPromise(
    Pool.make({
      handler: handler as typeof tiny,
      minWorkers: threads,
      maxWorkers: threads,
      scaling: "fixed",
      dispatch,
      capacity: "unbounded"
    }).pipe(
      Scope.provide(scope)
    )
  )
  return {
    run: (_name, input) => Effect.runPromise(Pool.submit(pool, input)),
    runAll: (_name, inputs) => Effect.runPromise(Effect.forEach(inputs, (input) => Pool.submit(pool, input), { concurrency: "unbounded" })),
    close: () => Effect.runPromise(Scope.close(scope, Effect.void as never))
  }
}

const piscinaRunner = (threads: number, window: number): Runner => {
  const pool = new Piscina({ filename: piscinaFile, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: window })
  return {
    run: (name, input) => pool.run(input, { name }),
    runAll: (name, inputs) => Promise.all(inputs.map((input) => pool.run(input, { name }))),
    close: () => pool.destroy()
  }
}

const open = (who: Contender, threads: number, kind: "tiny" | "pi"): Promise<Runner> | Runner => {
  if (who === "troupe") return troupeRunner(threads, kind === "tiny" ? tiny : pi)
  if (who === "troupe-effect") return troupeRunner(threads, tinyEffect)
  if (who === "troupe-leastLoaded") return troupeRunner(threads, kind === "tiny" ? tiny : pi, "leastLoaded")
  return piscinaRunner(threads, kind === "tiny" && who === "piscina-window" ? WINDOW : 1)
}

const timeToFirstResult = async (who: Contender): Promise<number> => {
  const start = performance.now()
  const runner = await open(who, 2, "tiny")
  await runner.run("tiny", 1000)
  const ms = performance.now() - start
  await runner.close()
  return ms
}

const tinyTasksPerSecond = async (who: Contender): Promise<number> => {
  const runner = await open(who, 2, "tiny")
  // Warm-up: one unmeasured run of the same size, so both pools are measured with their code optimized.
  await runner.runAll("tiny", Array.from({ length: TINY_TASKS }, () => 1000))
  const start = performance.now()
  const results = await runner.runAll("tiny", Array.from({ length: TINY_TASKS }, () => 1000))
  const seconds = (performance.now() - start) / 1000
  if (results.some((r) => r !== 500500)) throw new Error("wrong tiny result")
  await runner.close()
  return TINY_TASKS / seconds
}

// The best of three batches: on a shared 2-core machine a neighbour's burst
// lands on one of the two threads and skews a single batch.
const cpuMillis = async (who: Contender, threads: number, jobs = CPU_JOBS): Promise<number> => {
  const runner = await open(who, threads, "pi")
  await Promise.all(Array.from({ length: threads }, () => runner.run("pi", 100))) // every thread up
  let best = Infinity
  for (let batch = 0; batch < 3; batch++) {
    const start = performance.now()
    const results = await runner.runAll("pi", Array.from({ length: jobs }, () => PI_DIGITS))
    best = Math.min(best, performance.now() - start)
    if (results.some((r) => !String(r).startsWith("31415926"))) throw new Error("wrong pi")
  }
  await runner.close()
  return best
}

/**
 * A child runs one phase for one contender ("troupe/first": time to first
 * result, then tiny tasks; "troupe/cpu": the CPU jobs), each in a fresh
 * process: 40,000 tiny tasks leave garbage whose collection would compete with
 * the CPU jobs' threads for the machine's two cores.
 */
export const phases = contenders.flatMap((who) => (who === "troupe-effect" ? [`${who}/first`] : [`${who}/first`, `${who}/cpu`]))

/** Teams for the scaling phase (`bench/threadScaling.ts`): 1, 2, 4, … up to the machine's cores. */
export const scaleTeams = (cores: number): Array<number> => {
  const teams = [1]
  while (teams.at(-1)! * 2 <= cores) teams.push(teams.at(-1)! * 2)
  if (teams.at(-1) !== cores) teams.push(cores)
  return teams
}
/** CPU jobs per scaling batch: enough that the largest team runs several each. */
export const scaleJobs = (cores: number): number => Math.max(CPU_JOBS, 8 * cores)

const child = async (phase: string) => {
  const [who, part] = phase.split("/") as [Contender, "first" | "cpu" | "scale"]
  if (part === "scale") {
    const cores = availableParallelism()
    const out: Record<string, number> = {}
    for (const threads of scaleTeams(cores)) out[`ms${threads}`] = await cpuMillis(who, threads, scaleJobs(cores))
    return console.log(JSON.stringify(out))
  }
  if (part === "first") {
    const ttfrMs = await timeToFirstResult(who)
    const tasksPerSec = await tinyTasksPerSecond(who)
    return console.log(JSON.stringify({ ttfrMs, tasksPerSec }))
  }
  const cpu1Ms = await cpuMillis(who, 1)
  const cpu2Ms = await cpuMillis(who, 2)
  console.log(JSON.stringify({ cpu1Ms, cpu2Ms }))
}

const name = childName()
if (name !== undefined) await child(name)
