// The study's results, as written to `out/study.json` and printed by `--json`:
// one Schema, so the file is checked on the way out and readers can decode it.
import { Schema } from "effect"

const Millis = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0))
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** One batch on a fixed team. */
export const Row = Schema.Struct({
  workers: Count,
  /** The median of the batches' wall times. */
  wallMs: Millis,
  samplesMs: Schema.Array(Millis).check(Schema.isMinLength(1)),
  /** What the batch would take with no overhead: ceil(jobs / workers) job durations. */
  idealMs: Millis,
  /** Wall time of the smallest team, times its size, over this wall time. */
  speedup: Schema.Number,
  idealSpeedup: Schema.Number,
  /** Share of the team's time spent running jobs (1: never idle, no overhead). */
  utilization: Schema.Number
})
export type Row = typeof Row.Type

export const TimelinePoint = Schema.Struct({ atMs: Millis, workers: Count })
export type TimelinePoint = typeof TimelinePoint.Type

/** The same batch with the supervisor sizing the team. */
export const Autoscaled = Schema.Struct({
  policy: Schema.String,
  minWorkers: Count,
  maxWorkers: Count,
  wallMs: Millis,
  peakWorkers: Count,
  /** The team when the run ended: back at the floor once idle workers retired. */
  finalWorkers: Count,
  /** Team size over time, from the first submit; one point per change. */
  timeline: Schema.Array(TimelinePoint)
})
export type Autoscaled = typeof Autoscaled.Type

export const KindReport = Schema.Struct({
  kind: Schema.Literals(["sleep", "cpu"]),
  workerType: Schema.Literals(["fiber", "thread"]),
  jobs: Count,
  /** Sleep ms per job, or digits of pi per job. */
  jobSize: Count,
  jobUnit: Schema.Literals(["ms", "digits"]),
  /** One job's time alone: the sleep, or the smallest team's time per job and worker. */
  jobMs: Millis,
  rows: Schema.Array(Row).check(Schema.isMinLength(1)),
  autoscaled: Autoscaled
})
export type KindReport = typeof KindReport.Type

export const StudyReport = Schema.Struct({
  tool: Schema.Literal("troupe study"),
  version: Schema.String,
  date: Schema.String,
  machine: Schema.Struct({
    cpus: Count,
    model: Schema.String,
    memoryGiB: Schema.Number,
    node: Schema.String,
    platform: Schema.String
  }),
  settings: Schema.Struct({
    /** Batches per fixed team. */
    repeat: Count,
    mailbox: Schema.String,
    dispatch: Schema.String,
    scaling: Schema.String,
    jobsPerWorker: Count,
    idleAfterMs: Millis
  }),
  kinds: Schema.Array(KindReport).check(Schema.isMinLength(1))
})
export type StudyReport = typeof StudyReport.Type
