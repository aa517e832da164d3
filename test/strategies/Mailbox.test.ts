import { describe, expect, it } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { Mailbox } from "../../src/index.ts"

interface Item {
  readonly priority: number
  readonly seq: number
}

/** What `take` order each mailbox kind promises, as a reference model. */
type Model = (items: ReadonlyArray<Item>) => Array<Item>

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

const kinds: ReadonlyArray<readonly [string, Mailbox.MailboxKind, Model]> = [
  ["fifo", Mailbox.fifo(), (items) => [...items]],
  ["lifo", Mailbox.lifo(), (items) => [...items].reverse()],
  ["priority", Mailbox.priority(), byPriority],
  ["user stack", userStack, (items) => [...items].reverse()]
]

const itemsArb = fc
  .array(fc.integer({ min: -3, max: 3 }), { maxLength: 60 })
  .map((priorities) => priorities.map((priority, seq): Item => ({ priority, seq })))

// Operations interleaved at random: offers, takes, removes of present or absent items.
const opsArb = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("offer" as const), priority: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ op: fc.constant("take" as const) }),
    fc.record({ op: fc.constant("remove" as const), index: fc.nat() })
  ),
  { maxLength: 80 }
)

describe.each(kinds)("Mailbox contract: %s", (_name, kind, model) => {
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

  test.prop([opsArb])("interleaved offer / take / remove behave like the model", (ops) => {
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
