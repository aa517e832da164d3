// What a section of docs/benchmarks.md is: a key for --only, how many runs it
// makes (a progress bar's total), and a run that measures and writes its part.
import { Data, Effect } from "effect"

export interface Chart {
  /** File name under docs/benchmarks/. */
  readonly file: string
  readonly svg: string
}

export interface SectionResult {
  readonly markdown: string
  readonly charts: ReadonlyArray<Chart>
  /** The raw measurements (per-round samples), for bench.json. */
  readonly samples: unknown
}

export interface SectionContext {
  readonly rounds: number
  /** A line per child result: shown with --verbose only. */
  readonly log: (line: string) => void
  /** One run done. */
  readonly tick: () => void
}

export interface Section {
  readonly key: string
  /** What the progress bar says. */
  readonly label: string
  readonly runs: (rounds: number) => number
  readonly run: (context: SectionContext) => Effect.Effect<SectionResult, SectionFailed>
}

export class SectionFailed extends Data.TaggedError("SectionFailed")<{ readonly message: string; readonly cause: unknown }> {}

/** A section measured by a Promise; interrupting it aborts `signal`, which kills the child running then. */
export const measured = (key: string, run: (context: SectionContext & { readonly signal: AbortSignal }) => Promise<SectionResult>) => (context: SectionContext) =>
  Effect.tryPromise({
    try: (signal) => run({ ...context, signal }),
    catch: (cause) => new SectionFailed({ message: `bench section ${key}: ${cause instanceof Error ? cause.message : String(cause)}`, cause })
  })

export const met = (ok: boolean): string => (ok ? "met" : "**missed**")

/** A chart in the docs: files under docs/ link to docs/benchmarks/. */
export const image = (alt: string, chart: Chart): string => `![${alt}](benchmarks/${chart.file})`
