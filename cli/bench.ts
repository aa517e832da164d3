// placeholder: replaced by the bench document builder
import { Effect } from "effect"
import type { BenchInput } from "./commands.ts"
export const run = (_: BenchInput) => Effect.void
