// Durations as users give them, checked strictly. Effect's `Duration.fromInput`
// is lenient on purpose (NaN, `{}` and `{ foo: 1 }` all read as 0 ms); an option
// that quietly means "every job times out at once" is worse than an error, so
// every duration troupe takes goes through here first.
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/** What a duration option allows beyond "finite and zero or more". */
export interface Bounds {
  /** Infinity is allowed (it means "no limit"). */
  readonly infinite?: boolean
  /** Zero is not allowed. */
  readonly positive?: boolean
}

const objectKeys = new Set(["weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds", "nanoseconds"])

/** The duration in milliseconds, or `undefined` when `u` is not one the bounds allow. */
export const toMillis = (u: unknown, bounds: Bounds = {}): number | undefined => {
  const ms = parse(u)
  if (ms === undefined || Number.isNaN(ms) || ms < 0) return undefined
  if (ms === Infinity && bounds.infinite !== true) return undefined
  if (ms === 0 && bounds.positive === true) return undefined
  return ms
}

/** The message for a value `toMillis` refused. */
export const expected = (bounds: Bounds = {}): string =>
  `a duration ${bounds.positive === true ? "of more than zero" : "of zero or more"}` +
  `${bounds.infinite === true ? " (or Infinity: no limit)" : ", and finite"}, such as "5 seconds" or 5000 (millis)`

const parse = (u: unknown): number | undefined => {
  switch (typeof u) {
    case "number":
      return u
    case "bigint":
    case "string":
      return fromEffect(u)
    case "object":
      if (u === null) return undefined
      if (Duration.isDuration(u)) return Duration.toMillis(u)
      if (Array.isArray(u)) return u.length === 2 && u.every(isFinite) ? fromEffect(u) : undefined
      return isDurationObject(u) ? fromEffect(u) : undefined
    default:
      return undefined
  }
}

const isFinite = (n: unknown): boolean => typeof n === "number" && Number.isFinite(n) && n >= 0

// At least one known unit, every one a finite number, nothing else.
const isDurationObject = (o: object): boolean => {
  const entries = Object.entries(o)
  return entries.length > 0 && entries.every(([key, value]) => objectKeys.has(key) && (value === undefined || isFinite(value))) &&
    entries.some(([, value]) => value !== undefined)
}

const fromEffect = (u: unknown): number | undefined => {
  const duration = Duration.fromInput(u as Duration.Input)
  return Option.isSome(duration) ? Duration.toMillis(duration.value) : undefined
}

/**
 * For constructors of plain values (a scaling policy, a mailbox kind, a tree
 * spec), which report a bad argument at once: the millis, or a RangeError
 * naming `what` and the value.
 */
export const toMillisOrThrow = (u: unknown, what: string, bounds: Bounds = {}): number => {
  const ms = toMillis(u, bounds)
  if (ms === undefined) throw new RangeError(`${what} must be ${expected(bounds)}, got ${show(u)}`)
  return ms
}

const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  try {
    return typeof u === "object" && u !== null && !Duration.isDuration(u) ? JSON.stringify(u) : String(u)
  } catch {
    return String(u)
  }
}
