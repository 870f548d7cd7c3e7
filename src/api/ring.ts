/** A fixed-capacity ring buffer: pushing onto a full ring drops the oldest item. */
export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be >= 1, got ${capacity}`);
    this.buf = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.buf[end] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Item `i` counted from the oldest (0) to the newest (size - 1). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.buf[(this.start + i) % this.capacity];
  }

  set(i: number, item: T): void {
    if (i < 0 || i >= this.count) throw new RangeError(`index ${i} out of range`);
    this.buf[(this.start + i) % this.capacity] = item;
  }

  /** Index of the newest item matching `pred`, or -1. */
  findLastIndex(pred: (item: T) => boolean): number {
    for (let i = this.count - 1; i >= 0; i--) if (pred(this.at(i) as T)) return i;
    return -1;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.at(i) as T;
    return out;
  }
}
