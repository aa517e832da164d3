// A PNG of a study's report.html, for the README:
//   npx node scripts/screenshot.ts <report.html> <out.png>
// 1480 px wide (the page's max width): the report as a wide screen shows it.
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { launchChromium } from "./chromium.ts"

const [html, png] = process.argv.slice(2)
if (html === undefined || png === undefined) {
  console.error("usage: npx node scripts/screenshot.ts <report.html> <out.png>")
  process.exit(2)
}
const browser = await launchChromium()
try {
  const page = await browser.newPage({ viewport: { width: 1480, height: 900 } })
  await page.goto(pathToFileURL(resolve(html)).href)
  mkdirSync(dirname(resolve(png)), { recursive: true })
  await page.screenshot({ path: png, fullPage: true })
  console.log(`wrote ${png}`)
} finally {
  await browser.close()
}
