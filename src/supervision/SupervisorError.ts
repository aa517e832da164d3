/**
 * Errors of supervision trees.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A supervisor gave up: its children restarted more often than its restart
 * intensity allows. It stopped its children and escalates to its parent (or,
 * at the root, fails the tree).
 *
 * @category errors
 * @since 0.1.0
 */
export class SupervisorEscalated extends Schema.TaggedError<SupervisorEscalated>()("SupervisorEscalated", {
  supervisor: Schema.String,
  child: Schema.String,
  restarts: Schema.Number
}) {
  override get message(): string {
    return `supervisor "${this.supervisor}" gave up: child "${this.child}" needed more than ${this.restarts} restarts within its period`
  }
}
