// A binary min-heap under a user order. The priority mailbox keeps envelopes
// here ordered by (priority descending, sequence ascending).
export class BinaryHeap<A> {
  private readonly items: Array<A> = []
  private readonly before: (a: A, b: A) => boolean

  constructor(before: (a: A, b: A) => boolean) {
    this.before = before
  }

  get size(): number {
    return this.items.length
  }

  push(item: A): void {
    this.items.push(item)
    this.siftUp(this.items.length - 1)
  }

  peek(): A | undefined {
    return this.items[0]
  }

  pop(): A | undefined {
    const items = this.items
    if (items.length === 0) return undefined
    const top = items[0]
    const last = items.pop()!
    if (items.length > 0) {
      items[0] = last
      this.siftDown(0)
    }
    return top
  }

  remove(item: A): boolean {
    const index = this.items.indexOf(item)
    if (index < 0) return false
    const last = this.items.pop()!
    if (index < this.items.length) {
      this.items[index] = last
      this.siftDown(index)
      this.siftUp(index)
    }
    return true
  }

  drain(): Array<A> {
    const out: Array<A> = []
    for (let item = this.pop(); item !== undefined; item = this.pop()) out.push(item)
    return out
  }

  private siftUp(index: number): void {
    const items = this.items
    const item = items[index]!
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.before(item, items[parent]!)) break
      items[index] = items[parent]!
      index = parent
    }
    items[index] = item
  }

  private siftDown(index: number): void {
    const items = this.items
    const item = items[index]!
    const half = items.length >> 1
    while (index < half) {
      let child = 2 * index + 1
      const right = child + 1
      if (right < items.length && this.before(items[right]!, items[child]!)) child = right
      if (!this.before(items[child]!, item)) break
      items[index] = items[child]!
      index = child
    }
    items[index] = item
  }
}
