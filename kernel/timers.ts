// Deadline events in a binary min-heap: the only source of timed wake-ups
// (there is no periodic tick). Ties break by insertion order, so the same
// boot fires timers in the same order every time.

export interface Timer {
  readonly deadline: number;
  readonly seq: number;
  fire: (() => void) | null; // null once cancelled
  /** Whom it is for (the kernel: the process a throwing callback's fault ends); the heap only carries it. */
  readonly owner: unknown;
}

export class TimerHeap {
  private readonly heap: Timer[] = [];
  private seq = 0;
  /**
   * Called with the timer and what its callback threw (fireDue goes on with the next); without one a throw
   * leaves fireDue. One handler for every timer: the kernel wrapped each callback in a guard closure of its
   * own (a closure and its context a timer; the PCM pipeline arms one a period).
   */
  private readonly onThrow: ((t: Timer, e: unknown) => void) | null;

  constructor(onThrow: ((t: Timer, e: unknown) => void) | null = null) {
    this.onThrow = onThrow;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Schedule fire at deadline (ns since boot). Returns the timer for cancel(). */
  add(deadline: number, fire: () => void, owner: unknown = null): Timer {
    const t: Timer = { deadline, seq: this.seq++, fire, owner };
    this.heap.push(t);
    this.up(this.heap.length - 1);
    return t;
  }

  /** Cancel lazily: the entry stays until it reaches the top and is dropped there. */
  cancel(t: Timer): void {
    t.fire = null;
  }

  /** Cancel every timer. */
  clear(): void {
    for (const t of this.heap) t.fire = null;
    this.heap.length = 0;
  }

  /** Earliest live deadline, or Infinity. */
  next(): number {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0].deadline : Infinity;
  }

  /** Fire every timer whose deadline is <= now, in (deadline, seq) order. Returns how many fired. */
  fireDue(now: number): number {
    let n = 0;
    for (;;) {
      this.dropCancelled();
      if (this.heap.length === 0 || this.heap[0].deadline > now) return n;
      const t = this.pop();
      const f = t.fire!;
      t.fire = null;
      const onThrow = this.onThrow;
      if (onThrow === null) f();
      else
        try {
          f();
        } catch (e) {
          onThrow(t, e);
        }
      n++;
    }
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].fire === null) this.pop();
  }

  private pop(): Timer {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      const t = h[i]; // (a swap by destructuring makes an array where the code is not optimized)
      h[i] = h[p];
      h[p] = t;
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      const t = h[i];
      h[i] = h[m];
      h[m] = t;
      i = m;
    }
  }
}
