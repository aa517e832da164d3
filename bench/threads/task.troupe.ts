// troupe's thread handlers for the thread benchmark: plain functions (as
// piscina's are), and the same work returning an Effect.
import * as Thread from "troupe/Thread"
import { piDigits, sumTo } from "../../lib/cpuWork.ts"

export const tiny = Thread.handler(import.meta.url, (n: number) => sumTo(n))
export const pi = Thread.handler(import.meta.url, (digits: number) => piDigits(digits))
