// The `troupe` command line: `study` (also what a bare `troupe` runs),
// `bench`, `runner` and `dashboard`. Handlers are parameters so tests can check parsing alone.
import { Effect, Layer } from "effect"
import { Command } from "effect/cli"
import type { EnvFileError } from "./config.ts"
import * as Flags from "./flags.ts"
import * as Presenter from "./presenter.ts"

type FlagValues<F> = { readonly [K in keyof F]: F[K] extends import("effect/cli").Flag.Flag<infer A> ? A : never }
export type StudyInput = FlagValues<typeof Flags.study>
export type BenchInput = FlagValues<typeof Flags.bench>
export type RunnerInput = FlagValues<typeof Flags.runner>
export type DashboardInput = FlagValues<typeof Flags.dashboard>

export interface Handlers<E1, R1, E2, R2, E3, R3, E4 = never, R4 = never> {
  readonly study: (input: StudyInput) => Effect.Effect<void, E1, R1>
  readonly bench: (input: BenchInput) => Effect.Effect<void, E2, R2>
  readonly runner: (input: RunnerInput) => Effect.Effect<void, E3, R3>
  readonly dashboard: (input: DashboardInput) => Effect.Effect<void, E4, R4>
}

const studyDescription =
  "The scaling study: one batch of equal jobs on 1, 2, … N workers, for sleep jobs on fiber workers and CPU jobs " +
  "(digits of pi) on thread workers, then the same batch with the supervisor sizing the team. Prints a table per " +
  "job kind and writes study.json, speedup.svg, timeline.svg and report.html to --out. With --runners N, the " +
  "batches run across 1..N runner processes sharing PostgreSQL instead, and it prints a table per job kind."

const benchDescription =
  "troupe against its peers (Effect Queue + fibers, p-queue, piscina) and the scaling study, each contender in a " +
  "fresh process per round; writes docs/benchmarks.md with its charts."

const runnerDescription =
  "One runner process of a distributed troupe: a troupe pool serving the study's jobs on Effect Cluster, sharing " +
  "PostgreSQL with the other runners (--postgres; without it, one started here for its lifetime, its URL printed). " +
  "Runs until Ctrl-C or SIGTERM, then hands its shards back."

const dashboardDescription =
  "The live dashboard on a demo workload: a pool whose team grows and shrinks through waves of jobs, on a page at " +
  "127.0.0.1 (its address printed). Runs until Ctrl-C."

export const make = <E1, R1, E2, R2, E3, R3, E4, R4>(handlers: Handlers<E1, R1, E2, R2, E3, R3, E4, R4>) => {
  const study = Command.make("study", Flags.study, handlers.study).pipe(Command.withDescription(studyDescription))
  const bench = Command.make("bench", Flags.bench, handlers.bench).pipe(Command.withDescription(benchDescription))
  const runner = Command.make("runner", Flags.runner, handlers.runner).pipe(Command.withDescription(runnerDescription))
  const dashboard = Command.make("dashboard", Flags.dashboard, handlers.dashboard).pipe(Command.withDescription(dashboardDescription))
  return Command.make("troupe", Flags.study, handlers.study).pipe(
    Command.withDescription(`troupe: supervised, self-sizing worker pools for Effect. With no command, runs the study. ${studyDescription}`),
    Command.withSubcommands([study, bench, runner, dashboard])
  )
}

/**
 * What a run of the command line needs around it, in `troupe` and in its tests: the flags' fallbacks
 * (`config`, cli/config.ts), and bad input, a `.env` file that cannot be read included, reported by
 * cli/presenter.ts.
 */
export const provide = <RC>(config: Layer.Layer<never, EnvFileError, RC>) =>
  Effect.provide(Layer.merge(config.pipe(Layer.tapError(Presenter.reportFailure)), Presenter.layer))
