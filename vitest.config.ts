import { defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"

// In this repository `troupe` resolves to its sources (src/*.ts) through the
// `troupe-source` export condition; an installed package resolves to dist/.
// Vite's resolver gets the condition here; Node gets it through NODE_OPTIONS,
// which test workers, the threads they spawn and the processes tests start
// (the CLI, the examples) all inherit.
const conditions = ["troupe-source", ...defaultServerConditions]
const flag = "--conditions=troupe-source"
if (!(process.env.NODE_OPTIONS ?? "").includes(flag)) {
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, flag].filter(Boolean).join(" ")
}

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})
