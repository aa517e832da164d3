// `troupe bench` (and `npm run bench`): runs the chosen sections of
// docs/benchmarks.md with a progress bar each, prints the document (or, with
// --json, the raw samples), writes the samples to <out>/bench.json and, with
// --write, the document, its charts and the strategies page's section D (only
// when every section ran: the document is one measurement).
import { fileURLToPath } from "node:url"
import { Clock, Console, Effect, FileSystem, Path } from "effect"
import { document, provenance, withStealing } from "../bench/document.ts"
import type { Section } from "../bench/lib/section.ts"
import { sections, select } from "../bench/sections/index.ts"
import * as Progress from "../lib/progress.ts"
import type { BenchInput } from "./commands.ts"
import { reportError } from "./presenter.ts"
import { profiled } from "./profile.ts"

/** The docs folder of this checkout, wherever the command runs from. */
const docs = fileURLToPath(new URL("../docs/", import.meta.url))

const runSection = (section: Section, input: BenchInput) =>
  Effect.gen(function*() {
    const progress = yield* Progress.Progress
    const step = progress.step(section.label, section.runs(input.rounds), "runs")
    const start = yield* Clock.currentTimeMillis
    const result = yield* section.run({ rounds: input.rounds, tick: step.tick, log: input.verbose ? progress.log : () => {} })
    step.done(`${Math.round(((yield* Clock.currentTimeMillis) - start) / 1000)} s`)
    return { section, ...result }
  })


export const run = (input: BenchInput) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    // --only names sections that exist (cli/flags.ts checks it as it parses).
    const { chosen } = select(input.only._tag === "Some" ? input.only.value : undefined)
    const results = yield* Effect.forEach(chosen, (section) => runSection(section, input)).pipe(
      Effect.provide(Progress.layer(Progress.modeFor(input))),
      profiled(input.profile ? path.join(input.out, "bench.cpuprofile") : undefined)
    )
    const p = provenance(input.rounds)
    const doc = document(p, results.map((r) => r.markdown))
    const raw = { tool: "troupe bench", ...p, sections: Object.fromEntries(results.map((r) => [r.section.key, r.samples])) }
    const json = path.join(input.out, "bench.json")
    yield* fs.makeDirectory(input.out, { recursive: true })
    yield* fs.writeFileString(json, `${JSON.stringify(raw, null, 2)}\n`)
    const written = [json]
    // docs/benchmarks.md is one measurement, made on one date: a run of some sections only prints.
    const whole = chosen.length === sections.length
    if (input.write && !whole) yield* Console.error("troupe bench: --only runs part of the document: docs/ left as they are")
    if (input.write && whole) {
      const charts = path.join(docs, "benchmarks")
      yield* fs.makeDirectory(charts, { recursive: true })
      for (const chart of results.flatMap((r) => r.charts)) {
        yield* fs.writeFileString(path.join(charts, chart.file), chart.svg)
        written.push(path.join(charts, chart.file))
      }
      yield* fs.writeFileString(path.join(docs, "benchmarks.md"), doc)
      written.push(path.join(docs, "benchmarks.md"))
      const stealing = results.find((r) => r.section.key === "D")
      if (stealing !== undefined) {
        const page = path.join(docs, "strategies.md")
        yield* fs.writeFileString(page, withStealing(yield* fs.readFileString(page), p, stealing.markdown))
        written.push(page)
      }
    }
    if (input.json) return yield* Console.log(JSON.stringify(raw, null, 2))
    yield* Console.log(doc)
    yield* Console.error(`Wrote ${written.map((f) => path.relative(process.cwd(), f)).join(", ")}`)
  }).pipe(Effect.catchTag("SectionFailed", reportError("troupe bench")))
