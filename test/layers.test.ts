// Layers run one way: no folder imports, through any chain of folders, a
// folder that imports it. Each folder (each subfolder too: `cli/study` and
// `cli` are two) is a node; a relative import from a file in one folder to a
// file in another is an edge. Type-only imports count: a module that names
// another layer's types depends on it. `folderCycles` takes the folders to
// check, so any part of the repository can get the same assertion.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../", import.meta.url))

/** An edge of the folder graph, with one import that makes it. */
export interface Edge {
  readonly from: string
  readonly to: string
  /** The importing file and what it imports, as written. */
  readonly file: string
  readonly specifier: string
}

// `import … from "x"` and `export … from "x"` (a default, `{ names }` over several lines, `* as ns`),
// `import "x"`, `import("x")`. Anchored at a line's start, so comments and strings that mention an
// import are not read as one.
const statements = [
  /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*["']([^"']+)["']/gm,
  /^[ \t]*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g
]

const specifiers = (source: string): Array<string> =>
  statements.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!))

const posix = (path: string) => path.split(sep).join("/")

/**
 * The folder graph of the `.ts` files under `folders` (relative to `root`): an edge per pair of folders
 * with a relative import between them. Imports of packages, and of files outside `folders`, are left out.
 */
export const folderGraph = (folders: ReadonlyArray<string>, root: string = repo): Array<Edge> => {
  const inside = (file: string) => folders.some((f) => file === f || file.startsWith(`${f}/`))
  const files = folders.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.split(sep).includes("node_modules"))
      .map((f) => posix(join(folder, f)))
  )
  const edges = new Map<string, Edge>()
  for (const file of files) {
    for (const specifier of specifiers(readFileSync(join(root, file), "utf8"))) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue
      const target = posix(relative(root, resolve(root, dirname(file), specifier)))
      const [from, to] = [posix(dirname(file)), posix(dirname(target))]
      if (from === to || !inside(target) || edges.has(`${from} ${to}`)) continue
      edges.set(`${from} ${to}`, { from, to, file, specifier })
    }
  }
  return [...edges.values()]
}

/** The graph's strongly connected components of two or more folders (Tarjan): each holds a cycle. */
const tangles = (edges: ReadonlyArray<Edge>): Array<Array<string>> => {
  const next = new Map<string, Array<string>>()
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const found: Array<Array<string>> = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) visit(w)
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component = stack.splice(stack.indexOf(v))
    if (component.length > 1) found.push(component.sort())
  }
  for (const v of [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort()) if (!index.has(v)) visit(v)
  return found
}

/** A shortest cycle through `start` within `component`, as its edges (breadth first). */
const cycleThrough = (start: string, component: ReadonlyArray<string>, edges: ReadonlyArray<Edge>): Array<Edge> => {
  const via = new Map<string, Edge>()
  const queue = [start]
  for (let i = 0; i < queue.length; i++) {
    for (const e of edges.filter((e) => e.from === queue[i] && component.includes(e.to))) {
      if (e.to === start) {
        const path = [e]
        while (path[0]!.from !== start) path.unshift(via.get(path[0]!.from)!)
        return path
      }
      if (!via.has(e.to)) {
        via.set(e.to, e)
        queue.push(e.to)
      }
    }
  }
  return []
}

/**
 * The folder-level import cycles under `folders`: for each knot of folders that import each other, a
 * shortest cycle through it, then every edge between its folders with an import that makes it (the
 * places to cut). Empty when the layers run one way.
 */
export const folderCycles = (folders: ReadonlyArray<string>, root: string = repo): Array<string> => {
  const edges = folderGraph(folders, root)
  return tangles(edges).map((component) => {
    const cycle = cycleThrough(component[0]!, component, edges)
    const within = edges.filter((e) => component.includes(e.from) && component.includes(e.to))
    return [
      `${component.join(", ")} import each other, e.g. ${[...cycle.map((e) => e.from), component[0]].join(" → ")}:`,
      ...within.map((e) => `  ${e.from} → ${e.to}  (${e.file} imports "${e.specifier}")`)
    ].join("\n")
  })
}

