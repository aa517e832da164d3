// piscina's task module for the thread benchmark: one function per task kind.
import { piDigits, sumTo } from "../../lib/cpuWork.ts"

export const tiny = (n: number): number => sumTo(n)
export const pi = (digits: number): string => piDigits(digits)
