// scripts/chromium.ts: which browser the browser test and the screenshot get,
// decided from the environment alone (no browser is started here).
import { describe, expect, it } from "vitest"
import { findChromium, npmArgs } from "../scripts/chromium.ts"

const on = (...paths: Array<string>) => (path: string) => paths.includes(path)

describe("findChromium", () => {
  it("takes CHROMIUM_PATH first, and fails when nothing runs there", () => {
    const env = { CHROMIUM_PATH: "/opt/c/chrome", PATH: "/usr/bin" }
    expect(findChromium(env, on("/opt/c/chrome", "/usr/bin/chromium"))).toEqual({ _tag: "System", path: "/opt/c/chrome" })
    expect(() => findChromium(env, on("/usr/bin/chromium"))).toThrow("CHROMIUM_PATH=/opt/c/chrome: no executable there")
  })

  it("else the first name found on PATH or in /usr/bin, names in order before directories", () => {
    const env = { PATH: "/home/u/bin:/usr/local/bin" }
    expect(findChromium(env, on("/usr/bin/google-chrome", "/home/u/bin/chromium-browser"))).toEqual({
      _tag: "System",
      path: "/home/u/bin/chromium-browser"
    })
    expect(findChromium({}, on("/usr/bin/google-chrome-stable"))).toEqual({ _tag: "System", path: "/usr/bin/google-chrome-stable" })
  })

  it("else the npm package's", () => {
    expect(findChromium({ PATH: "/usr/bin:/bin" }, on())).toEqual({ _tag: "Npm" })
  })

  it("TROUPE_SYSTEM_CHROMIUM=0 hides the machine's browser; a contradiction or another value fails", () => {
    expect(findChromium({ TROUPE_SYSTEM_CHROMIUM: "0", PATH: "/usr/bin" }, on("/usr/bin/chromium"))).toEqual({ _tag: "Npm" })
    expect(findChromium({ TROUPE_SYSTEM_CHROMIUM: "1", PATH: "/usr/bin" }, on("/usr/bin/chromium"))).toEqual({
      _tag: "System",
      path: "/usr/bin/chromium"
    })
    expect(() => findChromium({ TROUPE_SYSTEM_CHROMIUM: "0", CHROMIUM_PATH: "/usr/bin/chromium" }, on("/usr/bin/chromium"))).toThrow(
      "contradict each other"
    )
    expect(() => findChromium({ TROUPE_SYSTEM_CHROMIUM: "no" }, on())).toThrow("TROUPE_SYSTEM_CHROMIUM=no: expected 0")
  })
})

describe("npmArgs", () => {
  it("keeps ours and the package's quiet defaults; drops its GPU stack, security switches, single process and headless mode", async () => {
    const { default: pkg } = await import("@sparticuz/chromium")
    const merged = npmArgs(pkg.args)
    expect(merged.slice(0, 3)).toEqual(["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
    expect(merged).toContain("--no-zygote")
    expect(merged.filter((a) => a === "--no-sandbox")).toHaveLength(1)
    for (const flag of ["--use-gl", "--use-angle", "--disable-web-security", "--single-process", "--headless"]) {
      expect(merged.filter((a) => a.split("=")[0] === flag), flag).toEqual([])
    }
  })
})
