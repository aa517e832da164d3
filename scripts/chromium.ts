// One place for how we start headless Chromium: the report's browser test and
// the README screenshot use the same binary and flags. A Chromium the machine
// already has comes first; without one, the one @sparticuz/chromium ships in
// its npm package (a devDependency), so `npm install && npm test` needs nothing else.
import { execFile } from "node:child_process"
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { chromium, type Browser } from "playwright-core"

/** Where the browser comes from: a path on this machine, or the npm package. */
export type ChromiumSource =
  | { readonly _tag: "System"; readonly path: string }
  | { readonly _tag: "Npm" }

/** The names a system Chromium goes by, in the order we take them. */
export const systemNames = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"] as const

/** Besides PATH: where Linux packages put it, then the macOS apps. */
const usualDirs = ["/usr/bin", "/usr/local/bin"]
const macApps = ["/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"]

// No sandbox: CI runs as root. The background services would try the network,
// which is closed here, and their refused connections get in the way.
const args = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run"
]

// The package's flags are for AWS Lambda. Kept: its binary's needs (no zygote, no
// setuid sandbox) and its quiet defaults. Dropped: a GPU stack (SwiftShader; ours
// says no GPU), security turned off (web security, insecure content), one process
// for everything (a Lambda workaround) and a headless mode (Playwright sets it).
const dropped = new Set([
  "--use-gl", "--use-angle", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--in-process-gpu",
  "--disable-web-security", "--allow-running-insecure-content", "--single-process", "--headless"
])

/** Ours, then the package's that do not contradict them. */
export const npmArgs = (packageArgs: ReadonlyArray<string>): Array<string> => [
  ...args,
  ...packageArgs.filter((a) => !dropped.has(a.split("=")[0]!) && !args.includes(a))
]

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * `CHROMIUM_PATH` if set (it must exist); else the first of `systemNames` on PATH
 * or in the usual places; else the npm package. `TROUPE_SYSTEM_CHROMIUM=0` hides the
 * machine's browser, so CI proves the npm one works on a machine that has both.
 */
export const findChromium = (env: NodeJS.ProcessEnv = process.env, canRun = isExecutable): ChromiumSource => {
  const system = env.TROUPE_SYSTEM_CHROMIUM
  if (system !== undefined && system !== "0" && system !== "1") {
    throw new Error(`TROUPE_SYSTEM_CHROMIUM=${system}: expected 0 (use the npm package's Chromium) or 1 (look for one on this machine first)`)
  }
  const explicit = env.CHROMIUM_PATH
  if (system === "0") {
    if (explicit) throw new Error(`CHROMIUM_PATH=${explicit} and TROUPE_SYSTEM_CHROMIUM=0 contradict each other: unset one`)
    return { _tag: "Npm" }
  }
  if (explicit) {
    if (!canRun(explicit)) throw new Error(`CHROMIUM_PATH=${explicit}: no executable there`)
    return { _tag: "System", path: explicit }
  }
  const dirs = new Set([...(env.PATH ?? "").split(delimiter).filter((d) => d !== ""), ...usualDirs])
  const candidates = [...systemNames.flatMap((name) => [...dirs].map((dir) => join(dir, name))), ...macApps]
  const path = candidates.find(canRun)
  return path === undefined ? { _tag: "Npm" } : { _tag: "System", path }
}

interface Launch {
  readonly path: string
  readonly args: Array<string>
  readonly env: NodeJS.ProcessEnv
}

const noBrowser = (why: string) =>
  new Error(
    `No Chromium: none on this machine (or TROUPE_SYSTEM_CHROMIUM=0 hid it), and ${why}. ` +
      "Install chromium or Google Chrome, or set CHROMIUM_PATH to one."
  )

/**
 * The package unpacks its browser (about 210 MB) into the temp folder on first use.
 * Left to itself it writes to a shared `/tmp/chromium` that it trusts if it merely
 * exists: a half-written file from an interrupted or concurrent first run, another
 * user's private copy, or another version's. So each version unpacks once per user,
 * into a folder of its own, staged and renamed into place whole.
 */
const npmChromium = async (): Promise<Launch> => {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw noBrowser(`@sparticuz/chromium runs on Linux x64 only, not ${process.platform} ${process.arch}`)
  }
  let entry: string
  try {
    entry = createRequire(import.meta.url).resolve("@sparticuz/chromium")
  } catch {
    throw noBrowser("@sparticuz/chromium is not installed (run npm install)")
  }
  const { version } = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string }
  const dir = join(tmpdir(), `troupe-chromium-${version}-${process.getuid?.() ?? "user"}`)
  if (!existsSync(join(dir, "chromium"))) await unpack(entry, dir)
  const { default: pkg } = await import("@sparticuz/chromium")
  const env = process.env.FONTCONFIG_FILE === undefined ? { ...process.env, FONTCONFIG_FILE: join(dir, "fonts.conf") } : process.env
  return { path: join(dir, "chromium"), args: npmArgs(pkg.args), env }
}

// The machine's fonts if it has any, and the package's Open Sans always: with no
// font at all a page's text is not drawn (the package's own fonts.conf expects /tmp/fonts).
const fontsConf = (dir: string) => `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${join(dir, "fonts")}</dir>
  <cachedir>${join(dir, "fonts-cache")}</cachedir>
</fontconfig>
`

// In a child whose temp folder is the staging one: the package only unpacks into tmpdir().
const unpack = async (entry: string, dir: string): Promise<void> => {
  const staging = mkdtempSync(`${dir}.partial-`)
  try {
    const script = `const { default: c } = await import(${JSON.stringify(pathToFileURL(entry).href)}); await c.executablePath()`
    await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, TMPDIR: staging } })
    writeFileSync(join(staging, "fonts.conf"), fontsConf(dir))
    renameSync(staging, dir)
  } catch (error) {
    // Another run may have finished first: its copy is as good as ours.
    if (!existsSync(join(dir, "chromium"))) throw noBrowser(`unpacking @sparticuz/chromium into ${dir} failed: ${String(error)}`)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/** Fails, never skips, when no Chromium can be had: a browser check that quietly
 * does not run would read as a pass. */
export const launchChromium = async (): Promise<Browser> => {
  const source = findChromium()
  const { path, args: flags, env } = source._tag === "System" ? { path: source.path, args, env: process.env } : await npmChromium()
  try {
    return await chromium.launch({ executablePath: path, args: flags, env })
  } catch (error) {
    throw new Error(`Chromium at ${path} (${source._tag === "System" ? "this machine's" : "@sparticuz/chromium's"}) did not start: ${String(error)}`)
  }
}
