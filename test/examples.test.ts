// The demo behind `npm run demo` and the getting-started page must keep working
// as pasted: run it and compare with the output the docs promise.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

const root = new URL("../", import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), "utf8")

/** The fenced blocks of a markdown page, by info string. */
const blocks = (markdown: string, info: string): Array<string> =>
  [...markdown.matchAll(new RegExp("```" + info + "(?: [^\\n]*)?\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!)

describe("examples", () => {
  it("npm run demo prints what docs/getting-started.md says it prints", () => {
    const output = execFileSync(process.execPath, ["examples/demo.ts"], { cwd: root, encoding: "utf8" })
    const page = read("docs/getting-started.md")
    expect(blocks(page, "text")[0]).toBe(output) // the demo's output: the first text block
  })

  it("the getting-started page shows the examples' code as it is", () => {
    const page = read("docs/getting-started.md")
    expect(blocks(page, "ts")).toEqual([read("examples/demo.ts"), read("examples/squares.ts")])
  })

  it("the write-your-own example prints what its comments say", () => {
    const output = execFileSync(process.execPath, ["examples/squares.ts"], { cwd: root, encoding: "utf8" })
    expect(output).toBe("49\n9\n")
  })
})

describe("docs/supervision.md", () => {
  it("shows examples/tree.ts as it is, and what it prints", () => {
    const page = read("docs/supervision.md")
    expect(blocks(page, "ts")).toEqual([read("examples/tree.ts")])
    const output = execFileSync(process.execPath, ["examples/tree.ts"], { cwd: root, encoding: "utf8" })
    expect(blocks(page, "text").at(-1)).toBe(output)
  })

  it("the thread example prints what docs/threads.md says it prints", () => {
    const output = execFileSync(process.execPath, ["examples/threads.ts"], { cwd: root, encoding: "utf8" })
    expect(output).toBe("168 9592 78498\nTooLarge\n")
    const page = read("docs/threads.md")
    expect(blocks(page, "ts").slice(0, 2)).toEqual([read("examples/primes.thread.ts"), read("examples/threads.ts")])
  })
})
