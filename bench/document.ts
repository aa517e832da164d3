// docs/benchmarks.md from the sections' markdown, and section D's block of
// docs/strategies.md: plain text in, text out; cli/bench.ts does the files.
import os from "node:os"
import { fmt } from "../lib/format.ts"

export interface Provenance {
  /** YYYY-MM-DD */
  readonly date: string
  readonly machine: string
  readonly rounds: number
}

export const provenance = (rounds: number, now = new Date()): Provenance => ({
  date: now.toISOString().slice(0, 10),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`,
  rounds
})

export const document = (p: Provenance, sections: ReadonlyArray<string>): string =>
  [
    "# Benchmarks",
    "",
    `Measured ${p.date} on ${p.machine} by \`npm run bench\` ` +
    `(${p.rounds} rounds; each contender in a fresh process per round, order alternating; ratios taken within a round, then the median).`,
    "The machine is a shared VM: trust the same-round ratios more than absolute times.",
    "",
    ...sections.flatMap((s) => [s, ""])
  ].join("\n")

const marked = /<!-- bench:D -->[\s\S]*<!-- \/bench:D -->/

/** The strategies page with section D (less its heading) between its markers, with the date and machine. */
export const withStealing = (page: string, p: Provenance, stealing: string): string => {
  const measured = `Measured ${p.date} on ${p.machine} by \`npm run bench\` (${p.rounds} rounds).`
  const body = stealing.replace(/^### .*\n\n/, "")
  return page.replace(marked, () => `<!-- bench:D -->\n${measured}\n\n${body}\n<!-- /bench:D -->`)
}
