// The distributed command line end to end: `npm start -- --runners 2` starts
// PostgreSQL and runner processes (`troupe runner`) itself, runs the study's
// batches across 1, then 2 of them, prints its tables (or JSON), and leaves no
// process behind; a PostgreSQL that cannot be reached is one line and exit 1.
import { execFileSync, spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"

const root = new URL("../../", import.meta.url)
const small = ["--runners", "2", "--kind", "sleep", "--jobs", "12", "--sleep-ms", "30", "--repeat", "1"]

const runnerProcesses = () => execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes("cli/main.ts runner --name"))

describe("npm start -- --runners N", () => {
  it("runs the batches across 1..N runner processes on an embedded PostgreSQL: the tables, every runner serving, none left", () => {
    const before = runnerProcesses().length
    const printed = execFileSync("npm", ["start", "--silent", "--", ...small], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    expect(printed).toContain("troupe distributed study: 1..2 runner processes")
    expect(printed).toMatch(/Sleep jobs across runner processes: 12 jobs of 30 ms\nrunners +jobs +wall ms +ideal ms +speed-up +ideal speed-up +utilization/)
    for (const n of [1, 2]) expect(printed).toMatch(new RegExp(`\\n${n} +12 +[\\d,]+ +[\\d,]+ +[\\d.]+× +[\\d.]+× +\\d+%`))
    expect(runnerProcesses().length).toBe(before) // stopped at the end
  }, 120_000)

  it("--json: each team's batches were served by as many runners as the team has", () => {
    const printed = execFileSync("npm", ["start", "--silent", "--", ...small, "--json"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    const report = JSON.parse(printed) as { kinds: Array<{ servedBy: Array<Array<string>>; rows: Array<{ workers: number }> }> }
    expect(report.kinds).toHaveLength(1)
    expect(report.kinds[0]!.rows.map((r) => r.workers)).toEqual([1, 2])
    expect(report.kinds[0]!.servedBy).toEqual([["runner-1"], ["runner-1", "runner-2"]])
  }, 120_000)

  it("a PostgreSQL that cannot be reached: one line on stderr, exit code 1, no runner started", () => {
    for (const args of [["--runners", "2", "--postgres", "postgres://jobs:secret@127.0.0.1:1/jobs"], ["runner", "--postgres", "postgres://jobs:secret@127.0.0.1:1/jobs"]]) {
      const ran = spawnSync("npm", ["start", "--silent", "--", ...args], { cwd: root, encoding: "utf8" })
      expect(ran.status, args.join(" ")).toBe(1)
      expect(ran.stdout).toBe("")
      const command = args[0] === "runner" ? "troupe runner" : "troupe"
      expect(ran.stderr.trim()).toBe(`${command}: PostgreSQL at 127.0.0.1:1/jobs: connection refused (is the server running, on that host and port?)`)
      expect(ran.stderr).not.toContain("secret")
    }
  }, 60_000)
})
