// The study's report.html as a reader sees it: the CLI writes it, headless
// Chromium opens it from disk, and the charts must be drawn in pixels, not only
// present as markup; in a laptop's window and on a phone it uses the width it has.
// No Chromium to be had fails the run, never skips it (see scripts/chromium.ts:
// the machine's, else the one npm installed).
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { inflateSync } from "node:zlib"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { launchChromium } from "../scripts/chromium.ts"

const root = fileURLToPath(new URL("../", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "troupe-report-"))
const small = ["--jobs", "4", "--sleep-ms", "20", "--digits", "500", "--threads", "1..2", "--idle-after-ms", "50"]
const legends = {
  speedup: ["sleep jobs, fiber workers", "CPU jobs, thread workers", "ideal, sleep", "ideal, cpu"],
  timeline: ["sleep jobs, fiber workers (threshold+idleTimeout)"]
}
// The series' own colours (lib/report/charts.ts's palette: first and second series).
const blue = [0x2f, 0x6f, 0xde] as const
const red = [0xe4, 0x57, 0x2e] as const

interface Kind {
  readonly kind: string
  readonly rows: ReadonlyArray<unknown>
}
let kinds: ReadonlyArray<Kind> = []
let browser: Browser | undefined
let page: Page

// Chromium's screenshots: 8-bit RGB or RGBA, not interlaced; undone filters give the pixels.
const decodePng = (png: Buffer) => {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a")
  expect(png.toString("ascii", 12, 16)).toBe("IHDR")
  const width = png.readUInt32BE(16)
  const height = png.readUInt32BE(20)
  expect([png[24], png[28]]).toEqual([8, 0])
  const bpp = png[25] === 6 ? 4 : png[25] === 2 ? 3 : NaN
  const idat: Array<Buffer> = []
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    if (png.toString("ascii", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)))
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * bpp
  const px = Buffer.alloc(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp]! : 0
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp]! : 0
      const p = a + b - c
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter!]!
      px[y * stride + x] = (raw[y * (stride + 1) + 1 + x]! + predictor) & 0xff
    }
  }
  /** Pixels in [x0, x1) × [y0, y1) that pass `test`. */
  const count = (test: (r: number, g: number, b: number) => boolean, x0 = 0, y0 = 0, x1 = width, y1 = height) => {
    let n = 0
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = y * stride + x * bpp
        if (test(px[i]!, px[i + 1]!, px[i + 2]!)) n++
      }
    }
    return n
  }
  return { width, height, count }
}

const notWhite = (r: number, g: number, b: number) => r < 230 || g < 230 || b < 230
const near = (c: readonly [number, number, number]) => (r: number, g: number, b: number) =>
  Math.abs(r - c[0]) < 40 && Math.abs(g - c[1]) < 40 && Math.abs(b - c[2]) < 40

/** A series colour's pixels in the plot area (the grid in charts.ts), the chart drawn `scale` times its 680 px. */
const inPlot = (shot: ReturnType<typeof decodePng>, colour: readonly [number, number, number], scale: number) =>
  shot.count(near(colour), ...([64, 48, 648, 336].map((v) => Math.round(v * scale)) as [number, number, number, number]))

// A failing beforeAll leaves vitest's tests "skipped"; kept and rethrown per
// test, the cause (no Chromium, a broken CLI) fails each of them instead.
let setupError: unknown
beforeAll(async () => {
  try {
    await promisify(execFile)(process.execPath, ["cli/main.ts", "study", ...small, "--out", dir, "--json"], { cwd: root })
    kinds = JSON.parse(readFileSync(join(dir, "study.json"), "utf8")).kinds
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1480, height: 900 } })
    await page.goto(pathToFileURL(join(dir, "report.html")).href)
  } catch (error) {
    setupError = error
  }
}, 60_000)

beforeEach(() => {
  if (setupError !== undefined) throw setupError
})

afterAll(async () => {
  await browser?.close()
})

