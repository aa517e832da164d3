// Live progress: a bar per step on a terminal (cli-progress), one plain line
// per finished step when output goes to a file or pipe, nothing with --json.
// Progress goes to stderr, so stdout carries only the results.
import cliProgress from "cli-progress"
import { Context, Effect, Layer } from "effect"

export interface Step {
  readonly tick: () => void
  /** Ends the step with a one-line summary. */
  readonly done: (summary: string) => void
}

export interface ProgressService {
  /** A step of `total` units ("jobs", "runs"). */
  readonly step: (label: string, total: number, unit?: string) => Step
  /** A line above the bars (or plain). */
  readonly log: (line: string) => void
}

export class Progress extends Context.Service<Progress, ProgressService>()("troupe/cli/Progress") {}

export type Mode = "bars" | "plain" | "quiet"

/** Bars only where someone watches: both streams on a terminal, no --json, no --verbose lines to tear them. */
export const modeFor = (options: { readonly json: boolean; readonly verbose: boolean }): Mode =>
  options.json ? "quiet" : !options.verbose && process.stdout.isTTY && process.stderr.isTTY ? "bars" : "plain"

const plain = (write: (line: string) => void): ProgressService => ({
  step: (label) => ({ tick: () => {}, done: (summary) => write(`${label}: ${summary}`) }),
  log: write
})

const bars = Effect.acquireRelease(
  Effect.sync(() =>
    new cliProgress.MultiBar(
      {
        format: " {bar} {percentage}% | {label} | {value}/{total} {unit} {summary}",
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        stream: process.stderr
      },
      cliProgress.Presets.shades_classic
    )
  ),
  (multibar) => Effect.sync(() => multibar.stop())
).pipe(
  Effect.map((multibar): ProgressService => ({
    step: (label, total, unit = "jobs") => {
      const bar = multibar.create(total, 0, { label, unit, summary: "" })
      return { tick: () => bar.increment(), done: (summary) => bar.update(total, { summary: `· ${summary}` }) }
    },
    log: (line) => multibar.log(`${line}\n`)
  }))
)

export const layer = (mode: Mode, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Layer.Layer<Progress> =>
  mode === "bars" ? Layer.effect(Progress, bars) : Layer.succeed(Progress, mode === "plain" ? plain(write) : plain(() => {}))
