// The heap behind the priority mailbox against a sorted-array model: any
// pushes and removals of any items (not only the top), then every pop comes
// out in order. A removal can leave a smaller item where a larger one was,
// under a smaller parent or above larger children: both sifts matter.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { BinaryHeap } from "../../src/strategies/internal/binaryHeap.ts"

interface Item {
  readonly key: number
  readonly id: number
}

const before = (a: Item, b: Item) => a.key < b.key || (a.key === b.key && a.id < b.id)

describe("BinaryHeap", () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 30 })])(
    "pushes, then removals of any items, then pops: the pops are the rest, in order",
    (keys, removals) => {
      const heap = new BinaryHeap<Item>(before)
      const model = keys.map((key, id) => ({ key, id }))
      for (const item of model) heap.push(item)
      for (const r of removals) {
        if (model.length === 0) break
        const [item] = model.splice(r % model.length, 1)
        expect(heap.remove(item!)).toBe(true)
        expect(heap.remove(item!)).toBe(false) // gone
      }
      model.sort((a, b) => (before(a, b) ? -1 : 1))
      expect(heap.size).toBe(model.length)
      expect(heap.drain()).toEqual(model)
    }
  )

  test.prop([fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 40 }) }), fc.record({ remove: fc.nat() }), fc.constant("pop" as const)), { maxLength: 80 })])(
    "the heap property holds after every push, pop and removal: no item sits above a smaller child",
    (ops) => {
      const heap = new BinaryHeap<Item>(before)
      const live: Array<Item> = []
      let id = 0
      for (const op of ops) {
        if (op === "pop") {
          const top = heap.pop()
          if (top !== undefined) live.splice(live.indexOf(top), 1)
        } else if ("push" in op) {
          const item = { key: op.push, id: id++ }
          heap.push(item)
          live.push(item)
        } else if (live.length > 0) {
          heap.remove(live.splice(op.remove % live.length, 1)[0]!)
        }
        const items = heapItems(heap)
        for (let k = 1; k < items.length; k++) expect(before(items[k]!, items[(k - 1) >> 1]!), `item ${k} above its parent`).toBe(false)
      }
    }
  )

  it("a removal that needs a sift up: the last leaf lands under a parent larger than it", () => {
    // [1, 10, 2, 11, 12, 3, 5]: removing 11 puts the last leaf, 5, under 10: it must rise above it.
    const heap = new BinaryHeap<Item>(before)
    const items = [1, 10, 2, 11, 12, 3, 5].map((key, id) => ({ key, id }))
    for (const item of items) heap.push(item)
    expect(heapItems(heap).map((i) => i.key)).toEqual([1, 10, 2, 11, 12, 3, 5])
    heap.remove(items[3]!)
    expect(heapItems(heap).map((i) => i.key)).toEqual([1, 5, 2, 10, 12, 3])
  })
})

const heapItems = (heap: BinaryHeap<Item>): ReadonlyArray<Item> => (heap as unknown as { items: ReadonlyArray<Item> }).items
