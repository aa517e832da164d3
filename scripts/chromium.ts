// One place for how we start headless Chromium: the report's browser test and
// the README screenshot use the same binary and flags.
import { existsSync } from "node:fs"
import { chromium, type Browser } from "playwright-core"

/** Debian's Chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

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

/** Fails, never skips, when Chromium is missing: a browser check that quietly
 * does not run would read as a pass. */
export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: run .ci/run, or as root \`apt-get install -y chromium\``
    )
  }
  return chromium.launch({ executablePath: chromiumPath, args })
}
