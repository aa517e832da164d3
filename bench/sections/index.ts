// The sections of docs/benchmarks.md, in document order; `--only` picks by key.
import type { Section } from "../lib/section.ts"
import { dispatch } from "./dispatch.ts"
import { distributed } from "./distributed.ts"
import { http } from "./http.ts"
import { idioms } from "./idioms.ts"
import { memory } from "./memory.ts"
import { scaling } from "./scaling.ts"
import { stealing } from "./stealing.ts"
import { scalingStudy } from "./study.ts"
import { threads } from "./threads.ts"

export const sections: ReadonlyArray<Section> = [dispatch, idioms, scaling, threads, stealing, memory, scalingStudy, http, distributed]

/** The sections named in `only` (e.g. "A,c, F"; none: all), in document order, and the names that match none. */
export const select = (only: string | undefined): { readonly chosen: ReadonlyArray<Section>; readonly unknown: ReadonlyArray<string> } => {
  if (only === undefined) return { chosen: sections, unknown: [] }
  const keys = only.split(",").map((k) => k.trim().toUpperCase()).filter((k) => k !== "")
  return {
    chosen: sections.filter((s) => keys.includes(s.key)),
    unknown: keys.filter((k) => !sections.some((s) => s.key === k))
  }
}
