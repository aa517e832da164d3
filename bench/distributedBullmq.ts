// Section I's BullMQ side: the same jobs on BullMQ + Redis (lib/redis.ts: the
// machine's server or Debian's package; AOF synced every second), with 1, then
// 2 worker processes (bullmqWorker.ts, concurrency 16 each) and this process
// as the producer. Jobs are added all at once, in `addBulk` calls of 256 (as
// troupe's client batches) or one `add` each, and timed until the last one's
// `completed` event: the producer counts completions, it does not await each
// job's result as troupe's client does. Then fail-over: with 2 workers whose
// locks expire after FAILOVER_LOCK_MS (troupe's runners give up a dead
// runner's shards after 5 s), one SIGKILLed once 40 of 200 jobs of 20 ms have
// completed, timed from the kill to the last completion.
import { Queue, QueueEvents } from "bullmq"
import { Redis } from "ioredis"
import { fileURLToPath } from "node:url"
import * as Processes from "../lib/cluster/processes.ts"
import type * as RedisServer from "../lib/redis.ts"

const workerFile = fileURLToPath(new URL("./bullmqWorker.ts", import.meta.url))

/** BullMQ's lock and stalled-check time in the fail-over run: as troupe's runners' shard lock. */
export const FAILOVER_LOCK_MS = 5_000

/** A queue named `name` on `redis` (finished jobs removed) and its events, ready. */
const open = async (redis: RedisServer.Redis, name: string) => {
  const connection = () => new Redis({ host: redis.host, port: redis.port, maxRetriesPerRequest: null })
  const queue = new Queue(name, { connection: connection(), defaultJobOptions: { removeOnComplete: true, removeOnFail: true } })
  const events = new QueueEvents(name, { connection: connection() })
  await events.waitUntilReady()
  return { queue, events, close: () => Promise.all([queue.close(), events.close()]) }
}

export const measure = async (redis: RedisServer.Redis, sizes: { readonly tiny: number; readonly slow: number; readonly slowMs: number }) => {
  const { queue, events, close } = await open(redis, "bench")
  let completed = 0
  let waiting: { readonly n: number; readonly resolve: () => void } | undefined
  events.on("completed", () => {
    completed++
    if (waiting !== undefined && completed >= waiting.n) waiting.resolve()
  })
  const rate = async (n: number, ms: number, bulk: boolean) => {
    completed = 0
    const done = new Promise<void>((resolve) => (waiting = { n, resolve }))
    const start = performance.now()
    const jobs = Array.from({ length: n }, (_, i) => ({ name: "job", data: { id: i, ms } }))
    if (bulk) for (let i = 0; i < n; i += 256) await queue.addBulk(jobs.slice(i, i + 256))
    else await Promise.all(jobs.map((job) => queue.add(job.name, job.data)))
    await done
    return n / ((performance.now() - start) / 1000)
  }
  const out: Record<string, number> = {}
  for (const count of [1, 2]) {
    const workers = await Promise.all(
      Array.from({ length: count }, (_, i) => Processes.start(`w${i}`, [workerFile, redis.host, String(redis.port)]))
    )
    try {
      await rate(100, 0, true) // warm-up
      for (const [mode, bulk] of [["persistedBatched", true], ["persistedSingle", false]] as const) {
        out[`tiny-${mode}-${count}`] = await rate(sizes.tiny, 0, bulk)
        out[`slow-${mode}-${count}`] = await rate(sizes.slow, sizes.slowMs, bulk)
      }
    } finally {
      await Promise.all(workers.map((w) => Processes.stopRunner(w, "SIGKILL")))
    }
  }
  await close()
  out.failoverMs = await failover(redis)
  return out
}

/**
 * Milliseconds from SIGKILLing one of two workers mid-run to the last of 200
 * jobs completed. A queue of its own: the stalled check runs at most once per
 * `stalledInterval` per queue, and the earlier workers' check (30 s) would hold it off.
 */
const failover = async (redis: RedisServer.Redis) => {
  const { queue, events, close } = await open(redis, "failover")
  const args = [workerFile, redis.host, String(redis.port), "failover", String(FAILOVER_LOCK_MS)]
  const workers = await Promise.all(["a", "b"].map((name) => Processes.start(name, args)))
  try {
    let completed = 0
    let killedAt = 0
    const done = new Promise<void>((resolve) =>
      events.on("completed", () => {
        if (++completed === 40) {
          killedAt = performance.now()
          workers[0]!.process.kill("SIGKILL")
        }
        if (completed === 200) resolve()
      })
    )
    await queue.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: "job", data: { id: i, ms: 20 } })))
    await done
    return performance.now() - killedAt
  } finally {
    await Promise.all(workers.map((w) => Processes.stopRunner(w, "SIGKILL")))
    await close()
  }
}
