import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import type { Duration } from "effect"
import { Mailbox } from "../../src/index.ts"

interface Item {
  readonly priority: number
  readonly seq: number
}

/** What `take` order each mailbox kind promises, as a reference model. */
type Model = (items: ReadonlyArray<Item>) => Array<Item>
/** What a thief gets of `items` (in submission order), as a reference model. */
type StealModel = (items: ReadonlyArray<Item>, n: number) => Array<Item>

const byPriority: Model = (items) => [...items].sort((a, b) => b.priority - a.priority || a.seq - b.seq)

// A user's own mailbox: the contract suite runs against it too.
const userStack = Mailbox.make("user-stack", <A extends Mailbox.Envelope>() => {
  const items: Array<A> = []
  return {
    get size() {
      return items.length
    },
    offer: (item: A) => void items.push(item),
    take: () => items.pop(),
    remove: (item: A) => {
      const i = items.indexOf(item)
      if (i < 0) return false
      items.splice(i, 1)
      return true
    },
    drain: () => items.splice(0).reverse()
  }
})

// Deques give thieves their far end (the jobs the owner would run last), in
// submission order; a heap, or a kind without `steal`, gives what take would.
const farEnd = {
  fifo: (items: ReadonlyArray<Item>, n: number) => items.slice(Math.max(0, items.length - n)),
  lifo: (items: ReadonlyArray<Item>, n: number) => items.slice(0, n)
}
const nearEnd = (model: Model): StealModel => (items, n) => model(items).slice(0, n)
const fifoModel: Model = (items) => [...items]
const lifoModel: Model = (items) => [...items].reverse()

// Without keys or submission times, fair share and aging order as their inner kinds do.
const kinds: ReadonlyArray<readonly [string, Mailbox.MailboxKind, Model, StealModel]> = [
  ["fifo", Mailbox.fifo(), fifoModel, farEnd.fifo],
  ["lifo", Mailbox.lifo(), lifoModel, farEnd.lifo],
  ["priority", Mailbox.priority(), byPriority, nearEnd(byPriority)],
  ["priority with aging", Mailbox.priority({ aging: "1 second" }), byPriority, nearEnd(byPriority)],
  ["fairShare(fifo)", Mailbox.fairShare(), fifoModel, farEnd.fifo],
  ["fairShare(lifo)", Mailbox.fairShare(Mailbox.lifo()), lifoModel, farEnd.lifo],
  ["fairShare(priority)", Mailbox.fairShare(Mailbox.priority()), byPriority, nearEnd(byPriority)],
  ["user stack", userStack, lifoModel, nearEnd(lifoModel)]
]

const itemsArb = fc
  .array(fc.integer({ min: -3, max: 3 }), { maxLength: 60 })
  .map((priorities) => priorities.map((priority, seq): Item => ({ priority, seq })))

// Operations interleaved at random: offers, takes, removes of present or absent items.
const opsArb = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("offer" as const), priority: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ op: fc.constant("take" as const) }),
    fc.record({ op: fc.constant("remove" as const), index: fc.nat() }),
    fc.record({ op: fc.constant("steal" as const), n: fc.integer({ min: 0, max: 10 }) })
  ),
  { maxLength: 80 }
)

