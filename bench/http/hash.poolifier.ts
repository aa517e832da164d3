// poolifier's worker module for bench G.
import { ThreadWorker } from "poolifier"
import { hashOf } from "./work.ts"

export default new ThreadWorker((input?: string) => hashOf(input!))
