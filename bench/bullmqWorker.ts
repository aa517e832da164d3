// A BullMQ worker process for section I's side-by-side run:
// `bullmqWorker.ts <redis host> <redis port> [queue] [lock ms]`, named by RUNNER_NAME.
// Its jobs sleep `data.ms` (none for 0) and answer the worker's name;
// concurrency 16, as troupe's runners have 16 workers. A lock time sets both
// `lockDuration` and `stalledInterval` (BullMQ's defaults: 30 s each), which
// bound how soon a dead worker's jobs run elsewhere. "ready" on stderr once connected.
import { Worker } from "bullmq"
import { Redis } from "ioredis"
import { setTimeout as sleep } from "node:timers/promises"

const [host, port, queue = "bench", lockMs] = process.argv.slice(2)
const lock = lockMs === undefined ? {} : { lockDuration: Number(lockMs), stalledInterval: Number(lockMs) }
const connection = new Redis({ host, port: Number(port), maxRetriesPerRequest: null })
const worker = new Worker(
  queue,
  async (job) => {
    if (job.data.ms > 0) await sleep(job.data.ms)
    return process.env.RUNNER_NAME
  },
  { connection, concurrency: 16, ...lock }
)
await worker.waitUntilReady()
process.stderr.write("ready\n")
process.once("SIGTERM", () => void worker.close().then(() => process.exit(0)))
