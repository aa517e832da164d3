/**
 * Mailboxes: the per-worker queue of jobs waiting to run.
 *
 * A mailbox is a small data structure with no effects. Troupe ships `fifo`,
 * `lifo` and `priority`; users can build their own with {@link make}. Every
 * mailbox passes the same contract suite (`test/strategies/Mailbox.test.ts`).
 *
 * @since 0.1.0
 */
import type { Duration } from "effect"
import * as Durations from "../shared/durations.ts"
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
  /** Clock millis when the job was submitted; set in pools whose mailbox kind {@link MailboxKind.timesJobs}. */
  readonly submittedAt?: number | undefined
  /** The job's fair-share key (its tenant, its submitter), when it has one. */
  readonly key?: string | undefined
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
  /**
   * Removes up to `n` items for a thief (work stealing), from the end the
   * owner takes from last, in the order the thief should queue them. Without
   * it, a thief gets what `take` returns.
   */
  steal?(n: number): Array<A>
}

/**
 * What a mailbox reports to its pool, for the pool's counters.
 *
 * @category models
 * @since 0.2.0
 */
export interface MailboxEvents {
  /** A job was taken while a job of higher priority waited in the same mailbox: aging moved it ahead. */
  readonly promoted: () => void
}

const noEvents: MailboxEvents = { promoted: () => {} }

/**
 * A mailbox kind: a named factory, one mailbox per worker.
 *
 * @category models
 * @since 0.1.0
 */
export interface MailboxKind {
  readonly [TypeId]: typeof TypeId
  readonly name: string
  readonly make: <A extends Envelope>(events?: MailboxEvents) => Mailbox<A>
  /** The pool stamps each job's `submittedAt` (aging reads it); jobs cost a little more. */
  readonly timesJobs?: boolean | undefined
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
export const make = (
  name: string,
  make: <A extends Envelope>(events?: MailboxEvents) => Mailbox<A>,
  options?: { readonly timesJobs?: boolean }
): MailboxKind => ({
  [TypeId]: TypeId,
  name,
  make,
  timesJobs: options?.timesJobs
})

/**
 * First in, first out: jobs run in the order they were submitted.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fifo = (): MailboxKind => make("fifo", <A extends Envelope>(): Mailbox<A> => new FifoMailbox<A>())

/**
 * Last in, first out: the newest job runs first. Suits work where fresh
 * requests matter more than old ones (a UI's latest query).
 *
 * @category constructors
 * @since 0.1.0
 */
export const lifo = (): MailboxKind => make("lifo", <A extends Envelope>(): Mailbox<A> => new LifoMailbox<A>())

/**
 * Highest priority first, first in first out among equal priorities.
 *
 * With `aging`, a job's priority rises by one for every `aging` it waits
 * (continuously), so no job starves under a stream of higher-priority ones: a
 * job of priority `p` goes ahead of every job of priority `q` submitted more
 * than `(q - p) × aging` after it. Under a continuous stream of jobs of
 * priority at most `q`, it thus waits at most `(q - p) × aging` plus the wait
 * of a top-priority job (the jobs already ahead of it then). A job taken while
 * a job of higher priority waits in the same mailbox counts as a promotion in
 * the pool's stats.
 *
 * **Example**
 *
 * ```ts
 * import { Mailbox } from "troupe"
 *
 * // a priority-0 job overtakes priority-10 jobs submitted 10 seconds after it
 * const mailbox = Mailbox.priority({ aging: "1 second" })
 * ```
 *
 * Thieves (work stealing) take a priority mailbox's most urgent jobs: a heap
 * has no far end, and a free worker should run what is most urgent.
 *
 * @category constructors
 * @since 0.1.0
 */
export const priority = (options?: { readonly aging?: Duration.Input }): MailboxKind => {
  if (options?.aging === undefined) return make("priority", <A extends Envelope>() => new HeapMailbox<A>(byPriority))
  const agingMs = Durations.toMillisOrThrow(options.aging, "Mailbox.priority: aging", { positive: true })
  // The aged priority p + (now - t) / aging orders two jobs as p - t / aging
  // does, whatever `now` is: a fixed key, so the heap never needs re-sorting.
  const rank = (e: Envelope) => e.priority - (e.submittedAt ?? 0) / agingMs
  const before = (a: Envelope, b: Envelope) => {
    const ra = rank(a)
    const rb = rank(b)
    return ra > rb || (ra === rb && a.seq < b.seq)
  }
  return make("priority-aging", <A extends Envelope>(events?: MailboxEvents) => new HeapMailbox<A>(before, events ?? noEvents), {
    timesJobs: true
  })
}

const byPriority = (a: Envelope, b: Envelope) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)

