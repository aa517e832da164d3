// Where flags' fallbacks come from: the environment first, then a `.env`
// file: the one TROUPE_ENV_FILE names (which must exist), or `.env` in the
// working directory when there is one.
import { ConfigProvider, Context, Effect, FileSystem, Layer, Schema } from "effect"
import { invalid } from "./presenter.ts"

/** A `.env` file that cannot be used: TROUPE_ENV_FILE names one that does not exist, or it cannot be read. */
export class EnvFileError extends Schema.TaggedError<EnvFileError>()("EnvFileError", { message: Schema.String }) {}

/** The `.env` file a variable's value came from, or undefined for the environment: to name it in a message. */
export const EnvFileOf = Context.Reference<(name: string) => Effect.Effect<string | undefined>>("troupe/cli/EnvFileOf", {
  defaultValue: () => () => Effect.succeed(undefined)
})

export const layer = (
  named: string | undefined = process.env.TROUPE_ENV_FILE,
  env: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv()
) =>
  Layer.unwrap(
    Effect.gen(function*() {
      const path = named ?? ".env"
      const fs = yield* FileSystem.FileSystem
      const subject = named === undefined ? path : `TROUPE_ENV_FILE=${JSON.stringify(named)}`
      const unreadable = (error: { readonly message: string }) =>
        new EnvFileError({ message: invalid(subject, `a readable .env file; reading it failed: ${error.message}`) })
      if (!(yield* fs.exists(path).pipe(Effect.mapError(unreadable)))) {
        if (named !== undefined) return yield* new EnvFileError({ message: invalid(subject, "a .env file that exists") })
        return ConfigProvider.layer(env)
      }
      const file = yield* ConfigProvider.fromDotEnv({ path }).pipe(Effect.mapError(unreadable))
      // The environment wins over the file, so a value is the file's when the environment has none.
      const fileOf = (name: string) =>
        env.load([name]).pipe(Effect.map((found) => (found === undefined ? path : undefined)), Effect.orElseSucceed(() => undefined))
      return Layer.merge(ConfigProvider.layer(ConfigProvider.orElse(env, file)), Layer.succeed(EnvFileOf)(fileOf))
    })
  )
