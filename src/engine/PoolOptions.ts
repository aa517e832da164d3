/**
 * The options of a pool, decoded once at its front door by a Schema: defaults
 * merged, unknown keys rejected, and every problem reported with the field
 * that has it and the value that was given.
 *
 * @since 0.1.0
 */
import { type Duration, Effect, Exit, Schedule, Schema, SchemaIssue, SchemaTransformation } from "effect"
import * as Durations from "../shared/durations.ts"
import * as Dispatch from "../strategies/Dispatch.ts"
import * as Mailbox from "../strategies/Mailbox.ts"
import * as Scaling from "../strategies/Scaling.ts"
import { InvalidOptions } from "./PoolError.ts"
import * as Thread from "../actors/Thread.ts"

const Handler = Schema.declare(
  (u: unknown): u is ((input: any) => Effect.Effect<any, any, any>) | Thread.Handler<any, any, any> =>
    typeof u === "function" || Thread.isHandler(u),
  { expected: "a function (input) => an Effect, a Promise or a value; or a Thread.handler" }
)

// A duration checked strictly (see shared/durations.ts: NaN, `{}` or an
// endless shutdown deadline are errors, not 0 ms or a hang) and decoded to
// milliseconds here, once: the engine reads numbers.
const DurationInput = (bounds: Durations.Bounds = {}) =>
  Schema.declare(
    (u: unknown): u is Duration.Input => Durations.toMillis(u, bounds) !== undefined,
    { expected: Durations.expected(bounds) }
  ).pipe(
    Schema.decodeTo(
      Schema.Number,
      SchemaTransformation.transform<number, Duration.Input>({ decode: (d) => Durations.toMillis(d, bounds)!, encode: (ms) => ms })
    )
  )

/** Timeouts: Infinity means no limit. */
const Timeout = DurationInput({ infinite: true })

const MailboxOption = Schema.Union([
  Schema.Literals(["fifo", "lifo", "priority"]),
  Schema.declare(Mailbox.isMailboxKind, { expected: "a Mailbox kind" })
])

const DispatchOption = Schema.Union([
  Schema.Literals(["leastLoaded", "roundRobin", "workStealing"]),
  Schema.declare(Dispatch.isDispatch, { expected: "a Dispatch strategy" })
])

const ScalingOption = Schema.Union([
  Schema.Literals(["auto", "fixed"]),
  Schema.declare(Scaling.isScaling, { expected: "a Scaling policy" })
])

const Count = (minimum: number) => Schema.Int.check(Schema.isGreaterThanOrEqualTo(minimum))

/**
 * A rate limit: at most `limit` job starts per `window`, counted by Effect's
 * `RateLimiter` with the given algorithm (default `"fixed-window"`).
 *
 * @category schemas
 * @since 0.3.0
 */
export const RateLimit = Schema.Struct({
  limit: Count(1),
  window: DurationInput({ positive: true }),
  algorithm: Schema.optionalKey(Schema.Literals(["fixed-window", "token-bucket"]))
})

/**
 * A retry policy: `schedule` spaces the attempts (its input is the error),
 * `times` caps the retries, `while` says which errors may be retried.
 *
 * @category schemas
 * @since 0.3.0
 */
export const Retry = Schema.Struct({
  schedule: Schema.optionalKey(
    Schema.declare((u: unknown): u is Schedule.Schedule<unknown, any> => Schedule.isSchedule(u), { expected: "a Schedule" })
  ),
  times: Schema.optionalKey(Count(0)),
  while: Schema.optionalKey(
    Schema.declare((u: unknown): u is (error: any) => boolean => typeof u === "function", { expected: "a function (error) => boolean" })
  )
}).check(
  Schema.makeFilter((r) =>
    r.schedule !== undefined || r.times !== undefined ? undefined : { path: [], issue: "a retry policy needs a schedule or times" }
  )
)

