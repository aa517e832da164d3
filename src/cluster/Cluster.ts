/**
 * A job type's jobs on Effect Cluster: runner processes, each a troupe pool,
 * that share a database (`effect/cluster`'s SQL storage, PostgreSQL through
 * `@effect/sql-pg`), and clients in any process that submit jobs and await
 * their typed results.
 *
 * A job is one persisted message whose primary key is the job's id: a client
 * that resubmits an id gets the first run's result, and the job does not run
 * again. Jobs with an ordering `key` go to the entity of that key and run one
 * at a time, in the order they arrive; jobs without one are spread over
 * `spread` entities, hence over the runners' shards, and run concurrently,
 * as many at once as the runner's pool allows.
 *
 * @since 0.5.0
 */
export { make as jobType, type JobType } from "./JobType.ts"
export * from "./Client.ts"
export * from "./Runner.ts"
import type { Schema } from "effect"
import * as Messages from "./internal/messages.ts"
import type { JobType } from "./JobType.ts"

/** Entity ids that jobs without a key are spread over. */
export const spread = Messages.spread

/** The two entities of a job type: one per ordering key, one per spread id. */
export const entities = <const Name extends string, In extends Schema.Top, Out extends Schema.Top, Err extends Schema.Top, R>(
  type: JobType<Name, In, Out, Err, R>
) => Messages.entities(type)

