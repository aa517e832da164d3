// `npm start` end to end with small settings: the tables it prints, the
// --verbose job lines, and the report folder (JSON under its Schema, SVGs that
// parse, the HTML that shows them, a CPU profile), and what bad input prints.
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Schema } from "effect"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { beforeAll, describe, expect, it } from "vitest"
import { StudyReport } from "../lib/report/Report.ts"

const root = new URL("../", import.meta.url)
const small = ["--repeat", "2", "--jobs", "4", "--sleep-ms", "20", "--digits", "500", "--threads", "1..2", "--idle-after-ms", "50"]

let out = ""
let printed = ""

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "troupe-study-"))
  // `npm start` itself, as a newcomer runs it (npm finds the pinned Node in node_modules/.bin).
  printed = execFileSync("npm", ["start", "--silent", "--", ...small, "--verbose", "--profile", "--out", out], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"]
  })
}, 120_000)

const decode = (text: string) => Schema.decodeUnknownSync(StudyReport)(JSON.parse(text))

describe("npm start (small settings)", () => {
  it("prints a table per job kind and the autoscaled runs, then where the report is", () => {
    expect(printed).toMatch(/Sleep jobs \(I\/O-bound\) on fiber workers: 4 jobs of 20 ms\nworkers +jobs +wall ms +ideal ms +speed-up +ideal speed-up +utilization/)
    expect(printed).toMatch(/CPU jobs \(digits of pi\) on thread workers: 4 jobs of 500 digits/)
    expect(printed).toMatch(/Autoscaled runs \(the supervisor sizes the team\)\njobs +policy +workers +wall ms +peak +at the end +× best fixed team/)
    // Rows: teams 1..4 of sleep jobs, 1..2 threads.
    for (const n of [1, 2, 3, 4]) expect(printed).toMatch(new RegExp(`\\n${n} +4 +[\\d,]+ +[\\d,]+ +[\\d.]+× +[\\d.]+× +\\d+%`))
    expect(printed).toMatch(/Team size over time \(ms since the first submit: workers\)\nsleep: 0 ms: 1 → .* → [\d,]+ ms: 1\ncpu: 0 ms: 1 → .* → [\d,]+ ms: 1\n/)
    expect(printed).toContain(`Report: ${join(out, "report.html")}`)
  })

  it("--verbose: every job of every batch starts and completes on a named worker", () => {
    const lines = printed.split("\n").filter((l) => / job \d+ (started|completed|requeued) on worker \d+$/.test(l))
    // Per batch: 4 measured jobs (after the warm-up's), each started and completed once; a thread job taken
    // back from its thread's window before the thread began it (a stall look, under load) is requeued and starts again.
    const batches = new Map<string, Array<string>>()
    for (const line of lines) {
      const title = line.slice(0, line.indexOf(" +"))
      batches.set(title, [...(batches.get(title) ?? []), line])
    }
    expect([...batches.keys()].sort()).toEqual([
      "pi 500 digits, 1 thread", "pi 500 digits, 2 threads", "pi 500 digits, autoscaled",
      "sleep 20 ms, 1 worker", "sleep 20 ms, 2 workers", "sleep 20 ms, 3 workers", "sleep 20 ms, 4 workers", "sleep 20 ms, autoscaled"
    ])
    for (const line of lines) expect(Number(/ \+(\d+) ms: /.exec(line)![1]), line).toBeLessThan(60_000) // timed from its batch
    for (const [title, batch] of batches) {
      const started = batch.filter((l) => l.includes("started")).map((l) => / job (\d+) /.exec(l)![1])
      const completed = batch.filter((l) => l.includes("completed")).map((l) => / job (\d+) /.exec(l)![1])
      const requeued = batch.filter((l) => l.includes("requeued")).map((l) => / job (\d+) /.exec(l)![1])
      expect(completed.length, title).toBeGreaterThanOrEqual(title.endsWith("autoscaled") ? 4 : 8) // two batches of 4
      expect(new Set(completed).size, title).toBe(completed.length) // each completed once
      expect([...new Set(started)].sort(), title).toEqual([...completed].sort())
      // A job starts once, plus once for each time it was requeued before it ran.
      for (const id of new Set(started)) {
        expect(started.filter((s) => s === id).length, `${title}: job ${id}`).toBe(1 + requeued.filter((r) => r === id).length)
      }
    }
  })

  it("study.json matches its Schema and says what ran", () => {
    const report = decode(readFileSync(join(out, "study.json"), "utf8"))
    expect(report.kinds.map((k) => [k.kind, k.workerType, k.jobs, k.rows.map((r) => r.workers)])).toEqual([
      ["sleep", "fiber", 4, [1, 2, 3, 4]],
      ["cpu", "thread", 4, [1, 2]]
    ])
    for (const k of report.kinds) {
      for (const r of k.rows) {
        expect(r.samplesMs).toHaveLength(2)
        expect(r.wallMs).toBe((r.samplesMs[0]! + r.samplesMs[1]!) / 2) // the median of two
      }
      const a = k.autoscaled
      expect(a.timeline[0]).toEqual({ atMs: 0, workers: 1 })
      expect(a.peakWorkers).toBeGreaterThan(1) // 4 jobs at once, one job per worker: the team grew
      expect(a.peakWorkers).toBeLessThanOrEqual(a.maxWorkers)
      expect(a.finalWorkers).toBe(1) // idle workers retired back to the floor
      const times = a.timeline.map((p) => p.atMs)
      expect(times).toEqual([...times].sort((x, y) => x - y))
    }
    // A sleep batch cannot beat its ideal: the clock says the jobs did sleep.
    for (const r of report.kinds[0]!.rows) expect(r.wallMs).toBeGreaterThanOrEqual(r.idealMs - 1)
  })

  it("the SVG charts parse and draw their series", () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" })
    for (const [file, legends] of [
      ["speedup.svg", ["sleep jobs, fiber workers", "CPU jobs, thread workers", "ideal, sleep", "ideal, cpu"]],
      ["timeline.svg", ["sleep jobs, fiber workers (threshold+idleTimeout)", "CPU jobs, thread workers (threshold+idleTimeout)"]]
    ] as const) {
      const text = readFileSync(join(out, file), "utf8")
      expect(XMLValidator.validate(text), file).toBe(true)
      const svg = parser.parse(text).svg
      expect(svg.xmlns).toBe("http://www.w3.org/2000/svg")
      expect(Number(svg.width)).toBeGreaterThan(300)
      const texts = [...text.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
      for (const legend of legends) expect(texts, `${file}: ${legend}`).toContain(legend)
      expect((text.match(/<path /g) ?? []).length, file).toBeGreaterThan(10)
    }
  })

  it("report.html holds both charts and the tables", () => {
    const html = readFileSync(join(out, "report.html"), "utf8")
    expect(html).toContain(`<figure id="speedup" class="chart">${readFileSync(join(out, "speedup.svg"), "utf8")}`)
    expect(html).toContain(`<figure id="timeline" class="chart">${readFileSync(join(out, "timeline.svg"), "utf8")}`)
    expect((html.match(/<table>/g) ?? []).length).toBe(3)
  })

  it("--profile writes a CPU profile in Node's format next to the report", () => {
    const profile = JSON.parse(readFileSync(join(out, "study.cpuprofile"), "utf8"))
    expect(profile.nodes.length).toBeGreaterThan(10)
    expect(profile.samples.length).toBeGreaterThan(0)
    expect(profile.endTime).toBeGreaterThan(profile.startTime)
  })
})