describe.each(kinds)("Mailbox contract: %s", (_name, kind, model, stealModel) => {
  test.prop([itemsArb])("take returns every offered item exactly once, in the kind's order", (items) => {
    const mailbox = kind.make<Item>()
    for (const item of items) mailbox.offer(item)
    expect(mailbox.size).toBe(items.length)
    const taken: Array<Item> = []
    for (let item = mailbox.take(); item !== undefined; item = mailbox.take()) taken.push(item)
    expect(taken).toEqual(model(items))
    expect(mailbox.size).toBe(0)
  })

  test.prop([itemsArb])("drain returns what take would have, and empties the mailbox", (items) => {
    const mailbox = kind.make<Item>()
    for (const item of items) mailbox.offer(item)
    expect(mailbox.drain()).toEqual(model(items))
    expect(mailbox.size).toBe(0)
    expect(mailbox.take()).toBeUndefined()
  })

  test.prop([opsArb])("interleaved offer / take / remove / steal behave like the model", (ops) => {
    const mailbox = kind.make<Item>()
    let present: Array<Item> = []
    let seq = 0
    for (const step of ops) {
      if (step.op === "offer") {
        const item = { priority: step.priority, seq: seq++ }
        mailbox.offer(item)
        present.push(item)
      } else if (step.op === "take") {
        const expected = model(present)[0]
        expect(mailbox.take()).toBe(expected)
        present = present.filter((i) => i !== expected)
      } else if (step.op === "steal") {
        const expected = stealModel(present, step.n)
        expect(Mailbox.stealFrom(mailbox, step.n)).toEqual(expected)
        present = present.filter((i) => !expected.includes(i))
      } else {
        const target = present[step.index % Math.max(1, present.length)] ?? { priority: 0, seq: -1 }
        expect(mailbox.remove(target)).toBe(present.includes(target))
        expect(mailbox.remove(target)).toBe(false)
        present = present.filter((i) => i !== target)
      }
      expect(mailbox.size).toBe(present.length)
    }
    expect(mailbox.drain()).toEqual(model(present))
  })

  it("take on an empty mailbox returns undefined", () => {
    expect(kind.make<Item>().take()).toBeUndefined()
  })
})

describe("Mailbox.fromOption", () => {
  it("resolves names and passes kinds through", () => {
    expect(Mailbox.fromOption("fifo").name).toBe("fifo")
    expect(Mailbox.fromOption("lifo").name).toBe("lifo")
    expect(Mailbox.fromOption("priority").name).toBe("priority")
    expect(Mailbox.fromOption(userStack)).toBe(userStack)
    expect(Mailbox.isMailboxKind(userStack)).toBe(true)
    expect(Mailbox.isMailboxKind({ name: "fifo" })).toBe(false)
  })
})

interface Keyed extends Item {
  readonly key?: string | undefined
  readonly submittedAt?: number
}

describe("Mailbox.fairShare", () => {
  const keyed = (key: string | undefined, seq: number, priority = 0): Keyed => ({ key, seq, priority })

  it("takes round-robin across keys, each key in its inner order", () => {
    const mailbox = Mailbox.fairShare().make<Keyed>()
    const flood = [1, 2, 3, 4, 5].map((seq) => keyed("a", seq))
    const few = [6, 7].map((seq) => keyed("b", seq))
    const none = keyed(undefined, 8)
    for (const item of [...flood, ...few, none]) mailbox.offer(item)
    expect(mailbox.drain().map((i) => i.seq)).toEqual([1, 6, 8, 2, 7, 3, 4, 5])
  })

  test.prop([fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.integer({ min: -2, max: 2 })), { maxLength: 60 })])(
    "with K keys waiting, a key's n-th job (in its inner order) is taken within K x n takes",
    (entries) => {
      const mailbox = Mailbox.fairShare(Mailbox.priority()).make<Keyed>()
      const items = entries.map(([key, priority], seq) => keyed(key, seq, priority))
      for (const item of items) mailbox.offer(item)
      const keys = new Set(entries.map(([key]) => key)).size
      const taken = mailbox.drain()
      for (const key of ["a", "b", "c"]) {
        const own = byPriority(items.filter((i) => i.key === key))
        own.forEach((item, n) => expect(taken.indexOf(item)).toBeLessThan(keys * (n + 1)))
      }
    }
  )

  it("a removed key's last job takes its key out of the rotation", () => {
    const mailbox = Mailbox.fairShare().make<Keyed>()
    const a = keyed("a", 1)
    for (const item of [a, keyed("b", 2), keyed("b", 3)]) mailbox.offer(item)
    expect(mailbox.remove(a)).toBe(true)
    expect(mailbox.remove(a)).toBe(false)
    expect(mailbox.size).toBe(2)
    expect(mailbox.drain().map((i) => i.seq)).toEqual([2, 3])
  })

  it("a thief gets a share of every key, from each key's far end", () => {
    const mailbox = Mailbox.fairShare().make<Keyed>()
    for (const item of [1, 2, 3, 4].map((seq) => keyed("a", seq))) mailbox.offer(item)
    for (const item of [5, 6].map((seq) => keyed("b", seq))) mailbox.offer(item)
    expect(Mailbox.stealFrom(mailbox, 3).map((i) => i.seq).sort()).toEqual([4, 6, 3].sort())
    const left = mailbox.drain().map((i) => i.seq)
    expect(left.filter((seq) => seq <= 4)).toEqual([1, 2])
    expect(left.filter((seq) => seq > 4)).toEqual([5])
  })
})

