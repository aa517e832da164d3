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

// The work-stealing contract: the owner works one end, thieves take half from
// the other, and no element is ever lost or handed out twice.
const dequeOpArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("push" as const), count: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("own" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("stealHalf" as const) }) }
)

test.prop([fc.array(dequeOpArb, { maxLength: 200 }), fc.constantFrom("front" as const, "back" as const), fc.integer({ min: 1, max: 8 })])(
  "owner and thief ends: steal-half takes the far half in order, and never loses or duplicates an element",
  (ops, ownerEnd, initialCapacity) => {
    const deque = new RingDeque<number>(initialCapacity)
    const model: Array<number> = []
    const handedOut: Array<number> = []
    let next = 0
    for (const step of ops) {
      if (step.op === "push") {
        for (let i = 0; i < step.count; i++) {
          deque.pushBack(next)
          model.push(next++)
        }
      } else if (step.op === "own") {
        const item = ownerEnd === "front" ? deque.popFront() : deque.popBack()
        expect(item).toBe(ownerEnd === "front" ? model.shift() : model.pop())
        if (item !== undefined) handedOut.push(item)
      } else {
        const half = Math.ceil(model.length / 2)
        const stolen = ownerEnd === "front" ? deque.takeBack(half) : deque.takeFront(half)
        const expected = ownerEnd === "front" ? model.splice(model.length - half, half) : model.splice(0, half)
        expect(stolen).toEqual(expected)
        handedOut.push(...stolen)
      }
      expect(deque.size).toBe(model.length)
    }
    handedOut.push(...deque.drain())
    expect(handedOut.length).toBe(next)
    expect(new Set(handedOut).size).toBe(next)
  }
)
