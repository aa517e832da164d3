#!/usr/bin/env node
// `troupe` (and `npm start`): parses the command line, reads flags' fallbacks
// from the environment and a `.env` file, and runs the command. Bad input
// gets a line on stderr and exit code 1 (cli/presenter.ts).
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { version } from "../lib/version.ts"
import * as Bench from "./bench.ts"
import * as Commands from "./commands.ts"
import * as Config from "./config.ts"
import * as DashboardCommand from "./dashboard.ts"
import * as Runner from "./runner.ts"
import * as Study from "./study.ts"

const cli = Commands.make({ study: Study.run, bench: Bench.run, runner: Runner.run, dashboard: DashboardCommand.run })

NodeRuntime.runMain(
  Command.run(cli, { version }).pipe(
    Commands.provide(Config.layer()),
    Effect.provide(NodeServices.layer)
  )
)
