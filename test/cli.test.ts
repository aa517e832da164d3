// The command line: what each flag parses to, where its fallback comes from
// (flag, then environment, then `.env`), and what a bad invocation prints.
import { NodeServices } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { Console, ConfigProvider, Effect, type Exit, Layer, Option, Result } from "effect"
import { CliOutput, Command } from "effect/cli"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, expectTypeOf } from "vitest"
import * as Commands from "../cli/commands.ts"
import * as CliConfig from "../cli/config.ts"
import { resolve, type StudyFlags } from "../lib/study/plan.ts"
import { defaultFlags } from "../bench/sections/study.ts"
import { parseTeams } from "../cli/teams.ts"

interface Ran {
  readonly study: ReadonlyArray<Commands.StudyInput>
  readonly bench: ReadonlyArray<Commands.BenchInput>
  readonly runner: ReadonlyArray<Commands.RunnerInput>
  readonly dashboard: ReadonlyArray<Commands.DashboardInput>
  /** What it printed on stdout and on stderr, lines joined. */
  readonly stdout: string
  readonly stderr: string
  readonly exit: Exit.Exit<void, unknown>
}

/**
 * Runs the command line on `args` as `troupe` does (cli/main.ts), flags falling back to `config`,
 * with handlers that only record what they were given and a console that records what it printed.
 */
const troupe = (args: ReadonlyArray<string>, config: Layer.Layer<never, CliConfig.EnvFileError>) =>
  Effect.gen(function*() {
    const study: Array<Commands.StudyInput> = []
    const bench: Array<Commands.BenchInput> = []
    const runner: Array<Commands.RunnerInput> = []
    const dashboard: Array<Commands.DashboardInput> = []
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const console: Console.Console = {
      ...globalThis.console,
      log: (...line) => void stdout.push(line.join(" ")),
      error: (...line) => void stderr.push(line.join(" "))
    }
    const cli = Commands.make({
      study: (input) => Effect.sync(() => void study.push(input)),
      bench: (input) => Effect.sync(() => void bench.push(input)),
      runner: (input) => Effect.sync(() => void runner.push(input)),
      dashboard: (input) => Effect.sync(() => void dashboard.push(input))
    })
    const exit = yield* Command.runWith(cli, { version: "test" })(args).pipe(
      Commands.provide(config),
      Effect.provide(CliOutput.layer(CliOutput.defaultFormatter({ colors: false }))),
      Effect.provideService(Console.Console, console),
      Effect.exit
    )
    return { study, bench, runner, dashboard, stdout: stdout.join("\n"), stderr: stderr.join("\n"), exit } satisfies Ran
  }).pipe(Effect.provide(NodeServices.layer))