describe("Mailbox.priority with aging", () => {
  const job = (seq: number, priority: number, submittedAt: number): Keyed => ({ seq, priority, submittedAt })

  it("a job overtakes higher priorities submitted more than (q - p) x aging after it", () => {
    let promoted = 0
    const mailbox = Mailbox.priority({ aging: "1 second" }).make<Keyed>({ promoted: () => promoted++ })
    const low = job(1, 0, 0)
    const early = job(2, 5, 4_000) // 5 - 4 = 1 > 0: ahead of low
    const late = job(3, 5, 6_000) // 5 - 6 = -1 < 0: behind low
    const tie = job(4, 5, 5_000) // 5 - 5 = 0 = low's rank: submission order decides
    for (const item of [late, tie, low, early]) mailbox.offer(item)
    expect(mailbox.take()).toBe(early)
    expect(promoted).toBe(0)
    expect(mailbox.take()).toBe(low) // ahead of priority-5 jobs still waiting: a promotion
    expect(promoted).toBe(1)
    expect(mailbox.take()).toBe(tie)
    expect(mailbox.take()).toBe(late)
    expect(promoted).toBe(1)
  })

  it("is a kind that asks the pool to time its jobs, and rejects a non-positive aging", () => {
    expect(Mailbox.priority({ aging: 10 }).timesJobs).toBe(true)
    expect(Mailbox.priority().timesJobs).toBeFalsy()
    expect(Mailbox.fairShare(Mailbox.priority({ aging: 10 })).timesJobs).toBe(true)
    expect(() => Mailbox.priority({ aging: 0 })).toThrow(/aging/)
    for (const aging of [Number.NaN, {}, -1, "soon", Infinity]) {
      expect(() => Mailbox.priority({ aging: aging as Duration.Input })).toThrow(/Mailbox\.priority: aging must be a duration of more than zero/)
    }
  })
})

describe.each(kinds)("Mailbox steal: %s", (_name, kind, model, stealModel) => {
  test.prop([itemsArb, fc.integer({ min: 0, max: 12 })])(
    "a thief takes exactly min(n, size) jobs, from the kind's thief end; the owner keeps the rest in its order",
    (items, n) => {
      const mailbox = kind.make<Item>()
      for (const item of items) mailbox.offer(item)
      const stolen = Mailbox.stealFrom(mailbox, n)
      expect(stolen).toHaveLength(Math.min(n, items.length))
      expect(stolen).toEqual(stealModel(items, n))
      expect(mailbox.size).toBe(items.length - stolen.length)
      expect(mailbox.drain()).toEqual(model(items.filter((i) => !stolen.includes(i))))
    }
  )
})

