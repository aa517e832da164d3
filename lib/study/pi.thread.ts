// The CPU-bound job, run on thread workers: each thread imports this module.
import * as Thread from "troupe/Thread"
import { piDigits } from "../cpuWork.ts"

export const pi = Thread.handler(import.meta.url, (digits: number) => piDigits(digits))
