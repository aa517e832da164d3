// A growable ring buffer with O(1) push/pop at both ends. The owner of a
// mailbox works one end; a thief (work stealing) takes from the other.
// Capacity stays a power of two so indices wrap with a mask, not a division.
export class RingDeque<A> {
  private items: Array<A | undefined>
  private mask: number
  private head = 0
  private count = 0

  constructor(initialCapacity = 16) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, initialCapacity)))
    this.items = new Array(capacity)
    this.mask = capacity - 1
  }

  get size(): number {
    return this.count
  }

  pushBack(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) & this.mask] = item
    this.count++
  }

  pushFront(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.head = (this.head - 1) & this.mask
    this.items[this.head] = item
    this.count++
  }

  peekFront(): A | undefined {
    return this.count === 0 ? undefined : this.items[this.head]
  }

  popFront(): A | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.count--
    return item
  }

  popBack(): A | undefined {
    if (this.count === 0) return undefined
    const index = (this.head + this.count - 1) & this.mask
    const item = this.items[index]
    this.items[index] = undefined
    this.count--
    return item
  }

  /** Removes up to `n` items from the front, returned front to back. */
  takeFront(n: number): Array<A> {
    const out: Array<A> = new Array(Math.max(0, Math.min(n, this.count)))
    for (let i = 0; i < out.length; i++) out[i] = this.popFront()!
    return out
  }

  /** Removes up to `n` items from the back, returned front to back (their order here). */
  takeBack(n: number): Array<A> {
    const out: Array<A> = new Array(Math.max(0, Math.min(n, this.count)))
    for (let i = out.length - 1; i >= 0; i--) out[i] = this.popBack()!
    return out
  }

  /** Removes the first occurrence of `item`, keeping the order of the rest. O(n). */
  remove(item: A): boolean {
    const mask = this.mask
    for (let i = 0; i < this.count; i++) {
      if (this.items[(this.head + i) & mask] !== item) continue
      for (let j = i; j < this.count - 1; j++) {
        this.items[(this.head + j) & mask] = this.items[(this.head + j + 1) & mask]
      }
      this.items[(this.head + this.count - 1) & mask] = undefined
      this.count--
      return true
    }
    return false
  }

  /** Empties the deque, returning the items front to back. */
  drain(): Array<A> {
    return this.takeFront(this.count)
  }

  private grow(): void {
    const next: Array<A | undefined> = new Array(this.items.length * 2)
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & this.mask]
    this.items = next
    this.mask = next.length - 1
    this.head = 0
  }
}