describe("Mailbox steal: the ends, by hand", () => {
  const items = [0, 1, 2, 3, 4].map((seq): Item => ({ priority: seq % 2, seq }))
  const steal = (kind: Mailbox.MailboxKind, n: number) => {
    const mailbox = kind.make<Item>()
    for (const item of items) mailbox.offer(item)
    return [Mailbox.stealFrom(mailbox, n).map((i) => i.seq), mailbox.drain().map((i) => i.seq)]
  }

  it.each([
    ["fifo: the newest, the owner keeps the oldest", Mailbox.fifo(), 2, [[3, 4], [0, 1, 2]]],
    ["lifo: the oldest, the owner keeps the newest (which it runs next)", Mailbox.lifo(), 2, [[0, 1], [4, 3, 2]]],
    ["priority: what take would give", Mailbox.priority(), 2, [[1, 3], [0, 2, 4]]],
    ["priority, n = size - 1: all but one", Mailbox.priority(), 4, [[1, 3, 0, 2], [4]]],
    ["aging: what take would give", Mailbox.priority({ aging: 1_000 }), 3, [[1, 3, 0], [2, 4]]],
    ["user stack: what take would give", userStack, 4, [[4, 3, 2, 1], [0]]],
    ["any kind, n > size: everything", Mailbox.priority(), 9, [[1, 3, 0, 2, 4], []]]
  ] as const)("%s", (_row, kind, n, expected) => {
    expect(steal(kind, n)).toEqual(expected)
  })
})

describe("Mailbox.fairShare steal", () => {
  const keyedArb = fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 40 })
    .map((keys) => keys.map((key, seq) => ({ key, seq, priority: 0 })))

  test.prop([keyedArb, fc.integer({ min: 0, max: 16 }), fc.constantFrom("fifo", "lifo")])(
    "a thief takes min(n, size) jobs, no key giving more than one job over a key that still has some, each from its far end",
    (items, n, inner) => {
      const mailbox = Mailbox.fairShare(Mailbox.fromOption(inner)).make<(typeof items)[number]>()
      for (const item of items) mailbox.offer(item)
      const stolen = Mailbox.stealFrom(mailbox, n)
      expect(stolen).toHaveLength(Math.min(n, items.length))
      expect(new Set(stolen).size).toBe(stolen.length)
      const keys = ["a", "b", "c", "d"]
      const given = (key: string) => stolen.filter((i) => i.key === key)
      const left = (key: string) => items.filter((i) => i.key === key).length - given(key).length
      for (const a of keys) {
        if (left(a) === 0) continue
        for (const b of keys) expect(given(b).length).toBeLessThanOrEqual(given(a).length + 1)
      }
      for (const key of keys) {
        const own = items.filter((i) => i.key === key)
        const far = inner === "fifo" ? own.slice(own.length - given(key).length) : own.slice(0, given(key).length)
        expect([...given(key)].sort((x, y) => x.seq - y.seq)).toEqual(far)
      }
      expect(mailbox.size).toBe(items.length - stolen.length)
      // A steal spends the turns of the keys it took from, as takes would: the
      // keys it never reached keep their place, the first of them next.
      const untouched = [...new Set(items.map((i) => i.key))].filter((key) => given(key).length === 0)
      if (untouched.length > 0) expect(mailbox.take()?.key).toBe(untouched[0])
    }
  )

  it("the owner's next take comes after the keys the thief took from", () => {
    const mailbox = Mailbox.fairShare().make<{ key: string; seq: number; priority: number }>()
    for (let seq = 0; seq < 9; seq++) mailbox.offer({ key: "abc"[seq % 3]!, seq, priority: 0 })
    expect(Mailbox.stealFrom(mailbox, 1).map((i) => i.seq)).toEqual([6]) // a's newest
    expect(mailbox.drain().map((i) => i.key).join("")).toBe("bcabcabc")
  })
})

