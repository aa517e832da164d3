// The dashboard from the command line: `npm start -- --dashboard` serves the
// study's pools while it runs (its address on stderr, snapshots of the
// study's pools on /events), and `troupe dashboard` on a port in use is one
// line on stderr and exit code 1.
import { spawn, spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { takenPort } from "./helpers.ts"

const root = new URL("../", import.meta.url)

describe("the dashboard from the command line", () => {
  it("npm start -- --dashboard: the study's pools on /events while it runs, and the study ends as usual", async () => {
    const child = spawn("npm", ["start", "--silent", "--", "--kind", "sleep", "--jobs", "6", "--sleep-ms", "150", "--workers", "1,2", "--repeat", "2", "--dashboard"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    let stdout = ""
    child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()))
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
        const m = /the study's dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)
        if (m) resolve(m[1]!)
      })
      child.once("exit", () => reject(new Error(`exited before the dashboard was up: ${stderr}`)))
    })
    const response = await fetch(`${url}events`)
    const reader = response.body!.getReader()
    let text = ""
    while (!text.includes('"name":"sleep-study"')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    await reader.cancel()
    expect(text).toContain("event: snapshot")
    expect(text).toContain('"name":"sleep-study"')
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    expect(code).toBe(0)
    expect(stdout).toContain("Sleep jobs (I/O-bound) on fiber workers: 6 jobs of 150 ms")
  }, 120_000)

  it("troupe dashboard on a port in use: one line on stderr, exit code 1", async () => {
    const { port, close } = await takenPort()
    try {
      const ran = spawnSync("npm", ["start", "--silent", "--", "dashboard", "--port", String(port)], { cwd: root, encoding: "utf8", timeout: 60_000 })
      expect(ran.status).toBe(1)
      expect(ran.stdout).toBe("")
      expect(ran.stderr.trim().split("\n")).toHaveLength(1)
      expect(ran.stderr.trim()).toBe(`troupe dashboard: the dashboard could not listen on 127.0.0.1:${port}: the address is in use (EADDRINUSE)`)
    } finally {
      close()
    }
  }, 60_000)
})
