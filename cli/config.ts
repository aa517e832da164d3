// Where flags' fallbacks come from: the environment first, then a `.env`
// file: the one TROUPE_ENV_FILE names (which must exist), or `.env` in the
// working directory when there is one.
import { ConfigProvider, Effect, FileSystem, Layer } from "effect"

export class EnvFileMissing extends Error {
  readonly _tag = "EnvFileMissing"
}

export const layer = (
  named: string | undefined = process.env.TROUPE_ENV_FILE,
  env: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv()
) =>
  Layer.unwrap(
    Effect.gen(function*() {
      const path = named ?? ".env"
      if (!(yield* (yield* FileSystem.FileSystem).exists(path))) {
        if (named !== undefined) return yield* Effect.fail(new EnvFileMissing(`TROUPE_ENV_FILE names ${named}, which does not exist`))
        return ConfigProvider.layer(env)
      }
      const file = yield* ConfigProvider.fromDotEnv({ path })
      return ConfigProvider.layer(ConfigProvider.orElse(env, file))
    })
  )
