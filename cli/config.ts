// Where flags' fallbacks come from: the environment first, then a `.env`
// file (in the working directory, or at TROUPE_ENV_FILE) when there is one.
import { ConfigProvider, Effect, FileSystem, Layer } from "effect"

export const layer = (path: string = process.env.TROUPE_ENV_FILE ?? ".env", env: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv()) =>
  Layer.unwrap(
    Effect.gen(function*() {
      if (!(yield* (yield* FileSystem.FileSystem).exists(path))) return ConfigProvider.layer(env)
      const file = yield* ConfigProvider.fromDotEnv({ path })
      return ConfigProvider.layer(ConfigProvider.orElse(env, file))
    })
  )
