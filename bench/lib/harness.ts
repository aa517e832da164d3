// Bench harness: every (contender, round) runs in a fresh child process, and
// rounds alternate the contenders' order so slow drifts hit everyone. Ratios
// are taken per round (contenders that ran back to back), then the median.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export interface Sample {
  readonly contender: string
  readonly [key: string]: number | string
}

/** Runs `script --child NAME` for each contender, `rounds` times; returns samples per round. */
export const runRounds = (
  script: string,
  contenders: ReadonlyArray<string>,
  rounds: number,
  log: (line: string) => void = () => {},
  /** Contenders run from another script: name -> [script, child name]. */
  elsewhere: Record<string, readonly [string, string]> = {}
): Array<Record<string, Sample>> => {
  const results: Array<Record<string, Sample>> = []
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    const byName: Record<string, Sample> = {}
    for (const name of order) {
      const [file, childArg] = elsewhere[name] ?? [fileURLToPath(script), name]
      const out = execFileSync(process.execPath, ["--expose-gc", file, "--child", childArg], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024
      })
      const line = out.trim().split("\n").at(-1)!
      byName[name] = { contender: name, ...JSON.parse(line) }
      log(`  round ${round + 1}/${rounds} ${name}: ${line}`)
    }
    results.push(byName)
  }
  return results
}

export const childName = (): string | undefined => {
  const i = process.argv.indexOf("--child")
  return i >= 0 ? process.argv[i + 1] : undefined
}

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g === undefined) throw new Error("run with --expose-gc")
  for (let i = 0; i < 4; i++) g()
}

export const usedHeap = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")
