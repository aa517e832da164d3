// Worker teams on the command line: `8` (1..8), `2..6`, or `1,2,4,8`.
import { Result } from "effect"

/** The largest team the study tries: far past any machine's useful team, and a list it can hold. */
export const largestTeam = 10_000

/** Reads a team list: the team sizes, or what was expected instead of `text`. */
export const parseTeams = (text: string): Result.Result<ReadonlyArray<number>, string> => {
  const trimmed = text.trim()
  const range = /^(\d+)(?:\.\.(\d+))?$/.exec(trimmed)
  const tooLarge = Result.fail(`teams of at most ${largestTeam} workers`)
  if (range !== null) {
    const single = range[2] === undefined
    const from = single ? 1 : Number(range[1])
    const to = Number(range[2] ?? range[1])
    if (from < 1 || to < from) return Result.fail(single ? "N of at least 1 (teams 1..N)" : "A..B with 1 <= A <= B")
    if (to > largestTeam) return tooLarge
    return Result.succeed(Array.from({ length: to - from + 1 }, (_, i) => from + i))
  }
  if (/^\d+(,\d+)+$/.test(trimmed)) {
    const sizes = trimmed.split(",").map(Number)
    if (sizes.some((n, i) => n < 1 || (i > 0 && n <= sizes[i - 1]!))) return Result.fail("increasing sizes of at least 1, such as 1,2,4")
    if (sizes.some((n) => n > largestTeam)) return tooLarge
    return Result.succeed(sizes)
  }
  return Result.fail("N (teams 1..N), A..B, or a list such as 1,2,4")
}
