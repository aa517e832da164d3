// Numbers as the tables show them (1,234.5): one definition for the study's
// tables and report, and the benchmarks' document.

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