/** `troupe` on `args` with `env` for its environment and no `.env` file. */
const parse = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  troupe(args, ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

/** The flags' fallbacks read from the `.env` file `path` (or `.env` here), after `env`. */
const withEnvFile = (path: string | undefined, env: Record<string, string> = {}) =>
  CliConfig.layer(path, ConfigProvider.fromEnv({ env })).pipe(Layer.provide(NodeServices.layer))

describe("troupe study: flags", () => {
  it.effect("a bare `troupe` runs the study with its defaults", () =>
    Effect.gen(function*() {
      const { study, bench, exit } = yield* parse([])
      expect(exit._tag).toBe("Success")
      expect(bench).toEqual([])
      expect(study).toHaveLength(1)
      const input = study[0]!
      expect(input).toMatchObject({
        kind: "both", sleepMs: 100, digits: 9000, repeat: 3, mailbox: "fifo", dispatch: "leastLoaded", scaling: "auto",
        jobsPerWorker: 1, idleAfterMs: 300, out: "out", json: false, verbose: false, profile: false
      })
      expect(Option.isNone(input.jobs) && Option.isNone(input.workers) && Option.isNone(input.threads)).toBe(true)
      expect(input).toMatchObject(defaultFlags) // what `troupe bench` runs as its study section
      // The defaults the issue asks for: sleep teams up to the batch size, thread teams up to the cores.
      const plan = resolve(input, 2)
      expect(plan.kinds.map((k) => [k.kind, k.jobs, k.size, k.teams])).toEqual([
        ["sleep", 16, 100, Array.from({ length: 16 }, (_, i) => i + 1)],
        ["cpu", 16, 9000, [1, 2]]
      ])
    }))

  it("the study reads every study flag as parsed (lib/study/plan.ts states them; tsc checks they agree)", () => {
    expectTypeOf<StudyFlags>().toEqualTypeOf<Omit<Commands.StudyInput, "out" | "json" | "verbose" | "profile">>()
  })

  it.effect("every flag parses to the setting it names", () =>
    Effect.gen(function*() {
      const { study, exit } = yield* parse([
        "study", "--kind", "cpu", "--jobs", "12", "--digits", "500", "--threads", "1,2,4", "--workers", "2..3",
        "--mailbox", "priority", "--dispatch", "workStealing", "--scaling", "threshold", "--jobs-per-worker", "3",
        "--idle-after-ms", "50", "--sleep-ms", "7", "--repeat", "2", "--out", "elsewhere", "--json", "--verbose", "--profile"
      ])
      expect(exit._tag).toBe("Success")
      expect(study[0]).toMatchObject({
        kind: "cpu", digits: 500, sleepMs: 7, repeat: 2, mailbox: "priority", dispatch: "workStealing", scaling: "threshold",
        jobsPerWorker: 3, idleAfterMs: 50, out: "elsewhere", json: true, verbose: true, profile: true
      })
      expect(study[0]!.jobs).toEqual(Option.some(12))
      expect(study[0]!.threads).toEqual(Option.some([1, 2, 4]))
      expect(study[0]!.workers).toEqual(Option.some([2, 3]))
      expect(resolve(study[0]!, 8).kinds).toEqual([{ kind: "cpu", jobs: 12, size: 500, teams: [1, 2, 4] }])
    }))

  it.effect("--runners N runs the study across 1..N runner processes, on --postgres's server", () =>
    Effect.gen(function*() {
      const { study } = yield* parse(["--runners", "3", "--postgres", "postgres://u:p@db.example:5432/jobs", "--kind", "sleep"])
      expect(study[0]).toMatchObject({ runners: Option.some(3), postgres: Option.some("postgres://u:p@db.example:5432/jobs") })
      const plan = resolve(study[0]!, 2)
      expect(plan.distributed).toEqual({ runners: 3, postgres: "postgres://u:p@db.example:5432/jobs" })
      expect(plan.kinds.map((k) => k.teams)).toEqual([[1, 2, 3]])
      const local = yield* parse([], { TROUPE_POSTGRES_URL: "postgres://h/db" }) // the variable alone: still the local study
      expect(resolve(local.study[0]!, 2).distributed).toBeUndefined()
      const fromEnv = yield* parse([], { TROUPE_RUNNERS: "2" })
      expect(resolve(fromEnv.study[0]!, 2).distributed).toEqual({ runners: 2, postgres: undefined }) // embedded
    }))

  it.effect("runner takes its own flags, each with its variable", () =>
    Effect.gen(function*() {
      const { runner, study } = yield* parse(["runner", "--host", "10.0.0.5", "--port", "7000", "--name", "r1", "--max-workers", "4", "--postgres", "postgres://h/db"])
      expect(study).toEqual([])
      expect(runner[0]).toMatchObject({ host: "10.0.0.5", port: Option.some(7000), name: Option.some("r1"), maxWorkers: 4, postgres: Option.some("postgres://h/db") })
      const defaults = (yield* parse(["runner"])).runner[0]!
      expect(defaults).toMatchObject({ host: "127.0.0.1", port: Option.none(), name: Option.none(), maxWorkers: 16, postgres: Option.none() })
      const env = { TROUPE_RUNNER_HOST: "10.1.1.1", TROUPE_RUNNER_PORT: "7001", TROUPE_RUNNER_NAME: "e", TROUPE_MAX_WORKERS: "2", TROUPE_POSTGRES_URL: "postgres://e/db" }
      expect((yield* parse(["runner"], env)).runner[0]).toMatchObject({
        host: "10.1.1.1", port: Option.some(7001), name: Option.some("e"), maxWorkers: 2, postgres: Option.some("postgres://e/db")
      })
    }))

  it.effect("dashboard takes its host and port, each with its variable; the study takes --dashboard and --dashboard-port", () =>
    Effect.gen(function*() {
      expect((yield* parse(["dashboard"])).dashboard[0]).toMatchObject({ host: "127.0.0.1", port: Option.none() })
      expect((yield* parse(["dashboard", "--host", "0.0.0.0", "--port", "9464"])).dashboard[0]).toMatchObject({ host: "0.0.0.0", port: Option.some(9464) })
      expect((yield* parse(["dashboard"], { TROUPE_DASHBOARD_HOST: "::1", TROUPE_DASHBOARD_PORT: "9000" })).dashboard[0]).toMatchObject({
        host: "::1",
        port: Option.some(9000)
      })
      expect((yield* parse(["--dashboard", "--dashboard-port", "9100"])).study[0]).toMatchObject({ dashboard: true, dashboardPort: Option.some(9100) })
      expect((yield* parse([], { TROUPE_DASHBOARD: "1" })).study[0]).toMatchObject({ dashboard: true, dashboardPort: Option.none() })
    }))

  it.effect("bench takes its own flags", () =>
    Effect.gen(function*() {
      const { bench, study, exit } = yield* parse(["bench", "--rounds", "2", "--only", "A,C", "--no-write"])
      expect(exit._tag).toBe("Success")
      expect(study).toEqual([])
      expect(bench[0]).toMatchObject({ rounds: 2, only: Option.some("A,C"), write: false, out: "out" })
    }))

  it.effect("a flag falls back to its TROUPE_* variable; the flag wins over it", () =>
    Effect.gen(function*() {
      const env = { TROUPE_JOBS: "5", TROUPE_KIND: "sleep", TROUPE_WORKERS: "1..3", TROUPE_VERBOSE: "true", TROUPE_ROUNDS: "3" }
      const fromEnv = yield* parse(["study"], env)
      expect(fromEnv.study[0]).toMatchObject({ kind: "sleep", verbose: true, jobs: Option.some(5), workers: Option.some([1, 2, 3]) })
      const flagWins = yield* parse(["study", "--jobs", "9", "--kind", "cpu"], env)
      expect(flagWins.study[0]).toMatchObject({ kind: "cpu", jobs: Option.some(9) })
      expect((yield* parse(["bench"], env)).bench[0]).toMatchObject({ rounds: 3 })
    }))

  it.effect("a .env file fills in what neither the flags nor the environment set", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "troupe-env-"))
      const file = join(dir, ".env")
      writeFileSync(file, "TROUPE_JOBS=6\nTROUPE_MAILBOX=lifo\n# a comment\nTROUPE_KIND=sleep\n")
      const { study } = yield* troupe(["--digits", "700"], withEnvFile(file, { TROUPE_KIND: "cpu" }))
      expect(study[0]).toMatchObject({ kind: "cpu", mailbox: "lifo", digits: 700, jobs: Option.some(6) })
    }))

  it.effect("--help explains every flag", () =>
    Effect.gen(function*() {
      const { stdout: help, stderr, study, exit } = yield* parse(["study", "--help"])
      expect(exit._tag).toBe("Success")
      expect(study).toEqual([])
      expect(stderr).toBe("")
      for (const flag of ["--kind", "--jobs", "--sleep-ms", "--digits", "--workers", "--threads", "--mailbox", "--dispatch",
        "--scaling", "--jobs-per-worker", "--idle-after-ms", "--repeat", "--out", "--json", "--verbose", "--profile"]) {
        const line = help.split("\n").find((l) => l.trimStart().startsWith(flag + " ") || l.trim() === flag)
        expect(line, flag).toBeDefined()
        expect(line!.replace(flag, "").trim().length, `${flag} has a description`).toBeGreaterThan(20)
      }
      const runnerHelp = (yield* parse(["runner", "--help"])).stdout
      for (const flag of ["--postgres", "--host", "--port", "--name", "--max-workers"]) {
        const line = runnerHelp.split("\n").find((l) => l.trimStart().startsWith(flag + " "))
        expect(line, flag).toBeDefined()
        expect(line!.replace(flag, "").trim().length, `${flag} has a description`).toBeGreaterThan(20)
      }
      expect((yield* parse(["--help"])).stdout).toContain("bench")
      expect((yield* parse(["--help"])).stdout).toContain("runner")
      expect((yield* parse(["--version"])).stdout).toBe("troupe vtest")
    }))
})

