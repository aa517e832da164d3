// Worker teams on the command line: `8` (1..8), `2..6`, or `1,2,4,8`.

/** Parses a team list; throws an Error whose message says what was expected. */
export const parseTeams = (text: string): ReadonlyArray<number> => {
  const trimmed = text.trim()
  const range = /^(\d+)(?:\.\.(\d+))?$/.exec(trimmed)
  if (range !== null) {
    const from = range[2] === undefined ? 1 : Number(range[1])
    const to = Number(range[2] ?? range[1])
    if (from < 1 || to < from) throw new Error(`"${text}" is not a range of teams: expected 1 <= A <= B in A..B`)
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  }
  if (/^\d+(,\d+)+$/.test(trimmed)) {
    const sizes = trimmed.split(",").map(Number)
    if (sizes.some((n, i) => n < 1 || (i > 0 && n <= sizes[i - 1]!))) {
      throw new Error(`"${text}" is not a list of teams: expected increasing sizes of at least 1`)
    }
    return sizes
  }
  throw new Error(`"${text}" is not a team size: expected N (1..N), A..B, or a list such as 1,2,4`)
}
