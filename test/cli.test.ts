// The command line: what each flag parses to, where its fallback comes from
// (flag, then environment, then `.env`), and what a bad invocation says.
import { NodeServices } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { CliOutput, Command } from "effect/cli"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import * as Commands from "../cli/commands.ts"
import * as CliConfig from "../cli/config.ts"
import { resolve } from "../cli/study/plan.ts"
import { defaultFlags } from "../bench/sections/study.ts"
import { parseTeams } from "../cli/teams.ts"

interface Seen {
  study: Array<Commands.StudyInput>
  bench: Array<Commands.BenchInput>
  shown: Array<CliOutput.Presenter.Event>
}

/** Runs the command line on `args` with handlers that only record what they were given. */
const parse = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const seen: Seen = { study: [], bench: [], shown: [] }
    const cli = Commands.make({
      study: (input) => Effect.sync(() => void seen.study.push(input)),
      bench: (input) => Effect.sync(() => void seen.bench.push(input))
    })
    const exit = yield* Command.runWith(cli, { version: "test" })(args).pipe(
      Effect.provide(CliOutput.layerPresenter({ present: (event) => Effect.sync(() => void seen.shown.push(event)) })),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))),
      Effect.exit
    )
    return { ...seen, exit }
  }).pipe(Effect.provide(NodeServices.layer))

/** What a user sees for an invalid invocation: the formatted errors. */
const errorText = (shown: ReadonlyArray<CliOutput.Presenter.Event>): string => {
  const formatter = CliOutput.defaultFormatter({ colors: false })
  return shown.flatMap((e) => (e._tag === "InvalidInvocation" ? [formatter.formatErrors(e.errors)] : [])).join("\n")
}

const helpText = (shown: ReadonlyArray<CliOutput.Presenter.Event>): string => {
  const formatter = CliOutput.defaultFormatter({ colors: false })
  return shown.flatMap((e) => (e._tag === "Help" ? [formatter.formatHelpDoc(e.helpDoc)] : [])).join("\n")
}

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
      const seen: Array<Commands.StudyInput> = []
      const cli = Commands.make({ study: (input) => Effect.sync(() => void seen.push(input)), bench: () => Effect.void })
      const environment = ConfigProvider.fromEnv({ env: { TROUPE_KIND: "cpu" } })
      yield* Command.runWith(cli, { version: "test" })(["--digits", "700"]).pipe(
        Effect.provide(CliConfig.layer(file, environment).pipe(Layer.provide(NodeServices.layer))),
        Effect.provide(NodeServices.layer)
      )
      expect(seen[0]).toMatchObject({ kind: "cpu", mailbox: "lifo", digits: 700, jobs: Option.some(6) })
    }))

  it.effect("a TROUPE_ENV_FILE that does not exist is an error, not ignored", () =>
    Effect.gen(function*() {
      const cli = Commands.make({ study: () => Effect.void, bench: () => Effect.void })
      const exit = yield* Command.runWith(cli, { version: "test" })([]).pipe(
        Effect.provide(CliConfig.layer(join(tmpdir(), "no-such-troupe.env")).pipe(Layer.provide(NodeServices.layer))),
        Effect.provide(NodeServices.layer),
        Effect.exit
      )
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("no-such-troupe.env, which does not exist")
    }))

  it.effect("--help explains every flag", () =>
    Effect.gen(function*() {
      const { shown, study } = yield* parse(["study", "--help"])
      expect(study).toEqual([])
      const help = helpText(shown)
      for (const flag of ["--kind", "--jobs", "--sleep-ms", "--digits", "--workers", "--threads", "--mailbox", "--dispatch",
        "--scaling", "--jobs-per-worker", "--idle-after-ms", "--repeat", "--out", "--json", "--verbose", "--profile"]) {
        const line = help.split("\n").find((l) => l.trimStart().startsWith(flag + " ") || l.trim() === flag)
        expect(line, flag).toBeDefined()
        expect(line!.replace(flag, "").trim().length, `${flag} has a description`).toBeGreaterThan(20)
      }
      expect(helpText((yield* parse(["--help"])).shown)).toContain("bench")
    }))
})

describe("docs/cli.md", () => {
  it.effect("lists every flag of study and bench with the variable --help names", () =>
    Effect.gen(function*() {
      const page = readFileSync(new URL("../docs/cli.md", import.meta.url), "utf8")
      for (const args of [["study", "--help"], ["bench", "--help"]]) {
        const help = helpText((yield* parse(args)).shown)
        const flags = [...help.matchAll(/^\s+(--[a-z-]+)\b.*\(.*env (TROUPE_[A-Z_]+)\)/gm)].map((m) => [m[1]!, m[2]!] as const)
        expect(flags.length).toBeGreaterThan(args[0] === "study" ? 15 : 6)
        for (const [flag, env] of flags) {
          const documented = page.includes(`| \`${flag}\` | \`${env}\` |`) || (page.includes(`\`${flag}`) && page.includes(`\`${env}`))
          expect(documented, `${flag} (${env}) in docs/cli.md`).toBe(true)
        }
      }
    }))
})

describe("troupe: bad input gets a clear message and a failing exit", () => {
  const cases: Array<[string, ReadonlyArray<string>, Record<string, string>, string]> = [
    ["unknown flag", ["--frob"], {}, "Unrecognized flag: --frob"],
    ["unknown command", ["benchh"], {}, `Unknown subcommand "benchh"`],
    ["not a number", ["--jobs", "many"], {}, `Invalid value for flag --jobs: "many"`],
    ["zero jobs", ["--jobs", "0"], {}, "--jobs must be a positive whole number, got 0"],
    ["bad choice", ["--dispatch", "random"], {}, `Expected: "leastLoaded" | "roundRobin" | "workStealing"`],
    ["bad range", ["--threads", "4..2"], {}, `--threads: "4..2" is not a range of teams`],
    ["bad list", ["--workers", "1,1,2"], {}, `--workers: "1,1,2" is not a list of teams`],
    ["bad team", ["--workers", "lots"], {}, `--workers: "lots" is not a team size`],
    ["bad environment", [], { TROUPE_JOBS: "x" }, "TROUPE_JOBS"],
    ["bad rounds", ["bench", "--rounds", "-1"], {}, "--rounds must be a positive whole number, got -1"]
  ]
  for (const [name, args, env, message] of cases) {
    it.effect(`${name}: ${[...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(" ")}`, () =>
      Effect.gen(function*() {
        const { exit, shown, study, bench } = yield* parse(args, env)
        expect(exit._tag).toBe("Failure")
        expect(study.length + bench.length).toBe(0) // nothing ran
        expect(errorText(shown)).toContain(message)
      }))
  }
})

describe("parseTeams", () => {
  it.effect("N, A..B and increasing lists", () =>
    Effect.sync(() => {
      expect(parseTeams("3")).toEqual([1, 2, 3])
      expect(parseTeams("2..4")).toEqual([2, 3, 4])
      expect(parseTeams("5..5")).toEqual([5])
      expect(parseTeams(" 1,2,8 ")).toEqual([1, 2, 8])
      for (const bad of ["0", "0..2", "3..1", "2,1", "1,,2", "-1", "1.5", ""]) expect(() => parseTeams(bad), bad).toThrow()
    }))
})
