import { expect } from "vitest"
import { fc, test } from "@fast-check/vitest"
import { RingDeque } from "../../src/strategies/internal/ringDeque.ts"

const opArb = fc.oneof(
  fc.record({ op: fc.constantFrom("pushBack" as const, "pushFront" as const), value: fc.integer() }),
  fc.record({ op: fc.constantFrom("popFront" as const, "popBack" as const) }),
  fc.record({ op: fc.constant("remove" as const), index: fc.nat() })
)

test.prop([fc.array(opArb, { maxLength: 300 }), fc.integer({ min: 1, max: 8 })])(
  "RingDeque behaves like an array through growth and wrap-around",
  (ops, initialCapacity) => {
    const deque = new RingDeque<{ v: number }>(initialCapacity)
    const model: Array<{ v: number }> = []
    for (const step of ops) {
      switch (step.op) {
        case "pushBack": {
          const item = { v: step.value }
          deque.pushBack(item)
          model.push(item)
          break
        }
        case "pushFront": {
          const item = { v: step.value }
          deque.pushFront(item)
          model.unshift(item)
          break
        }
        case "popFront":
          expect(deque.popFront()).toBe(model.shift())
          break
        case "popBack":
          expect(deque.popBack()).toBe(model.pop())
          break
        case "remove": {
          const target = model[step.index % Math.max(1, model.length)]
          if (target === undefined) expect(deque.remove({ v: 0 })).toBe(false)
          else {
            expect(deque.remove(target)).toBe(true)
            model.splice(model.indexOf(target), 1)
          }
        }
      }
      expect(deque.size).toBe(model.length)
    }
    expect(deque.drain()).toEqual(model)
    expect(deque.size).toBe(0)
  }
)