// Lines that hold code: not blank, and not only a comment (a line comment, or within a block comment).
const codeLines = (source: string): number => {
  let inComment = false
  let n = 0
  for (const raw of source.split("\n")) {
    const line = raw.trim()
    if (inComment) {
      if (line.includes("*/")) inComment = false
      continue
    }
    if (line.startsWith("/*")) {
      inComment = !line.includes("*/")
      continue
    }
    if (line !== "" && !line.startsWith("//")) n++
  }
  return n
}

/** A tree of files under a fresh temporary folder. */
const tree = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "troupe-layers-"))
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  return root
}

describe("folder layers", () => {
  // The library: shared, strategies, job, actors, supervision, engine, then the public modules.
  it("src/ imports one way: no folder-level cycle among its folders and subfolders", () => {
    expect(folderCycles(["src"]).join("\n")).toBe("")
  })

  // The command line, the benchmarks it runs and what both share.
  it("cli/, bench/ and lib/ import one way: no folder-level cycle among them or their subfolders", () => {
    expect(folderCycles(["cli", "bench", "lib"]).join("\n")).toBe("")
  })

  it("no module in src/ holds more than 300 lines of code (comments and blank lines aside)", () => {
    const files = readdirSync(join(repo, "src"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"))
    const large = files
      .map((file) => ({ file, lines: codeLines(readFileSync(join(repo, "src", file), "utf8")) }))
      .filter((f) => f.lines > 300)
    expect(files.length).toBeGreaterThan(40)
    expect(large).toEqual([])
  })

  it("reads every form of import and re-export, type-only and dynamic ones too, and no comment or string", () => {
    const targets = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    const root = tree({
      ...Object.fromEntries(targets.map((t) => [`${t}/x.ts`, "export {}\n"])),
      "src/m.ts": [
        `import D, { c } from "../a/x.ts"`,
        `import * as N from "../b/x.ts"`,
        `export * from "../c/x.ts"`,
        `export type { T } from "../d/x.ts"`,
        `import {\n  a, // the first\n  b\n} from "../e/x.ts"`,
        `import "../f/x.ts"`,
        `const later = () => import("../g/x.ts")`,
        `// import { x } from "../h/x.ts"`,
        `const s = "import y from '../i/x.ts'"`,
        `export interface I {\n  readonly from: string\n}`,
        `import { z } from "./same.ts"`,
        `import { Pool } from "troupe"`
      ].join("\n")
    })
    expect(folderGraph(["src", ...targets], root).map((e) => `${e.from} → ${e.to}`)).toEqual(
      ["a", "b", "c", "d", "e", "f", "g"].map((t) => `src → ${t}`)
    )
  })

  it("finds a planted cycle through subfolders, and names it with the imports that make it", () => {
    const root = tree({
      "top/app.ts": `import { a } from "../mid/m.ts"\n`,
      "mid/m.ts": `import type { T } from "./inner/t.ts"\nexport { a } from "../low/l.ts"\n`,
      "mid/inner/t.ts": `export type T = number\n`,
      "low/l.ts": `export const a = 1\nexport const later = () => import("../top/app.ts")\n`
    })
    expect(folderGraph(["top", "mid", "low"], root).map((e) => `${e.from} → ${e.to}`).sort()).toEqual([
      "low → top",
      "mid → low",
      "mid → mid/inner",
      "top → mid"
    ])
    expect(folderCycles(["top", "mid", "low"], root)).toEqual([
      [
        "low, mid, top import each other, e.g. low → top → mid → low:",
        `  top → mid  (top/app.ts imports "../mid/m.ts")`,
        `  mid → low  (mid/m.ts imports "../low/l.ts")`,
        `  low → top  (low/l.ts imports "../top/app.ts")`
      ].join("\n")
    ])
    expect(folderCycles(["top", "mid"], root)).toEqual([])
  })
})
