// Run queues: 256 fixed priorities (255 highest, as in QNX), FIFO within a
// priority, a bitmap of non-empty levels so picking the next process is O(1)
// in the number of levels' words (8 words of 32 bits).

export const PRIORITY_LEVELS = 256;
export const DEFAULT_PRIORITY = 128;

export interface Schedulable {
  priority: number;
  queued: boolean;
}

/**
 * A FIFO in a ring (a power-of-two array, doubled when full): push and shift allocate nothing. A queue
 * with a moving head over a growing array reallocated its backing store every few dozen operations and
 * copied it every 1024: garbage on every context switch.
 */
class Fifo<T> {
  private items: (T | undefined)[] = []; // made at the first push: most of the 256 levels are never used
  private mask = 0;
  private head = 0;
  private n = 0;
  get length(): number {
    return this.n;
  }
  push(x: T): void {
    if (this.n === this.items.length) this.grow();
    this.items[(this.head + this.n) & this.mask] = x;
    this.n++;
  }
  unshift(x: T): void {
    if (this.n === this.items.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = x;
    this.n++;
  }
  /** The i-th item from the head (i < length). */
  at(i: number): T {
    return this.items[(this.head + i) & this.mask]!;
  }
  /** The first item satisfying pred, or undefined. */
  find(pred: (x: T) => boolean): T | undefined {
    for (let i = 0; i < this.n; i++) {
      const x = this.items[(this.head + i) & this.mask]!;
      if (pred(x)) return x;
    }
    return undefined;
  }
  shift(): T | undefined {
    if (this.n === 0) return undefined;
    const x = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.n--;
    return x;
  }
  /** Take x out, keeping the order of the rest. */
  remove(x: T): boolean {
    const items = this.items;
    const mask = this.mask;
    let i = 0;
    while (i < this.n && items[(this.head + i) & mask] !== x) i++;
    if (i === this.n) return false;
    for (; i < this.n - 1; i++) items[(this.head + i) & mask] = items[(this.head + i + 1) & mask];
    items[(this.head + this.n - 1) & mask] = undefined;
    this.n--;
    return true;
  }
  private grow(): void {
    const old = this.items;
    const bigger = new Array<T | undefined>(Math.max(8, old.length * 2)).fill(undefined);
    for (let i = 0; i < this.n; i++) bigger[i] = old[(this.head + i) & this.mask];
    this.items = bigger;
    this.mask = bigger.length - 1;
    this.head = 0;
  }
}

export class RunQueues<P extends Schedulable> {
  private readonly levels: Fifo<P>[] = Array.from({ length: PRIORITY_LEVELS }, () => new Fifo<P>());
  private readonly bitmap = new Uint32Array(PRIORITY_LEVELS / 32);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Append p at the back of its priority level. p must not be queued already. */
  enqueue(p: P): void {
    if (p.queued) return;
    p.queued = true;
    this.levels[p.priority].push(p);
    this.bitmap[p.priority >>> 5] |= 1 << (p.priority & 31);
    this.count++;
  }

  /** Put p at the front of its priority level (a preempted process resumes before its peers). */
  enqueueFront(p: P): void {
    if (p.queued) return;
    p.queued = true;
    this.levels[p.priority].unshift(p);
    this.bitmap[p.priority >>> 5] |= 1 << (p.priority & 31);
    this.count++;
  }

  /** The first process satisfying pred, searching levels from the highest, each in queue order; null if none. */
  find(pred: (p: P) => boolean): P | null {
    for (let w = this.bitmap.length - 1; w >= 0; w--) {
      let bits = this.bitmap[w];
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits);
        bits &= ~(1 << bit);
        const found = this.levels[w * 32 + bit].find(pred);
        if (found !== undefined) return found;
      }
    }
    return null;
  }

  /** Remove and return the first process of the highest non-empty level, or null. */
  dequeue(): P | null {
    for (let w = this.bitmap.length - 1; w >= 0; w--) {
      const bits = this.bitmap[w];
      if (bits === 0) continue;
      const level = w * 32 + (31 - Math.clz32(bits));
      const q = this.levels[level];
      const p = q.shift()!;
      if (q.length === 0) this.bitmap[w] &= ~(1 << (level & 31));
      p.queued = false;
      this.count--;
      return p;
    }
    return null;
  }

  /** Take p out of its queue (it died or its priority changes). */
  remove(p: P): void {
    if (!p.queued) return;
    const q = this.levels[p.priority];
    q.remove(p);
    if (q.length === 0) this.bitmap[p.priority >>> 5] &= ~(1 << (p.priority & 31));
    p.queued = false;
    this.count--;
  }

  /** The processes queued at `priority`, in queue order, into out from index `from`; how many, or -1 if more than `max`. */
  copyLevel(priority: number, out: (P | null)[], from: number, max: number): number {
    const q = this.levels[priority];
    if (q.length > max) return -1;
    for (let i = 0; i < q.length; i++) out[from + i] = q.at(i);
    return q.length;
  }

  /** Highest priority with a queued process, or -1. */
  topPriority(): number {
    for (let w = this.bitmap.length - 1; w >= 0; w--) {
      const bits = this.bitmap[w];
      if (bits !== 0) return w * 32 + (31 - Math.clz32(bits));
    }
    return -1;
  }
}
