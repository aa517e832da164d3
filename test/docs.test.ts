// Every TypeScript snippet in the README and docs/ runs as pasted and prints
// what the page says it prints. A snippet is a whole program; the ```text
// block that follows it is its output. A block marked ```ts file=NAME is a
// module another snippet imports (a thread handler's module): it is written
// beside the programs under that name. All snippets also typecheck.
import { execFile, execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = new URL("../", import.meta.url)
const pages = ["README.md", ...readdirSync(new URL("docs/", root)).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]

interface Snippet {
  readonly page: string
  readonly line: number
  readonly code: string
  /** Set for a module other snippets import. */
  readonly file: string | undefined
  /** The ```text block right after it. */
  readonly output: string | undefined
}

/** The fenced blocks of a page in order: their info string, body and line. */
const fences = (markdown: string) =>
  [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: m[1]!.trim(),
    body: m[2]!,
    line: markdown.slice(0, m.index).split("\n").length
  }))

const snippets: ReadonlyArray<Snippet> = pages.flatMap((page) => {
  const blocks = fences(readFileSync(new URL(page, root), "utf8"))
  return blocks.flatMap((block, i) => {
    const [lang, ...attributes] = block.info.split(/\s+/)
    if (lang !== "ts") return []
    const file = attributes.find((a) => a.startsWith("file="))?.slice("file=".length)
    const next = blocks[i + 1]
    return [{ page, line: block.line, code: block.body, file, output: next?.info === "text" ? next.body : undefined }]
  })
})

const programs = snippets.filter((s) => s.file === undefined)
const dir = new URL("out/doc-snippets/", root)
const nameOf = (s: Snippet) => s.file ?? `${s.page.replace(/[/.]/g, "_")}_${s.line}.ts`

describe("docs snippets", () => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const s of snippets) writeFileSync(new URL(nameOf(s), dir), s.code)

  it("there are snippets on every page that teaches the API, and each program says what it prints", () => {
    expect(programs.length).toBeGreaterThanOrEqual(15)
    for (const page of ["README.md", "docs/getting-started.md", "docs/concepts.md", "docs/recipes.md", "docs/threads.md"]) {
      expect(programs.some((s) => s.page === page), page).toBe(true)
    }
    const silent = programs.filter((s) => s.output === undefined).map((s) => `${s.page}:${s.line}`)
    expect(silent, "programs without a ```text block of their output").toEqual([])
  })

  it("every snippet typechecks", () => {
    writeFileSync(new URL("tsconfig.json", dir), JSON.stringify({ extends: "../../tsconfig.json", include: ["*.ts"], exclude: [] }))
    const tsc = new URL("node_modules/.bin/tsc", root).pathname
    expect(() => execFileSync(tsc, ["--noEmit", "-p", new URL("tsconfig.json", dir).pathname], { encoding: "utf8" })).not.toThrow()
  }, 60_000)

  // Two at a time: each is a Node process of its own (what a user runs).
  it("every program runs as pasted and prints what its page says", async () => {
    const results: Array<{ readonly where: string; readonly printed: string; readonly expected: string | undefined }> = []
    const queue = [...programs]
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        const { stdout } = await promisify(execFile)(process.execPath, [nameOf(s)], { cwd: dir, encoding: "utf8", timeout: 30_000 })
        results.push({ where: `${s.page}:${s.line}`, printed: stdout, expected: s.output })
      }
    }
    await Promise.all([worker(), worker()])
    for (const r of results) expect(r.printed, r.where).toBe(r.expected)
  }, 120_000)
})

describe("docs images", () => {
  it("every image the README and docs/ show exists; every SVG among them parses", async () => {
    const { existsSync } = await import("node:fs")
    const { XMLValidator } = await import("fast-xml-parser")
    const images = pages.flatMap((page) =>
      [...readFileSync(new URL(page, root), "utf8").matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => new URL(m[1]!, new URL(page, root)))
    )
    expect(images.length).toBeGreaterThanOrEqual(6) // the report screenshot twice, the bench's four charts
    for (const image of images) {
      expect(existsSync(image), image.pathname).toBe(true)
      if (image.pathname.endsWith(".svg")) expect(XMLValidator.validate(readFileSync(image, "utf8")), image.pathname).toBe(true)
    }
  })
})
