// An idle thread worker's handler for bench E, in plain JavaScript: the
// thread loads the built package (dist/), as an installed troupe's would.
import * as Thread from "troupe/Thread"

export const echo = Thread.handler(import.meta.url, (n) => n)
