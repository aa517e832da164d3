/**
 * Mailboxes: the per-worker queue of jobs waiting to run.
 *
 * A mailbox is a small data structure with no effects. Troupe ships `fifo`,
 * `lifo` and `priority`; users can build their own with {@link make}. Every
 * mailbox passes the same contract suite (`test/strategies/Mailbox.test.ts`).
 *
 * @since 0.1.0
 */
import { BinaryHeap } from "./internal/binaryHeap.ts"
import { RingDeque } from "./internal/ringDeque.ts"

const TypeId = "~troupe/Mailbox" as const

/**
 * What a mailbox may read of a queued job: its priority (higher runs first in
 * a priority mailbox) and its submission sequence number (unique, increasing).
 *
 * @category models
 * @since 0.1.0
 */
export interface Envelope {
  readonly priority: number
  readonly seq: number
}

/**
 * A mailbox instance, owned by one worker.
 *
 * @category models
 * @since 0.1.0
 */
export interface Mailbox<A extends Envelope> {
  readonly size: number
  /** Adds an item. A mailbox never rejects: capacity is enforced by the pool. */
  offer(item: A): void
  /** Removes and returns the next item to run, or `undefined` when empty. */
  take(): A | undefined
  /** Removes a specific item (a cancelled job); `false` when it is not here. */
  remove(item: A): boolean
  /** Removes every item, in the order `take` would have returned them. */
  drain(): Array<A>
}

/**
 * A mailbox kind: a named factory, one mailbox per worker.
 *
 * @category models
 * @since 0.1.0
 */
export interface MailboxKind {
  readonly [TypeId]: typeof TypeId
  readonly name: string
  readonly make: <A extends Envelope>() => Mailbox<A>
}

/**
 * @category guards
 * @since 0.1.0
 */
export const isMailboxKind = (u: unknown): u is MailboxKind =>
  typeof u === "object" && u !== null && TypeId in u

/**
 * A mailbox kind of your own.
 *
 * **Example**
 *
 * ```ts
 * import { Mailbox } from "troupe"
 *
 * // newest first, like lifo, but written by hand
 * const stack = Mailbox.make("stack", <A extends Mailbox.Envelope>() => {
 *   const items: Array<A> = []
 *   return {
 *     get size() { return items.length },
 *     offer: (item: A) => { items.push(item) },
 *     take: () => items.pop(),
 *     remove: (item: A) => { const i = items.indexOf(item); if (i < 0) return false; items.splice(i, 1); return true },
 *     drain: () => items.splice(0).reverse()
 *   }
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (name: string, make: <A extends Envelope>() => Mailbox<A>): MailboxKind => ({
  [TypeId]: TypeId,
  name,
  make
})

/**
 * First in, first out: jobs run in the order they were submitted.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fifo = (): MailboxKind => make("fifo", dequeMailbox("front"))

/**
 * Last in, first out: the newest job runs first. Suits work where fresh
 * requests matter more than old ones (a UI's latest query).
 *
 * @category constructors
 * @since 0.1.0
 */
export const lifo = (): MailboxKind => make("lifo", dequeMailbox("back"))

/**
 * Highest priority first, first in first out among equal priorities.
 *
 * @category constructors
 * @since 0.1.0
 */
export const priority = (): MailboxKind =>
  make("priority", <A extends Envelope>(): Mailbox<A> => {
    const heap = new BinaryHeap<A>((a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq))
    return {
      get size() {
        return heap.size
      },
      offer: (item) => heap.push(item),
      take: () => heap.pop(),
      remove: (item) => heap.remove(item),
      drain: () => heap.drain()
    }
  })

/**
 * Resolves a mailbox option: a kind's name or a kind value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromOption = (option: "fifo" | "lifo" | "priority" | MailboxKind): MailboxKind =>
  typeof option !== "string" ? option : option === "fifo" ? fifo() : option === "lifo" ? lifo() : priority()

const dequeMailbox = (takeFrom: "front" | "back") => <A extends Envelope>(): Mailbox<A> => {
  const deque = new RingDeque<A>()
  return {
    get size() {
      return deque.size
    },
    offer: (item) => deque.pushBack(item),
    take: takeFrom === "front" ? () => deque.popFront() : () => deque.popBack(),
    remove: (item) => deque.remove(item),
    drain: takeFrom === "front" ? () => deque.drain() : () => deque.drain().reverse()
  }
}
