// What bench G's route computes, and the shape of its runs: shared by the
// servers (bench/http/server.ts), their thread modules and the load
// generator (bench/http.ts).
import { pbkdf2Sync } from "node:crypto"

/** PBKDF2-HMAC-SHA256 iterations per request: ~1.1 ms of CPU on the bench VM (2 × AMD EPYC). */
export const ITERATIONS = 10_000
const SALT = "troupe-bench-salt"

/** The route's work: a 32-byte PBKDF2 key of `input`, in hex. */
export const hashOf = (input: string): string => pbkdf2Sync(input, SALT, ITERATIONS, 32, "sha256").toString("hex")

/** Threads per pool. */
export const THREADS = 2
/** Keep-alive connections, each with one request in flight at a time. */
export const CONNECTIONS = 64
/** Unmeasured load before the measured window (the servers' code warms up). */
export const WARM_UP_MS = 750
export const MEASURE_MS = 3_000
/** The run also ends after this many requests, whichever comes first. */
export const MAX_REQUESTS = 200_000

/** The route's one path, with its input as the query (`/hash?input=…`). */
export const PATH = "/hash"

/** The input of a request to `/hash?input=…`: the same cheap parse in every server. */
export const inputOf = (url: string): string | undefined => {
  const at = url.indexOf("?input=")
  return at < 0 ? undefined : url.slice(at + 7)
}

/** What the load generator and a server say to each other over their IPC channel. */
export type ToServer = "mark" | "stop"
export type FromServer =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "mark"; readonly cpuUs: number; readonly elu: { readonly idle: number; readonly active: number; readonly utilization: number } }