describe("report.html in Chromium", { timeout: 60_000 }, () => {
  it("the study has both job kinds", () => {
    expect(kinds.map((k) => k.kind)).toEqual(["sleep", "cpu"])
  })

  for (const [id, series] of [["speedup", 4], ["timeline", 2]] as const) {
    it(`figure#${id}: visible, ${series} series drawn as lines, legend present`, async () => {
      const svg = page.locator(`figure#${id} > svg`)
      expect(await svg.isVisible()).toBe(true)
      const box = await svg.boundingBox()
      expect(box?.width).toBeGreaterThan(500)
      expect(box?.height).toBeGreaterThan(300)
      // ECharts draws a series as one stroked path of 2 px, untransformed (legend icons are translated).
      const lines = await svg.locator(`path[stroke-width="2"][stroke-linejoin]:not([transform])`).evaluateAll((ps) =>
        ps.map((p) => p.getAttribute("d") ?? "")
      )
      expect(lines).toHaveLength(series)
      for (const d of lines) expect(d).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+$/)
      const texts = await svg.locator("text").allTextContents()
      for (const legend of legends[id]) expect(texts).toContain(legend)
    })

    it(`figure#${id}: its pixels show both series inside the plot`, async () => {
      const shot = decodePng(await page.locator(`figure#${id} > svg`).screenshot())
      // The chart's 680 × 420, give or take the row or column a fractional position adds.
      expect(Math.abs(shot.width - 680) + Math.abs(shot.height - 420)).toBeLessThanOrEqual(2)
      expect(shot.count(notWhite)).toBeGreaterThan(0.02 * shot.width * shot.height)
      // The plot area (the grid in charts.ts): the legend's icons lie outside it. A short
      // line under the dashed ideal shows a third of itself: a low bar, but an axes-only chart gives 0.
      for (const colour of [blue, red]) expect(shot.count(near(colour), 64, 48, 648, 336)).toBeGreaterThan(50)
    })
  }

  it("one table per job kind, then the autoscaled runs", async () => {
    const tables = page.locator("table")
    expect(await tables.count()).toBe(kinds.length + 1)
    for (const [i, k] of kinds.entries()) {
      expect(await tables.nth(i).locator("tbody tr").count()).toBe(k.rows.length)
    }
    const autoscaled = tables.nth(kinds.length)
    expect(await autoscaled.locator("tbody tr td:first-child").allTextContents()).toEqual(kinds.map((k) => k.kind))
    expect(await page.locator("h2").allTextContents()).toContain("Autoscaled runs")
  })

  it("a full-page screenshot is a real, non-blank picture", async () => {
    const path = join(dir, "report.png")
    await page.screenshot({ path, fullPage: true })
    const shot = decodePng(readFileSync(path))
    const height = await page.evaluate<number>("document.documentElement.scrollHeight")
    expect([shot.width, shot.height]).toEqual([1480, height])
    expect(shot.count(notWhite)).toBeGreaterThan(0.02 * shot.width * shot.height)
  })
})

// The same page in a laptop's window and on a phone: it uses the width it has, and
// only a table too wide for a phone scrolls sideways, inside its own box.
describe("report.html at 1280 and 420 px wide", { timeout: 60_000 }, () => {
  const open = async (width: number, height: number, isMobile: boolean) => {
    const context = await browser!.newContext({ viewport: { width, height }, isMobile })
    const view = await context.newPage()
    await view.goto(pathToFileURL(join(dir, "report.html")).href)
    const widths = await view.evaluate<{ inner: number; page: number }>(
      "({ inner: innerWidth, page: document.documentElement.scrollWidth })"
    )
    // Each table's box: where it ends, how wide it is and its content, and whether it scrolls.
    const tables = await view.evaluate<Array<{ right: number; client: number; scroll: number; overflow: string }>>(
      `[...document.querySelectorAll("table")].map((t) => {
        const box = t.parentElement
        return { right: box.getBoundingClientRect().right, client: box.clientWidth, scroll: box.scrollWidth, overflow: getComputedStyle(box).overflowX }
      })`
    )
    return { view, widths, tables, close: () => context.close() }
  }

  /** The chart's box, and its pixels: both series drawn inside the plot at the size it has here. */
  const chart = async (view: Page, id: string) => {
    const svg = view.locator(`figure#${id} > svg`)
    const box = (await svg.boundingBox())!
    const shot = decodePng(await svg.screenshot())
    for (const colour of [blue, red]) expect(inPlot(shot, colour, box.width / 680), id).toBeGreaterThan((50 * box.width) / 680)
    expect(box.height / box.width).toBeCloseTo(420 / 680, 2) // scaled whole, not squeezed
    return box
  }

  it("1280 × 800: nothing scrolls sideways; the two charts side by side over most of the width, drawn; every table whole", async () => {
    const { view, widths, tables, close } = await open(1280, 800, false)
    try {
      expect(widths.page).toBeLessThanOrEqual(widths.inner)
      const [a, b] = [await view.locator("figure#speedup").boundingBox(), await view.locator("figure#timeline").boundingBox()]
      expect(Math.abs(a!.y - b!.y)).toBeLessThan(1) // one row
      expect(a!.x + a!.width).toBeLessThanOrEqual(b!.x)
      expect(a!.width + b!.width).toBeGreaterThan(0.8 * 1280)
      for (const id of ["speedup", "timeline"]) expect((await chart(view, id)).width).toBeGreaterThan(500)
      for (const t of tables) expect(t.scroll).toBeLessThanOrEqual(t.client)
    } finally {
      await close()
    }
  })

  // A phone lays out a page without a viewport meta tag 980 px wide, and widens its layout
  // to content that overflows: its innerWidth says so, not only the page's scrollWidth.
  for (const [device, isMobile] of [["a narrow window", false], ["a phone", true]] as const) {
    it(`420 × 900, ${device}: nothing scrolls sideways; each chart inside the screen, scaled down and drawn; wide tables scroll in their own box`, async () => {
      const { view, widths, tables, close } = await open(420, 900, isMobile)
      try {
        expect(widths.inner).toBe(420)
        expect(widths.page).toBeLessThanOrEqual(420)
        for (const id of ["speedup", "timeline"]) {
          const box = await chart(view, id)
          expect(box.x).toBeGreaterThanOrEqual(0)
          expect(box.x + box.width).toBeLessThanOrEqual(420)
          expect(box.width).toBeGreaterThan(0.8 * 420)
        }
        for (const t of tables) {
          expect(t.right).toBeLessThanOrEqual(420)
          if (t.scroll > t.client) expect(t.overflow).toBe("auto")
        }
      } finally {
        await close()
      }
    })
  }
})
