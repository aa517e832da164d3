// Every flag of `troupe`, each with its environment variable (Effect `Config`),
// so a run is reproducible from a `.env` file: the flag wins, then the
// variable, then the default.
import { Config } from "effect"
import { Flag } from "effect/cli"
import { parseTeams } from "./teams.ts"

const positive = (name: string) => (n: number) => `--${name} must be a positive whole number, got ${n}`

const count = (name: string, env: string, description: string) =>
  Flag.Int(name).pipe(
    Flag.withDescription(description),
    Flag.withFallbackConfig(Config.Int(env)),
    Flag.filter((n) => n >= 1, positive(name))
  )

const choice = <const L extends ReadonlyArray<string>>(name: string, env: string, values: L, fallback: L[number], description: string) =>
  Flag.Literals(name, values).pipe(
    Flag.withDescription(`${description} (default ${fallback}; env ${env})`),
    Flag.withFallbackConfig(Config.Literals(values, env)),
    Flag.withDefault(fallback)
  )

const toggle = (name: string, env: string, description: string) =>
  Flag.Boolean(name).pipe(
    Flag.withDescription(`${description} (env ${env})`),
    Flag.withFallbackConfig(Config.Boolean(env)),
    Flag.withDefault(false)
  )

const teams = (name: string, env: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withDescription(`${description}: N (1..N), A..B, or a list such as 1,2,4 (env ${env})`),
    Flag.withFallbackConfig(Config.String(env)),
    Flag.mapTryCatch(parseTeams, (error) => `--${name}: ${(error as Error).message}`),
    Flag.optional
  )

/** What every command accepts: where the report goes and how the run talks (and `--verbose`, said per command). */
export const common = {
  out: Flag.String("out").pipe(
    Flag.withDescription("Folder for the report: JSON, SVG charts, HTML (default out; env TROUPE_OUT)"),
    Flag.withFallbackConfig(Config.String("TROUPE_OUT")),
    Flag.withDefault("out")
  ),
  json: toggle("json", "TROUPE_JSON", "Print the results as JSON on stdout, nothing else; no progress bars"),
  profile: toggle("profile", "TROUPE_PROFILE", "Write a CPU profile of the run (Node's .cpuprofile) next to the report")
}

/** The scaling study's flags. */
export const study = {
  ...common,
  verbose: toggle("verbose", "TROUPE_VERBOSE", "Print each job's start and completion with its worker's id"),
  kind: choice("kind", "TROUPE_KIND", ["both", "sleep", "cpu"], "both", "Which jobs: sleep (I/O-bound, fiber workers), cpu (digits of pi, thread workers) or both"),
  jobs: count("jobs", "TROUPE_JOBS", "Jobs per batch (default 16 sleep jobs, and 8 CPU jobs per core; env TROUPE_JOBS)").pipe(Flag.optional),
  sleepMs: count("sleep-ms", "TROUPE_SLEEP_MS", "How long each sleep job sleeps, ms (default 100; env TROUPE_SLEEP_MS)").pipe(Flag.withDefault(100)),
  digits: count("digits", "TROUPE_DIGITS", "Digits of pi each CPU job computes (default 9000, ~50 ms; env TROUPE_DIGITS)").pipe(Flag.withDefault(9000)),
  repeat: count("repeat", "TROUPE_REPEAT", "Batches per fixed team; each row shows their median (default 3; env TROUPE_REPEAT)").pipe(Flag.withDefault(3)),
  workers: teams("workers", "TROUPE_WORKERS", "Fiber worker teams for sleep jobs (default 1..jobs)"),
  threads: teams("threads", "TROUPE_THREADS", "Thread worker teams for CPU jobs (default 1..available parallelism)"),
  mailbox: choice("mailbox", "TROUPE_MAILBOX", ["fifo", "lifo", "priority"], "fifo", "Each worker's mailbox"),
  dispatch: choice("dispatch", "TROUPE_DISPATCH", ["leastLoaded", "roundRobin", "workStealing"], "leastLoaded", "How jobs are placed on workers"),
  scaling: choice("scaling", "TROUPE_SCALING", ["auto", "threshold"], "auto", "The autoscaled run's policy: auto (grow at a threshold, retire idle workers) or threshold (grow only)"),
  jobsPerWorker: count("jobs-per-worker", "TROUPE_JOBS_PER_WORKER", "The autoscaled run grows the team when this many jobs wait per worker (default 1; env TROUPE_JOBS_PER_WORKER)").pipe(Flag.withDefault(1)),
  idleAfterMs: count("idle-after-ms", "TROUPE_IDLE_AFTER_MS", "The autoscaled run retires a worker idle this long, ms (default 300; env TROUPE_IDLE_AFTER_MS)").pipe(Flag.withDefault(300))
}

/** `troupe bench`'s flags. */
export const bench = {
  ...common,
  verbose: toggle("verbose", "TROUPE_VERBOSE", "Print each contender's result as its process ends, and the study's steps"),
  rounds: count("rounds", "TROUPE_ROUNDS", "Rounds per scenario: each contender runs in a fresh process per round (default 5; env TROUPE_ROUNDS)").pipe(Flag.withDefault(5)),
  only: Flag.String("only").pipe(
    Flag.withDescription("Run only these sections, e.g. A,C (default all; env TROUPE_ONLY)"),
    Flag.withFallbackConfig(Config.String("TROUPE_ONLY")),
    Flag.optional
  ),
  write: Flag.Boolean("write").pipe(
    Flag.withDescription("Write docs/benchmarks.md and its charts (default true; --no-write to only print; env TROUPE_WRITE)"),
    Flag.withFallbackConfig(Config.Boolean("TROUPE_WRITE")),
    Flag.withDefault(true)
  )
}
