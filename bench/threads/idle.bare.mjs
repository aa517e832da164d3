// A bare worker thread for bench E: it says it is ready, then echoes.
import { parentPort } from "node:worker_threads"

parentPort.on("message", (message) => parentPort.postMessage(message))
parentPort.postMessage("ready")
