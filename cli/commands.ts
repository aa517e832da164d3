// The `troupe` command line: `study` (also what a bare `troupe` runs) and
// `bench`. Handlers are parameters so tests can check parsing alone.
import { Effect, Layer } from "effect"
import { Command } from "effect/cli"
import type { EnvFileError } from "./config.ts"
import * as Flags from "./flags.ts"
import * as Presenter from "./presenter.ts"

type FlagValues<F> = { readonly [K in keyof F]: F[K] extends import("effect/cli").Flag.Flag<infer A> ? A : never }
export type StudyInput = FlagValues<typeof Flags.study>
export type BenchInput = FlagValues<typeof Flags.bench>

export interface Handlers<E1, R1, E2, R2> {
  readonly study: (input: StudyInput) => Effect.Effect<void, E1, R1>
  readonly bench: (input: BenchInput) => Effect.Effect<void, E2, R2>
}

const studyDescription =
  "The scaling study: one batch of equal jobs on 1, 2, … N workers, for sleep jobs on fiber workers and CPU jobs " +
  "(digits of pi) on thread workers, then the same batch with the supervisor sizing the team. Prints a table per " +
  "job kind and writes study.json, speedup.svg, timeline.svg and report.html to --out."

const benchDescription =
  "troupe against its peers (Effect Queue + fibers, p-queue, piscina) and the scaling study, each contender in a " +
  "fresh process per round; writes docs/benchmarks.md with its charts."

export const make = <E1, R1, E2, R2>(handlers: Handlers<E1, R1, E2, R2>) => {
  const study = Command.make("study", Flags.study, handlers.study).pipe(Command.withDescription(studyDescription))
  const bench = Command.make("bench", Flags.bench, handlers.bench).pipe(Command.withDescription(benchDescription))
  return Command.make("troupe", Flags.study, handlers.study).pipe(
    Command.withDescription(`troupe: supervised, self-sizing worker pools for Effect. With no command, runs the study. ${studyDescription}`),
    Command.withSubcommands([study, bench])
  )
}

/**
 * What a run of the command line needs around it, in `troupe` and in its tests: the flags' fallbacks
 * (`config`, cli/config.ts), and bad input, a `.env` file that cannot be read included, reported by
 * cli/presenter.ts.
 */
export const provide = <RC>(config: Layer.Layer<never, EnvFileError, RC>) =>
  Effect.provide(Layer.merge(config.pipe(Layer.tapError(Presenter.reportFailure)), Presenter.layer))