describe("Mailbox.priority with aging: promotions", () => {
  const opArb = fc.oneof(
    fc.record({ op: fc.constant("offer" as const), priority: fc.integer({ min: -2, max: 2 }), after: fc.nat({ max: 5_000 }) }),
    fc.record({ op: fc.constant("take" as const) }),
    fc.record({ op: fc.constant("remove" as const), index: fc.nat() }),
    fc.record({ op: fc.constant("drain" as const) })
  )

  // A higher priority offered after the first job, and the top priority emptied, always tried.
  type Op = typeof opArb extends fc.Arbitrary<infer O> ? O : never
  const examples: Array<[Array<Op>]> = [
    [[{ op: "offer", priority: 0, after: 0 }, { op: "offer", priority: 0, after: 0 }, { op: "offer", priority: 1, after: 1_500 }, { op: "take" }]],
    [[{ op: "offer", priority: 1, after: 0 }, { op: "offer", priority: 0, after: 0 }, { op: "take" }, { op: "offer", priority: -1, after: 0 }, { op: "take" }]],
    // the top priority emptied with two jobs of the next one left: the next take promotes no one
    [[{ op: "offer", priority: 2, after: 0 }, { op: "offer", priority: 1, after: 0 }, { op: "offer", priority: 1, after: 0 }, { op: "take" }, { op: "take" }]],
    // the top emptied, then an aged low job taken ahead of a 1 still queued: a promotion
    [[{ op: "offer", priority: 0, after: 0 }, { op: "offer", priority: 2, after: 1_500 }, { op: "offer", priority: 1, after: 0 }, { op: "take" }, { op: "take" }]]
  ]

  test.prop([fc.array(opArb, { maxLength: 60 })], { numRuns: 300, examples })(
    "a take is a promotion exactly when a job of higher priority stays queued",
    (ops) => {
      let promoted = 0
      const mailbox = Mailbox.priority({ aging: "1 second" }).make<Keyed>({ promoted: () => promoted++ })
      const rank = (i: Keyed) => i.priority - i.submittedAt! / 1_000
      let present: Array<Keyed> = []
      let now = 0
      let seq = 0
      let expected = 0
      const took = (item: Keyed | undefined) => {
        present = present.filter((i) => i !== item)
        if (item !== undefined && present.some((i) => i.priority > item.priority)) expected++
      }
      for (const step of ops) {
        if (step.op === "offer") {
          now += step.after
          const item = { seq: seq++, priority: step.priority, submittedAt: now }
          mailbox.offer(item)
          present.push(item)
        } else if (step.op === "take") {
          const next = [...present].sort((a, b) => rank(b) - rank(a) || a.seq - b.seq)[0]
          const item = mailbox.take()
          expect(item).toBe(next)
          took(item)
        } else if (step.op === "remove") {
          const target = present[step.index % Math.max(1, present.length)]
          if (target !== undefined) expect(mailbox.remove(target)).toBe(true)
          present = present.filter((i) => i !== target)
        } else {
          expect(mailbox.drain()).toHaveLength(present.length)
          present = []
        }
        expect(promoted).toBe(expected)
      }
    }
  )
})

describe("Mailbox kinds: names, timing, events", () => {
  it("names say the kind; only aging asks the pool to time its jobs", () => {
    expect([Mailbox.priority({ aging: 10 }).name, Mailbox.fairShare().name, Mailbox.fairShare(Mailbox.lifo()).name])
      .toEqual(["priority-aging", "fairShare(fifo)", "fairShare(lifo)"])
    expect(Mailbox.fairShare().timesJobs).toBe(false)
    expect(Mailbox.fairShare(userStack).timesJobs).toBe(false)
  })

  it("an aging mailbox made without events promotes without complaint", () => {
    const mailbox = Mailbox.priority({ aging: "1 second" }).make<Keyed>()
    const low = { seq: 1, priority: 0, submittedAt: 0 }
    mailbox.offer(low)
    mailbox.offer({ seq: 2, priority: 1, submittedAt: 5_000 })
    expect(mailbox.take()).toBe(low) // a promotion, with no one to tell
  })
})
