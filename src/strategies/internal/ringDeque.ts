// A growable ring buffer with O(1) push/pop at both ends. The owner of a
// mailbox works one end; work stealing (a later strategy) takes from the other.
export class RingDeque<A> {
  private items: Array<A | undefined>
  private head = 0
  private count = 0

  constructor(initialCapacity = 16) {
    this.items = new Array(initialCapacity)
  }

  get size(): number {
    return this.count
  }

  pushBack(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) % this.items.length] = item
    this.count++
  }

  pushFront(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.head = (this.head - 1 + this.items.length) % this.items.length
    this.items[this.head] = item
    this.count++
  }

  popFront(): A | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) % this.items.length
    this.count--
    return item
  }

  popBack(): A | undefined {
    if (this.count === 0) return undefined
    const index = (this.head + this.count - 1) % this.items.length
    const item = this.items[index]
    this.items[index] = undefined
    this.count--
    return item
  }

  /** Removes the first occurrence of `item`, keeping the order of the rest. O(n). */
  remove(item: A): boolean {
    const length = this.items.length
    for (let i = 0; i < this.count; i++) {
      if (this.items[(this.head + i) % length] !== item) continue
      for (let j = i; j < this.count - 1; j++) {
        this.items[(this.head + j) % length] = this.items[(this.head + j + 1) % length]
      }
      this.items[(this.head + this.count - 1) % length] = undefined
      this.count--
      return true
    }
    return false
  }

  /** Empties the deque, returning the items front to back. */
  drain(): Array<A> {
    const out: Array<A> = []
    for (let item = this.popFront(); item !== undefined; item = this.popFront()) out.push(item)
    return out
  }

  private grow(): void {
    const next: Array<A | undefined> = new Array(Math.max(16, this.items.length * 2))
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length]
    this.items = next
    this.head = 0
  }
}
