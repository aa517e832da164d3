// troupe's thread handler for bench G: each thread loads this module.
import * as Thread from "troupe/Thread"
import { hashOf } from "./work.ts"

export const hash = Thread.handler(import.meta.url, (input: string) => hashOf(input))
