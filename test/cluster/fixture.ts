// What the cluster tests with runner processes share: one embedded
// PostgreSQL for the file, and every runner a test starts, killed at the end.
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as Processes from "../../lib/cluster/processes.ts"
import * as Postgres from "../../lib/postgres.ts"

export const useCluster = () => {
  const scope = Effect.runSync(Scope.make())
  const state = { pg: undefined as Postgres.Postgres | undefined, runners: [] as Array<Processes.Runner> }
  beforeAll(async () => {
    state.pg = await Effect.runPromise(Postgres.embedded().pipe(Scope.provide(scope)))
  }, 60_000)
  afterAll(async () => {
    await Promise.all(state.runners.map((r) => Processes.stopRunner(r, "SIGKILL")))
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }, 60_000)
  return {
    /** The file's PostgreSQL (once `beforeAll` has run). */
    get pg(): Postgres.Postgres {
      return state.pg!
    },
    /** Every runner started so far, in order. */
    runners: state.runners
  }
}
