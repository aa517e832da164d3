// Bench harness: every (contender, round) runs in a fresh child process, and
// rounds alternate the contenders' order so slow drifts hit everyone. Ratios
// are taken per round (contenders that ran back to back), then the median.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export interface Sample {
  readonly contender: string
  readonly [key: string]: number | string
}

export interface RoundsOptions {
  /** One line per child: its round, name and raw result. */
  readonly log?: (line: string) => void
  /** Called as each child's sample arrives (a progress bar's tick). */
  readonly onSample?: (sample: Sample) => void
  /** Aborted: the child running then is killed and the rounds fail. */
  readonly signal?: AbortSignal
  /** Contenders run from another script: name -> [script, child name]. */
  readonly elsewhere?: Record<string, readonly [string, string]>
}

/** Runs `script --child NAME` for each contender, `rounds` times; returns samples per round. */
export const runRounds = async (
  script: string,
  contenders: ReadonlyArray<string>,
  rounds: number,
  options: RoundsOptions = {}
): Promise<Array<Record<string, Sample>>> => {
  const results: Array<Record<string, Sample>> = []
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    const byName: Record<string, Sample> = {}
    for (const name of order) {
      const [file, childArg] = options.elsewhere?.[name] ?? [fileURLToPath(script), name]
      const out = await child(file, childArg, options.signal)
      const line = out.trim().split("\n").at(-1)!
      const sample: Sample = { contender: name, ...JSON.parse(line) }
      byName[name] = sample
      options.log?.(`  round ${round + 1}/${rounds} ${name}: ${line}`)
      options.onSample?.(sample)
    }
    results.push(byName)
  }
  return results
}

/**
 * One child, one at a time: the parent only waits (asynchronously, so a
 * progress bar can redraw), and the child's stderr goes straight through.
 */
const child = (file: string, name: string, signal: AbortSignal | undefined): Promise<string> =>
  new Promise((resolve, reject) => {
    // The parent's flags (`--conditions=troupe-source`: this repository's `troupe` is its sources) go along.
    const proc = spawn(process.execPath, [...process.execArgv, "--expose-gc", file, "--child", name], {
      stdio: ["ignore", "pipe", "inherit"],
      ...(signal === undefined ? {} : { signal })
    })
    const chunks: Array<Buffer> = []
    proc.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
    proc.on("error", reject)
    proc.on("close", (code, signal) =>
      code === 0
        ? resolve(Buffer.concat(chunks).toString("utf8"))
        : reject(new Error(`${file} --child ${name} exited with ${signal ?? code}`)))
  })

export const childName = (): string | undefined => {
  const i = process.argv.indexOf("--child")
  return i >= 0 ? process.argv[i + 1] : undefined
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

export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")
