// A Redis server for the benchmark's BullMQ side of section I, started here
// and stopped with its scope: the machine's `redis-server` when it has one,
// else Debian's package, fetched without root (`apt-get download`, unpacked
// with `dpkg -x` into the temp folder once per user), on 127.0.0.1 at a free
// port with an append-only file synced every second (BullMQ's durable
// setting) in a temp directory of its own. Not part of `npm test`: the tests
// need no Redis.
import { Effect, Schema, type Scope } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./postgres.ts"

export class RedisError extends Schema.TaggedError<RedisError>()("RedisError", { message: Schema.String }) {}

export interface Redis {
  readonly host: string
  readonly port: number
}

// Debian's redis-server is a link to redis-tools' redis-check-rdb, which needs these libraries.
const packages = ["redis-server", "redis-tools", "libjemalloc2", "liblzf1"]

/** The machine's redis-server, else Debian's, unpacked here: its path and the libraries it needs. */
const binary = (): { readonly path: string; readonly libraries?: string } => {
  try {
    return { path: execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() }
  } catch {
    const dir = join(tmpdir(), `troupe-redis-${process.getuid?.() ?? "user"}`)
    const path = join(dir, "root/usr/bin/redis-server")
    if (!existsSync(join(dir, "root/usr/bin/redis-check-rdb"))) {
      mkdirSync(dir, { recursive: true })
      execFileSync("apt-get", ["download", ...packages], { cwd: dir, stdio: "ignore", timeout: 60_000 })
      for (const deb of readdirSync(dir).filter((f) => f.endsWith(".deb"))) execFileSync("dpkg", ["-x", deb, "root"], { cwd: dir })
    }
    return { path, libraries: join(dir, "root/usr/lib/x86_64-linux-gnu") }
  }
}

/** Redis on 127.0.0.1 for the scope. */
export const start: Effect.Effect<Redis, RedisError, Scope.Scope> = Effect.gen(function*() {
  const { path, libraries } = yield* Effect.try({
    try: binary,
    catch: (e) => new RedisError({ message: `no redis-server on this machine, and Debian's could not be fetched (apt-get download ${packages.join(" ")}): ${String(e)}` })
  })
  const port = yield* Effect.mapError(freePort, (e) => new RedisError({ message: e.message }))
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "troupe-redis-data-"))),
    (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
  )
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]
  yield* Effect.acquireRelease(
    Effect.callback<ChildProcess, RedisError>((resume) => {
      const child = spawn(path, args, { env: { ...process.env, ...(libraries && { LD_LIBRARY_PATH: libraries }) }, stdio: ["ignore", "pipe", "pipe"] })
      let said = ""
      const listen = (chunk: Buffer) => {
        said += chunk.toString()
        if (said.includes("Ready to accept connections")) resume(Effect.succeed(child))
      }
      child.stdout!.on("data", listen)
      child.stderr!.on("data", listen)
      child.once("error", (e) => resume(Effect.fail(new RedisError({ message: `redis-server (${path}) would not start: ${e.message}` }))))
      child.once("exit", (code) => resume(Effect.fail(new RedisError({ message: `redis-server exited (${code}): ${said.slice(-500)}` }))))
    }).pipe(Effect.timeout("20 seconds"), Effect.mapError((e) => e instanceof RedisError ? e : new RedisError({ message: "redis-server did not start within 20 s" }))),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )
  return { host: "127.0.0.1", port }
})
