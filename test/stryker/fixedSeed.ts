// Setup file of vitest.stryker.config.ts: one fast-check seed for every
// property, so that a property's test name (which @fast-check/vitest ends
// with its seed) is the same in Stryker's dry run and in each mutant's run.
import { fc } from "@fast-check/vitest"

fc.configureGlobal({ seed: Number(process.env.TROUPE_MUTATE_SEED ?? 1) })