describe("docs/cli.md", () => {
  it.effect("lists every flag of study, bench, runner and dashboard with the variable --help names", () =>
    Effect.gen(function*() {
      const page = readFileSync(new URL("../docs/cli.md", import.meta.url), "utf8")
      for (const args of [["study", "--help"], ["bench", "--help"], ["runner", "--help"], ["dashboard", "--help"]]) {
        const help = (yield* parse(args)).stdout
        const flags = [...help.matchAll(/^\s+(--[a-z-]+)\b.*\(.*env (TROUPE_[A-Z_]+)\)/gm)].map((m) => [m[1]!, m[2]!] as const)
        expect(flags.length).toBeGreaterThan({ study: 19, bench: 6, runner: 4, dashboard: 1 }[args[0]!]!)
        for (const [flag, env] of flags) {
          const documented = page.includes(`| \`${flag}\` | \`${env}\` |`) || (page.includes(`\`${flag}`) && page.includes(`\`${env}`))
          expect(documented, `${flag} (${env}) in docs/cli.md`).toBe(true)
        }
      }
    }))

  it.effect("shows what bad input prints, as it prints it", () =>
    Effect.gen(function*() {
      const page = readFileSync(new URL("../docs/cli.md", import.meta.url), "utf8")
      expect(page).toContain(`$ npm start -- --threads 4..2\n${(yield* parse(["--threads", "4..2"])).stderr}\n`)
      expect(page).toContain(`$ TROUPE_JOBS=abc npm start\n${(yield* parse([], { TROUPE_JOBS: "abc" })).stderr}\n`)
    }))
})