/**
 * The smallest `thread.maxHeapMb`, in MiB. A thread with the smallest handler
 * (a module that imports only `troupe/Thread`) needs about 13 MiB of heap to
 * boot and answer (measured on Node 24: 13 MiB booted 30 times in 30, 12 MiB
 * 28, 10 MiB never), and Node aborts the whole process when a thread's limit
 * is 2 MiB or less. Twice that, rounded up to 32, leaves room for other Node
 * versions and platforms. A handler module's own imports need more (48 MiB
 * with `effect/Effect` and `effect/Schema`): see docs/threads.md, "Memory".
 *
 * @category schemas
 * @since 0.4.0
 */
export const minThreadHeapMb = 32

const HeapMb = Schema.Finite.check(Schema.isGreaterThan(0))

const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))(schema)

const Queued = Schema.Literals(["drain", "handBack", "deadLetter"])

/**
 * The terms of one shutdown, given to `Pool.shutdown` (each one left out
 * is the pool's own `shutdown` option). The deadline is finite: shutdown
 * never hangs.
 *
 * @category schemas
 * @since 0.4.0
 */
export const ShutdownOptions = Schema.Struct({
  deadline: Schema.optionalKey(DurationInput()),
  queued: Schema.optionalKey(Queued)
})

/**
 * One job's options (`Pool.submit`, `Pool.fork`, `PromisePool.run`). See
 * `Pool.JobOptions` for what each does.
 *
 * @category schemas
 * @since 0.4.0
 */
export const JobOptions = Schema.Struct({
  queueTimeout: Schema.optionalKey(Timeout),
  retry: Schema.optionalKey(Retry),
  priority: Schema.optionalKey(Schema.Finite),
  timeout: Schema.optionalKey(Timeout),
  key: Schema.optionalKey(Schema.UndefinedOr(Schema.String))
})

/**
 * The option schema. See `Pool.make` for what each option does.
 *
 * @category schemas
 * @since 0.1.0
 */
export const PoolOptions = Schema.Struct({
  handler: Handler,
  name: withDefault(Schema.NonEmptyString, "troupe"),
  minWorkers: withDefault(Count(0), 1),
  maxWorkers: withDefault(Count(1), 4),
  // Left out, a fiber pool runs 1 job per worker, a thread pool sizes its window by its jobs' time.
  concurrency: Schema.optionalKey(Count(1)),
  mailbox: withDefault(MailboxOption, "fifo"),
  dispatch: withDefault(DispatchOption, "leastLoaded"),
  scaling: withDefault(ScalingOption, "auto"),
  capacity: withDefault(Schema.Union([Count(1), Schema.Literal("unbounded")]), 10_000),
  onFull: withDefault(Schema.Literals(["suspend", "fail"]), "suspend"),
  shutdown: withDefault(
    Schema.Struct({
      deadline: withDefault(DurationInput(), "30 seconds"),
      queued: withDefault(Queued, "drain")
    }),
    { deadline: "30 seconds", queued: "drain" }
  ),
  restart: withDefault(
    Schema.Struct({
      intensity: withDefault(Count(0), 10),
      period: withDefault(DurationInput({ positive: true }), "10 seconds")
    }),
    { intensity: 10, period: "10 seconds" }
  ),
  inspectionBuffer: withDefault(Count(1), 4096),
  timeout: Schema.optionalKey(Timeout),
  queueTimeout: Schema.optionalKey(Timeout),
  rateLimit: Schema.optionalKey(RateLimit),
  retry: Schema.optionalKey(Retry),
  deadLetters: withDefault(Schema.Struct({ capacity: withDefault(Count(1), 1_000) }), { capacity: 1_000 }),
  thread: withDefault(
    Schema.Struct({
      recycleAfterJobs: Schema.optionalKey(Count(1)),
      recycleAboveHeapMb: Schema.optionalKey(HeapMb),
      maxHeapMb: Schema.optionalKey(
        Schema.Finite.check(
          Schema.makeFilter((mb) =>
            mb >= minThreadHeapMb || !Number.isFinite(mb)
              ? undefined
              : `${mb} MiB is below the minimum, ${minThreadHeapMb} MiB: a thread needs about 13 MiB to boot, ` +
                `and a limit of 2 MiB or less aborts the whole process`
          )
        )
      )
    }),
    {}
  )
}).check(
  Schema.makeFilter((o) =>
    o.minWorkers <= o.maxWorkers
      ? undefined
      : { path: ["minWorkers"], issue: `minWorkers (${o.minWorkers}) must be <= maxWorkers (${o.maxWorkers})` }
  ),
  // Thread options on a pool of fiber workers would be silently ignored.
  Schema.makeFilter((o) =>
    Thread.isHandler(o.handler) || Object.keys(o.thread).length === 0
      ? undefined
      : { path: ["thread"], issue: "thread options apply only to a pool whose handler is a Thread.handler" }
  )
)