// With `events`, the heap keeps a count of queued jobs per priority, to tell
// when a job is taken ahead of a higher-priority one (a promotion). A class,
// as the deque mailboxes below are: one per worker.
class HeapMailbox<A extends Envelope> implements Mailbox<A> {
  private readonly heap: BinaryHeap<A>
  private readonly events: MailboxEvents | undefined
  private readonly counts: PriorityCounts | undefined

  constructor(before: (a: A, b: A) => boolean, events?: MailboxEvents) {
    this.heap = new BinaryHeap<A>(before)
    this.events = events
    this.counts = events && new PriorityCounts()
  }

  get size(): number {
    return this.heap.size
  }

  offer(item: A): void {
    this.heap.push(item)
    this.counts?.add(item.priority)
  }

  take(): A | undefined {
    const item = this.heap.pop()
    if (item !== undefined && this.counts !== undefined) {
      this.counts.remove(item.priority)
      if (item.priority < this.counts.highest) this.events!.promoted()
    }
    return item
  }

  remove(item: A): boolean {
    if (!this.heap.remove(item)) return false
    this.counts?.remove(item.priority)
    return true
  }

  drain(): Array<A> {
    this.counts?.clear()
    return this.heap.drain()
  }
  // no `steal`: thieves get what `take` returns, the most urgent jobs
}

/** Queued jobs per priority, and the highest priority queued. */
class PriorityCounts {
  private readonly counts = new Map<number, number>()
  highest = -Infinity

  add(priority: number): void {
    this.counts.set(priority, (this.counts.get(priority) ?? 0) + 1)
    if (priority > this.highest) this.highest = priority
  }

  remove(priority: number): void {
    const left = this.counts.get(priority)! - 1
    if (left > 0) return void this.counts.set(priority, left)
    this.counts.delete(priority)
    if (priority === this.highest) this.highest = Math.max(-Infinity, ...this.counts.keys())
  }

  clear(): void {
    this.counts.clear()
    this.highest = -Infinity
  }
}