describe("troupe: bad input gets one line on stderr, the --help pointer and exit code 1", () => {
  const toHelp = "Run troupe --help for every flag."
  const whole = "a whole number of at least 1"
  // [what, args, environment, the line on stderr before the pointer]
  const cases: Array<[string, ReadonlyArray<string>, Record<string, string>, string]> = [
    ["unknown flag", ["--frob"], {}, "troupe: unknown flag --frob"],
    ["misspelt flag", ["--job=3"], {}, "troupe: unknown flag --job (did you mean --jobs?)"],
    ["a flag of another command", ["bench", "--kind", "cpu"], {}, "troupe bench: unknown flag --kind"],
    ["unknown command", ["benchh"], {}, `troupe: unknown command "benchh": expected study or bench or runner or dashboard`],
    ["stray argument", ["study", "extra"], {}, `troupe study: unexpected "extra": expected flags only`],
    ["missing value", ["--jobs"], {}, "troupe: --jobs needs a value (integer)"],
    ["missing choice", ["--kind"], {}, "troupe: --kind needs a value (both | sleep | cpu)"],
    ["not a number", ["--jobs", "many"], {}, `troupe: --jobs "many": expected ${whole}`],
    ["a fraction", ["--digits", "1.5"], {}, `troupe: --digits "1.5": expected ${whole}`],
    ["zero jobs", ["--jobs", "0"], {}, `troupe: --jobs "0": expected ${whole}`],
    ["negative", ["--repeat=-2"], {}, `troupe: --repeat "-2": expected ${whole}`],
    ["bad kind", ["--kind", "x"], {}, `troupe: --kind "x": expected "both" | "sleep" | "cpu"`],
    ["bad mailbox", ["--mailbox", "x"], {}, `troupe: --mailbox "x": expected "fifo" | "lifo" | "priority"`],
    ["bad dispatch", ["--dispatch", "random"], {}, `troupe: --dispatch "random": expected "leastLoaded" | "roundRobin" | "workStealing"`],
    ["backward range", ["--workers", "5..2"], {}, `troupe: --workers "5..2": expected A..B with 1 <= A <= B`],
    ["no threads", ["--threads", "0"], {}, `troupe: --threads "0": expected N of at least 1 (teams 1..N)`],
    ["bad list", ["--workers", "1,1,2"], {}, `troupe: --workers "1,1,2": expected increasing sizes of at least 1, such as 1,2,4`],
    ["bad team", ["--workers", "lots"], {}, `troupe: --workers "lots": expected N (teams 1..N), A..B, or a list such as 1,2,4`],
    ["huge team", ["--workers", "99999999999"], {}, `troupe: --workers "99999999999": expected teams of at most 10000 workers`],
    ["huge batch", ["--jobs", "99999999999"], {}, `troupe: --jobs "99999999999": expected a whole number from 1 to 10,000`],
    ["bad rounds", ["bench", "--rounds", "-1"], {}, `troupe bench: --rounds "-1": expected ${whole}`],
    ["too many runners", ["--runners", "17"], {}, `troupe: --runners "17": expected a whole number from 1 to 16`],
    ["no runners", ["--runners", "0"], {}, `troupe: --runners "0": expected ${whole}`],
    ["a port out of range", ["runner", "--port", "70000"], {}, `troupe runner: --port "70000": expected a whole number from 1 to 65,535`],
    ["runner's variable", ["runner"], { TROUPE_RUNNER_PORT: "http" }, `troupe runner: TROUPE_RUNNER_PORT="http": expected ${whole}`],
    ["a study flag given to runner", ["runner", "--jobs", "3"], {}, "troupe runner: unknown flag --jobs"],
    ["a dashboard port out of range", ["dashboard", "--port", "0"], {}, `troupe dashboard: --port "0": expected ${whole}`],
    ["the study's dashboard port", ["--dashboard-port", "x"], {}, `troupe: --dashboard-port "x": expected ${whole}`],
    ["unknown section", ["bench", "--only", "A,Z"], {}, `troupe bench: --only "A,Z": expected section keys among A, B, C, D, E, F, G, H, I, such as A,C`],
    ["variable not a number", [], { TROUPE_JOBS: "abc" }, `troupe: TROUPE_JOBS="abc": expected ${whole}`],
    ["variable out of range", [], { TROUPE_JOBS: "0" }, `troupe: TROUPE_JOBS="0": expected ${whole}`],
    ["variable bad choice", [], { TROUPE_KIND: "x" }, `troupe: TROUPE_KIND="x": expected "both" | "sleep" | "cpu"`],
    ["variable bad range", ["study"], { TROUPE_THREADS: "4..2" }, `troupe study: TROUPE_THREADS="4..2": expected A..B with 1 <= A <= B`],
    ["variable bad toggle", [], { TROUPE_JSON: "maybe" }, `troupe: TROUPE_JSON="maybe": expected "true" | "yes" | "on" | "1" | "y" | "false" | "no" | "off" | "0" | "n"`],
    ["bench's variable", ["bench"], { TROUPE_ROUNDS: "none" }, `troupe bench: TROUPE_ROUNDS="none": expected ${whole}`],
    ["bench's sections variable", ["bench"], { TROUPE_ONLY: "z" }, `troupe bench: TROUPE_ONLY="z": expected section keys among A, B, C, D, E, F, G, H, I, such as A,C`]
  ]
  for (const [what, args, env, line] of cases) {
    it.effect(`${what}: ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), "troupe", ...args].join(" ")}`, () =>
      Effect.gen(function*() {
        const { exit, stdout, stderr, study, bench, runner, dashboard } = yield* parse(args, env)
        expect(exit._tag).toBe("Failure")
        expect(study.length + bench.length + runner.length + dashboard.length).toBe(0) // nothing ran
        expect(stdout).toBe("") // no help
        const command = line.slice(0, line.indexOf(": ")) // troupe, troupe study, troupe bench
        expect(stderr).toBe(`${line}\nRun ${command} --help for every flag.`)
      }))
  }

  it.effect("a good variable does not hide a bad flag, nor a good flag a bad variable", () =>
    Effect.gen(function*() {
      expect((yield* parse(["--jobs", "0"], { TROUPE_JOBS: "4" })).stderr).toContain(`--jobs "0"`)
      const flagWins = yield* parse(["--jobs", "4"], { TROUPE_JOBS: "abc" })
      expect(flagWins.exit._tag).toBe("Success") // the variable is not read when the flag is given
      expect(flagWins.study[0]!.jobs).toEqual(Option.some(4))
    }))

  it.effect("a bad entry in a .env file names the file", () =>
    Effect.gen(function*() {
      const file = join(mkdtempSync(join(tmpdir(), "troupe-env-")), ".env")
      writeFileSync(file, "TROUPE_KIND=sleep\nTROUPE_JOBS=abc\n")
      const { exit, stdout, stderr, study } = yield* troupe([], withEnvFile(file))
      expect(exit._tag).toBe("Failure")
      expect(study).toEqual([])
      expect(stdout).toBe("")
      expect(stderr).toBe(`troupe: TROUPE_JOBS="abc" in ${file}: expected ${whole}\n${toHelp}`)
      // The same entry from the environment is the environment's.
      expect((yield* troupe([], withEnvFile(file, { TROUPE_JOBS: "x" }))).stderr).toBe(`troupe: TROUPE_JOBS="x": expected ${whole}\n${toHelp}`)
    }))

  it.effect("a TROUPE_ENV_FILE that does not exist is an error, not ignored", () =>
    Effect.gen(function*() {
      const missing = join(tmpdir(), "no-such-troupe.env")
      const { exit, stdout, stderr, study } = yield* troupe([], withEnvFile(missing))
      expect(exit._tag).toBe("Failure")
      expect(study).toEqual([])
      expect(stdout).toBe("")
      expect(stderr).toBe(`troupe: TROUPE_ENV_FILE="${missing}": expected a .env file that exists\n${toHelp}`)
    }))

  it.effect("a .env that cannot be read is an error", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "troupe-env-")) // a folder: unreadable as a file, even for root
      const { exit, stdout, stderr, study } = yield* troupe([], withEnvFile(folder))
      expect(exit._tag).toBe("Failure")
      expect(study).toEqual([])
      expect(stdout).toBe("")
      expect(stderr).toBe(`troupe: TROUPE_ENV_FILE="${folder}": expected a readable .env file; reading it failed: BadResource: FileSystem.readFile (${folder})\n${toHelp}`)
    }))
})

describe("parseTeams", () => {
  it.effect("N, A..B and increasing lists", () =>
    Effect.sync(() => {
      expect(parseTeams("3")).toEqual(Result.succeed([1, 2, 3]))
      expect(parseTeams("2..4")).toEqual(Result.succeed([2, 3, 4]))
      expect(parseTeams("5..5")).toEqual(Result.succeed([5]))
      expect(parseTeams(" 1,2,8 ")).toEqual(Result.succeed([1, 2, 8]))
      expect(parseTeams("1,10000")).toEqual(Result.succeed([1, 10000]))
      for (const bad of ["0", "0..2", "3..1", "2,1", "1,,2", "-1", "1.5", "", "10001", "1..10001", "1,10001"]) {
        expect(Result.isFailure(parseTeams(bad)), bad).toBe(true)
      }
    }))
})
