// How `troupe` reports bad input: a line per problem, saying which flag or
// variable, the value given and what was expected, then a pointer to --help,
// all on stderr. effect/cli's own presenter prints the whole help first (to
// stdout) and the library's wording; help and --version still print its way.
import { Console, Effect, Runtime } from "effect"
import { type CliError, CliOutput, type HelpDoc } from "effect/cli"

/** The one shape of a message about a value: `--jobs "0": expected a whole number of at least 1`. */
export const invalid = (subject: string, expected: string): string => `${subject}: expected ${expected}`

/** Prints `problems` for the command `path` (`["troupe", "bench"]`) and the pointer to its --help. */
const report = (path: ReadonlyArray<string>, problems: ReadonlyArray<string>) =>
  Console.error([...problems.map((problem) => `${path.join(" ")}: ${problem}`), `Run ${path.join(" ")} --help for every flag.`].join("\n"))

/** effect/cli's "Expected: x" and "Expected an x" (our own reads say just "x"), as the tail of {@link invalid}. */
const expectation = (expected: string) => {
  const text = /^Expected:?\s*(.*)$/s.exec(expected)?.[1]
  return text === undefined ? expected : text.charAt(0).toLowerCase() + text.slice(1)
}

const problem = (error: CliError.NonShowHelpErrors, help: HelpDoc.HelpDoc): string => {
  switch (error._tag) {
    case "InvalidValue": {
      const name = error.kind === "flag" ? `--${error.option}` : `<${error.option}>`
      return error.value === ""
        ? `${name} needs a value (${expectation(error.expected)})`
        : invalid(`${name} ${JSON.stringify(error.value)}`, expectation(error.expected))
    }
    case "UnrecognizedOption":
      return `unknown flag ${error.option}${error.suggestions.length > 0 ? ` (did you mean ${error.suggestions.join(" or ")}?)` : ""}`
    case "UnknownSubcommand": {
      const commands = (help.subcommands ?? []).flatMap((group) => group.commands.map((command) => command.name))
      return invalid(`unknown command ${JSON.stringify(error.subcommand)}`, commands.join(" or "))
    }
    case "UnexpectedArgument":
      return invalid(`unexpected ${error.arguments.map((a) => JSON.stringify(a)).join(" ")}`, "flags only")
    case "MissingOption":
      return `--${error.option} is required`
    default:
      return error.message
  }
}

/** Bad input as above; help and --version as effect/cli prints them. */
export const presenter: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? report(event.commandPath, event.errors.map((error) => problem(error, event.helpDoc)))
      : CliOutput.defaultPresenter.present(event)
}

export const layer = CliOutput.layerPresenter(presenter)

/**
 * Reports a failure that stops `troupe` before its command line is parsed (a
 * `.env` file that cannot be read) the way bad input is reported, and marks
 * it as reported: the runtime exits 1 without logging it again.
 */
export const reportFailure = (error: Error): Effect.Effect<void> =>
  report(["troupe"], [error.message]).pipe(
    Effect.andThen(Effect.sync(() => void Object.assign(error, { [Runtime.errorReported]: false })))
  )

/** A failure the user can act on (a section that failed, no PostgreSQL, a runner that would not start): `<command>: <message>` on stderr, exit code 1. */
export const reportError = (command: string) => (error: { readonly message: string }): Effect.Effect<void> =>
  Console.error(`${command}: ${error.message}`).pipe(Effect.andThen(Effect.sync(() => void (process.exitCode = 1))))