describe("troupe study --json", () => {
  it("prints the report as JSON only, the same as study.json; --verbose lines go to stderr then", () => {
    const dir = mkdtempSync(join(tmpdir(), "troupe-json-"))
    const child = spawnSync(process.execPath, ["cli/main.ts", "--kind", "sleep", ...small, "--json", "--verbose", "--out", dir], {
      cwd: root,
      encoding: "utf8"
    })
    expect(child.status).toBe(0)
    const stdout = child.stdout
    expect(decode(stdout)).toEqual(decode(readFileSync(join(dir, "study.json"), "utf8")))
    expect(child.stderr).toMatch(/sleep 20 ms, 4 workers \+\d+ ms: job \d+ completed on worker \d+/)
    expect(decode(stdout).kinds.map((k) => k.kind)).toEqual(["sleep"])
    expect(existsSync(join(dir, "study.cpuprofile"))).toBe(false)
  }, 60_000)

  it("--profile --out . writes the profile into the working directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "troupe-here-"))
    execFileSync(process.execPath, [new URL("cli/main.ts", root).pathname, "--kind", "sleep", ...small, "--profile", "--json", "--out", "."], {
      cwd: dir,
      stdio: "ignore"
    })
    expect(JSON.parse(readFileSync(join(dir, "study.cpuprofile"), "utf8")).nodes.length).toBeGreaterThan(0)
  }, 60_000)
})

describe("npm start: bad input, end to end", () => {
  /** `npm start` as a newcomer runs it, with no TROUPE_* variable of this machine's but `env`. */
  const start = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TROUPE_")))
    return spawnSync("npm", ["start", "--silent", "--", ...args], { cwd: root, encoding: "utf8", env: { ...clean, ...env } })
  }
  const cases: Array<[string, ReadonlyArray<string>, Record<string, string>, string]> = [
    ["a bad flag", ["--jobs", "0"], {}, `troupe: --jobs "0": expected a whole number of at least 1`],
    ["TROUPE_JOBS=abc", [], { TROUPE_JOBS: "abc" }, `troupe: TROUPE_JOBS="abc": expected a whole number of at least 1`],
    ["a TROUPE_ENV_FILE that does not exist", [], { TROUPE_ENV_FILE: "/no/such/troupe.env" }, `troupe: TROUPE_ENV_FILE="/no/such/troupe.env": expected a .env file that exists`]
  ]
  for (const [what, args, env, line] of cases) {
    it(`${what}: one line and the --help pointer on stderr, nothing on stdout, exit 1, nothing written`, () => {
      const dir = join(mkdtempSync(join(tmpdir(), "troupe-bad-")), "out")
      const child = start([...args, "--out", dir], env)
      expect(child.status).toBe(1)
      expect(child.stdout).toBe("")
      expect(child.stderr).toBe(`${line}\nRun troupe --help for every flag.\n`)
      expect(child.stderr.trimEnd().split("\n").length).toBeLessThanOrEqual(3)
      expect(child.stdout + child.stderr).not.toMatch(/\n\s+at /) // no stack trace, on either stream
      expect(existsSync(dir)).toBe(false)
    }, 30_000)
  }
})

describe("troupe study interrupted", () => {
  it("Ctrl-C mid-run: the study stops at once (exit 130) and writes no report", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "troupe-int-")), "out")
    const child = spawn(process.execPath, ["cli/main.ts", "--kind", "cpu", "--jobs", "400", "--verbose", "--out", dir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    child.stderr.resume()
    // Wait for the first --verbose line: the study is under way on thread workers.
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk) => {
        stdout += chunk
        if (stdout.includes("started on worker")) resolve()
      })
    )
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const sent = performance.now()
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(performance.now() - sent).toBeLessThan(10_000) // generous: a loaded CI machine, yet far from a hang
    expect(existsSync(join(dir, "study.json"))).toBe(false)
  }, 60_000)
})
