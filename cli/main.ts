#!/usr/bin/env node
// `troupe` (and `npm start`): parses the command line, reads flags' fallbacks
// from the environment and a `.env` file, and runs the command.
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { ConfigProvider, Effect, FileSystem, Layer } from "effect"
import { Command } from "effect/cli"
import * as Bench from "./bench.ts"
import * as Commands from "./commands.ts"
import * as Study from "./study/study.ts"
import { version } from "./version.ts"

/** The environment first, then `.env` in the working directory (or `TROUPE_ENV_FILE`), when there is one. */
const config = Layer.unwrap(
  Effect.gen(function*() {
    const path = process.env.TROUPE_ENV_FILE ?? ".env"
    if (!(yield* (yield* FileSystem.FileSystem).exists(path))) return Layer.empty
    const file = yield* ConfigProvider.fromDotEnv({ path })
    return ConfigProvider.layer(ConfigProvider.orElse(ConfigProvider.fromEnv(), file))
  })
)

export const cli = Commands.make({ study: Study.run, bench: Bench.run })

NodeRuntime.runMain(
  Command.run(cli, { version }).pipe(Effect.provide(config), Effect.provide(NodeServices.layer))
)
