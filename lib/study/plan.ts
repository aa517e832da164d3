// What the study runs, resolved from the flags and the machine: per job kind,
// the batch, the job size and the teams to try.
import { Option } from "effect"
import { availableParallelism } from "node:os"

export interface KindPlan {
  readonly kind: "sleep" | "cpu"
  readonly jobs: number
  /** Sleep ms or digits of pi per job. */
  readonly size: number
  /** Fixed team sizes, ascending. */
  readonly teams: ReadonlyArray<number>
}

export interface StudyPlan {
  readonly kinds: ReadonlyArray<KindPlan>
  /** Batches per fixed team; a row shows their median. */
  readonly repeat: number
  readonly mailbox: "fifo" | "lifo" | "priority"
  readonly dispatch: "leastLoaded" | "roundRobin" | "workStealing"
  readonly scaling: "auto" | "threshold"
  readonly jobsPerWorker: number
  readonly idleAfterMs: number
  /** Run across runner processes (a team member each, sharing PostgreSQL) instead of a local pool's workers. */
  readonly distributed?: { readonly runners: number; readonly postgres: string | undefined } | undefined
}

/**
 * What the study reads of `troupe study`'s flags as parsed (cli/flags.ts, which says each one's
 * default): the command passes its whole input, the bench's section F its defaults.
 */
export interface StudyFlags {
  readonly kind: "both" | "sleep" | "cpu"
  /** Jobs per batch; none: 16 sleep jobs, and 8 CPU jobs per core. */
  readonly jobs: Option.Option<number>
  readonly sleepMs: number
  readonly digits: number
  readonly repeat: number
  /** Fiber worker teams for sleep jobs; none: 1..jobs. */
  readonly workers: Option.Option<ReadonlyArray<number>>
  /** Thread worker teams for CPU jobs; none: 1..cores. */
  readonly threads: Option.Option<ReadonlyArray<number>>
  readonly mailbox: StudyPlan["mailbox"]
  readonly dispatch: StudyPlan["dispatch"]
  readonly scaling: StudyPlan["scaling"]
  readonly jobsPerWorker: number
  readonly idleAfterMs: number
  /** Distributed: the teams are 1..runners runner processes. */
  readonly runners: Option.Option<number>
  /** The distributed study's PostgreSQL URL; none: embedded. */
  readonly postgres: Option.Option<string>
  /** Serve the live dashboard while the study runs (cli/study.ts), on this port or a free one. */
  readonly dashboard: boolean
  readonly dashboardPort: Option.Option<number>
}

const upTo = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i + 1)

export const resolve = (flags: StudyFlags, cores = availableParallelism()): StudyPlan => {
  const jobs = (fallback: number) => Option.getOrElse(flags.jobs, () => fallback)
  const runners = Option.map(flags.runners, upTo)
  const sleep = (): KindPlan => {
    const n = jobs(16)
    return { kind: "sleep", jobs: n, size: flags.sleepMs, teams: Option.getOrElse(runners, () => Option.getOrElse(flags.workers, () => upTo(n))) }
  }
  const cpu = (): KindPlan => ({
    kind: "cpu",
    jobs: jobs(8 * cores),
    size: flags.digits,
    teams: Option.getOrElse(runners, () => Option.getOrElse(flags.threads, () => upTo(cores)))
  })
  return {
    kinds: flags.kind === "both" ? [sleep(), cpu()] : flags.kind === "sleep" ? [sleep()] : [cpu()],
    repeat: flags.repeat,
    mailbox: flags.mailbox,
    dispatch: flags.dispatch,
    scaling: flags.scaling,
    jobsPerWorker: flags.jobsPerWorker,
    idleAfterMs: flags.idleAfterMs,
    distributed: Option.match(flags.runners, {
      onNone: () => undefined,
      onSome: (runners) => ({ runners, postgres: Option.getOrUndefined(flags.postgres) })
    })
  }
}