/**
 * Fair share across submitters: jobs are queued per key (`submit`'s `key`
 * option; jobs without one share a key) and taken round-robin across keys, so
 * one key flooding the pool cannot starve another. Within a key, `inner`
 * (default fifo) orders the jobs. With K keys waiting, a job that is `n`-th
 * in its key's queue runs within K × n takes.
 *
 * **Example**
 *
 * ```ts
 * import { Mailbox } from "troupe"
 *
 * const mailbox = Mailbox.fairShare(Mailbox.priority())
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const fairShare = (inner: MailboxKind = fifo()): MailboxKind =>
  make(`fairShare(${inner.name})`, <A extends Envelope>(events?: MailboxEvents) => fairMailbox<A>(inner, events), {
    timesJobs: inner.timesJobs ?? false
  })

const fairMailbox = <A extends Envelope>(inner: MailboxKind, events: MailboxEvents | undefined): Mailbox<A> => {
  const queues = new Map<string | undefined, Mailbox<A>>()
  // Keys with queued jobs, in turn order; a key leaves when its queue empties
  // (no memory kept per past submitter).
  const turns = new RingDeque<string | undefined>()
  let size = 0
  // After taking from `key`'s queue: the key waits for its next turn, or leaves.
  const turnTaken = (key: string | undefined, queue: Mailbox<A>, taken: number) => {
    size -= taken
    if (queue.size === 0) queues.delete(key)
    else turns.pushBack(key)
  }
  const take = (): A | undefined => {
    if (size === 0) return undefined
    const key = turns.popFront()
    const queue = queues.get(key)!
    const item = queue.take()
    turnTaken(key, queue, 1)
    return item
  }
  return {
    get size() {
      return size
    },
    offer: (item) => {
      let queue = queues.get(item.key)
      if (queue === undefined) {
        queues.set(item.key, (queue = inner.make<A>(events)))
        turns.pushBack(item.key)
      }
      queue.offer(item)
      size++
    },
    take,
    remove: (item) => {
      const queue = queues.get(item.key)
      if (queue === undefined || !queue.remove(item)) return false
      size--
      if (queue.size === 0) {
        queues.delete(item.key)
        turns.remove(item.key)
      }
      return true
    },
    drain: () => {
      const out: Array<A> = []
      for (let item = take(); item !== undefined; item = take()) out.push(item)
      return out
    },
    // A thief takes from every key in turn, each from its queue's thief end.
    steal: (n) => {
      const out: Array<A> = []
      while (out.length < n && size > 0) {
        const share = Math.max(1, Math.floor((n - out.length) / turns.size))
        for (let k = turns.size; k > 0 && out.length < n; k--) {
          const key = turns.popFront()
          const queue = queues.get(key)!
          const items = stealFrom(queue, Math.min(share, n - out.length))
          for (const item of items) out.push(item)
          turnTaken(key, queue, items.length)
        }
      }
      return out
    }
  }
}

/**
 * Up to `n` items of `mailbox` for a thief: its `steal`, or else what `take`
 * returns. Always at least one while the mailbox holds any and `n > 0`.
 *
 * @category combinators
 * @since 0.2.0
 */
export const stealFrom = <A extends Envelope>(mailbox: Mailbox<A>, n: number): Array<A> => {
  const items = mailbox.steal?.(n) ?? []
  for (let item = items.length < n ? mailbox.take() : undefined; item !== undefined; item = items.length < n ? mailbox.take() : undefined) {
    items.push(item)
  }
  return items
}

/**
 * Resolves a mailbox option: a kind's name or a kind value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromOption = (option: "fifo" | "lifo" | "priority" | MailboxKind): MailboxKind =>
  typeof option !== "string" ? option : option === "fifo" ? fifo() : option === "lifo" ? lifo() : priority()

// Mailboxes are classes rather than objects of closures: every worker holds
// one, and an empty fifo costs ~170 bytes of heap this way (~1,100 as an
// object of six closures and a getter; a priority mailbox ~900). The deque
// starts small and doubles as jobs arrive. Thieves work the far end: the
// owner keeps the jobs it would run next.
const initialCapacity = 4

/** Fifo and lifo: one deque, jobs offered at its back; they differ in which end the owner takes from. */
abstract class DequeMailbox<A extends Envelope> implements Mailbox<A> {
  protected readonly deque = new RingDeque<A>(initialCapacity)
  get size(): number {
    return this.deque.size
  }
  offer(item: A): void {
    this.deque.pushBack(item)
  }
  remove(item: A): boolean {
    return this.deque.remove(item)
  }
  abstract take(): A | undefined
  abstract drain(): Array<A>
  abstract steal(n: number): Array<A>
}

class FifoMailbox<A extends Envelope> extends DequeMailbox<A> {
  take(): A | undefined {
    return this.deque.popFront()
  }
  drain(): Array<A> {
    return this.deque.drain()
  }
  steal(n: number): Array<A> {
    return this.deque.takeBack(n)
  }
}

class LifoMailbox<A extends Envelope> extends DequeMailbox<A> {
  take(): A | undefined {
    return this.deque.popBack()
  }
  drain(): Array<A> {
    return this.deque.drain().reverse()
  }
  steal(n: number): Array<A> {
    return this.deque.takeFront(n)
  }
}