/**
 * Decoded options.
 *
 * @category models
 * @since 0.1.0
 */
export type Decoded = typeof PoolOptions.Type

/**
 * Decodes raw options, failing with `InvalidOptions` naming the first bad field.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (raw: unknown): Effect.Effect<Decoded, InvalidOptions> =>
  Schema.decodeUnknownEffect(PoolOptions)(raw, parseOptions).pipe(
    Effect.mapError((error) => toInvalidOptions(raw, error.issue, undefined, Object.keys(PoolOptions.fields)))
  )

/**
 * Decodes `Pool.shutdown`'s options, failing with `InvalidOptions` naming the bad field.
 *
 * @category decoding
 * @since 0.4.0
 */
export const decodeShutdown = (raw: unknown): Exit.Exit<typeof ShutdownOptions.Type, InvalidOptions> => decodeShutdownExit(raw)

/**
 * A synchronous decoder of `schema` whose failures are `InvalidOptions`,
 * naming each bad field under `at` (e.g. `rateLimit.window` for `Pool.setRateLimit`).
 *
 * @category decoding
 * @since 0.4.0
 */
export const decoder = <A>(schema: Schema.Decoder<A> & { readonly fields?: object }, at?: string) => {
  const decodeExit = Schema.decodeUnknownExit(schema)
  const known = schema.fields === undefined ? undefined : Object.keys(schema.fields)
  return (raw: unknown): Exit.Exit<A, InvalidOptions> =>
    Exit.mapError(decodeExit(raw, parseOptions), (error) => toInvalidOptions(raw, error.issue, at, known))
}

const parseOptions = { errors: "all", onExcessProperty: "error" } as const

const decodeShutdownExit = decoder(ShutdownOptions)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const toInvalidOptions = (raw: unknown, issue: SchemaIssue.Issue, at?: string, known?: ReadonlyArray<string>): InvalidOptions => {
  // One entry per field: a union reports one issue per member, joined here.
  const byField = new Map<string, Array<string>>()
  for (const i of formatter(issue).issues) {
    const field = (i.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".")
    // An unknown key gets the options there are, so a typo is easy to see.
    const message = i.message === "Expected no excess property" && known !== undefined && !field.includes(".")
      ? `is not an option here (known: ${known.join(", ")})`
      : i.message
    byField.set(field, [...(byField.get(field) ?? []), message])
  }
  const issues = [...byField].map(([field, messages]) => ({ field: qualified(field, at), message: messages.join(", or ") }))
  const first = [...byField.keys()][0] ?? ""
  return new InvalidOptions({
    field: issues[0]?.field ?? qualified("", at),
    value: valueAt(raw, first),
    issues: issues.length > 0 ? issues : [{ field: qualified("", at), message: "invalid options" }]
  })
}

const qualified = (field: string, at: string | undefined): string =>
  at === undefined ? field || "(options)" : field === "" ? at : `${at}.${field}`

const valueAt = (raw: unknown, field: string): unknown => {
  if (field === "") return raw
  let value: unknown = raw
  for (const key of field.split(".")) {
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined
  }
  return value
}
