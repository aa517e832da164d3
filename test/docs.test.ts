// Every TypeScript snippet in the README and docs/ must compile against the
// library as it is (the examples/ files they quote are typechecked by npm test).
import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

const root = new URL("../", import.meta.url)
const pages = ["README.md", "docs/concepts.md", "docs/scaling.md", "docs/strategies.md", "docs/recipes.md"]

describe("docs", () => {
  it("the TypeScript snippets of the README and the concepts, scaling, strategies and recipes pages typecheck", () => {
    const dir = new URL("out/doc-snippets/", root)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const files: Array<string> = []
    for (const page of pages) {
      const markdown = readFileSync(new URL(page, root), "utf8")
      const snippets = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
      snippets.forEach((code, i) => {
        const file = `${page.replace(/[/.]/g, "_")}_${i}.ts`
        writeFileSync(new URL(file, dir), `export {}\n${code}`)
        files.push(file)
      })
    }
    expect(files.length).toBeGreaterThanOrEqual(pages.length)
    writeFileSync(
      new URL("tsconfig.json", dir),
      JSON.stringify({ extends: "../../tsconfig.json", include: ["*.ts"], exclude: [] })
    )
    const tsc = new URL("node_modules/.bin/tsc", root).pathname
    const run = () => execFileSync(tsc, ["--noEmit", "-p", new URL("tsconfig.json", dir).pathname], { encoding: "utf8" })
    expect(run).not.toThrow()
  }, 60_000)
})

describe("docs images", () => {
  it("every image the README and docs/ show exists; every SVG among them parses", async () => {
    const { readdirSync, existsSync } = await import("node:fs")
    const { XMLValidator } = await import("fast-xml-parser")
    const pages = ["README.md", ...readdirSync(new URL("docs/", root)).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]
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
