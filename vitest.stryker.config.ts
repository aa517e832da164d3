import { defineConfig, mergeConfig } from "vitest/config"
import { FastFirst } from "./test/stryker/fastFirst.ts"
import base from "./vitest.config.ts"

// The suite as `npm run mutate` runs it (stryker.config.json): the tests that
// can reach the mutated modules, with fast-check's seed fixed. Stryker selects
// a mutant's tests by name, and @fast-check/vitest writes a random seed into
// each property's name: without a fixed seed no property would ever run
// against a mutant. Left out: what runs other processes or reads the source
// text (the mutated sandbox's files are Stryker's instrumented ones), and
// the real-thread suites, whose timing a mutated build (slower to load in each
// thread) upsets; Thread.encoding.test.ts stands in for what crosses the boundary.
// One fork runs all of a mutant's test files with their modules loaded once
// (isolate: false; each file still builds its own pools): the run takes less
// than half the time, with the same survivors.
export default mergeConfig(base, defineConfig({
  test: {
    setupFiles: ["test/stryker/fixedSeed.ts"],
    sequence: { sequencer: FastFirst },
    isolate: false,
    exclude: [
      "test/cluster/**",
      "test/layers.test.ts",
      "test/docs.test.ts",
      "test/package.test.ts",
      "test/examples.test.ts",
      "test/cli.test.ts",
      "test/report.test.ts",
      "test/report.browser.test.ts",
      "test/chromium.test.ts",
      "test/study.test.ts",
      "test/postgres.test.ts",
      "test/Thread.window.test.ts",
      "test/Thread.property.test.ts",
      "test/Thread.memory.test.ts",
      "test/Thread.options.test.ts",
      "test/Thread.test.ts"
    ]
  }
}))
