// The tiny task as an Effect handler: its threads load `effect/Effect`.
import * as Effect from "effect/Effect"
import * as Thread from "troupe/Thread"
import { sumTo } from "../../lib/cpuWork.ts"

export const tiny = Thread.handler(import.meta.url, (n: number) => Effect.sync(() => sumTo(n)))
