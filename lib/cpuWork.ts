// The CPU work thread jobs run, in the thread benchmark (troupe's pool and
// piscina alike) and in the study's CPU jobs: plain functions, no imports, so
// each thread loads only what its pool needs.

/** The tiny task: sum of 1..n. */
export const sumTo = (n: number): number => {
  let sum = 0
  for (let i = 1; i <= n; i++) sum += i
  return sum
}

/** `digits` decimal digits of pi, by Machin's formula on BigInt: ~50 ms for the bench's size. */
export const piDigits = (digits: number): string => {
  const unity = 10n ** BigInt(digits + 10)
  const arctanInverse = (x: bigint): bigint => {
    let sum = 0n
    let term = unity / x
    const x2 = x * x
    for (let k = 0n; term !== 0n; k++) {
      sum += k % 2n === 0n ? term / (2n * k + 1n) : -term / (2n * k + 1n)
      term /= x2
    }
    return sum
  }
  const pi = 4n * (4n * arctanInverse(5n) - arctanInverse(239n))
  return pi.toString().slice(0, digits)
}
