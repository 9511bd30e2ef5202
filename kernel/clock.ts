// The kernel's monotonic clock, in nanoseconds since boot (a double: exact to
// 2^53 ns, about 104 days). Deterministic mode uses the virtual clock, which
// moves only when the kernel jumps it to the next deadline; real-time mode
// reads a host clock through the Platform.

export interface Clock {
  /** Nanoseconds since boot; never decreases. */
  now(): number;
  /** True when the kernel may jump time forward instead of waiting for it. */
  readonly virtual: boolean;
  /** Virtual clocks only: move to t (never backwards). */
  advanceTo(t: number): void;
  /** now(), without first charging the running process's work (cheaper, possibly a little behind). */
  peek(): number;
}

export class VirtualClock implements Clock {
  readonly virtual = true;
  /** The time, ns. Read and written directly only by the scheduler's flat slice accounting (kernel/sched/cpu.ts); everyone else calls now(). */
  t = 0;
  /**
   * Synced before every read: the kernel charges the running process's work (advancing the clock) first. An
   * object with a method, not a closure: optimized code calling a closure made per kernel bails out at the
   * next kernel's first read ("wrong call target"); a method of one class is the same target in every kernel.
   */
  beforeRead: { sync(): void } | null = null;
  now(): number {
    this.beforeRead?.sync();
    return this.t;
  }
  peek(): number {
    return this.t;
  }
  advanceTo(t: number): void {
    if (t > this.t) this.t = t;
  }
}

/** Wall-clock time from a host source of milliseconds (performance.now in practice). */
export class RealClock implements Clock {
  readonly virtual = false;
  private readonly source: () => number;
  private readonly origin: number;
  private last = 0;
  constructor(source: () => number) {
    this.source = source;
    this.origin = source();
  }
  now(): number {
    const t = Math.round((this.source() - this.origin) * 1e6);
    if (t > this.last) this.last = t;
    return this.last;
  }
  advanceTo(): void {
    // Real time cannot be jumped; the kernel waits through the Platform instead.
  }
  peek(): number {
    return this.now();
  }
}

/** An absolute i64 deadline as kernel time (Infinity for DEADLINE_INFINITE and beyond 2^53). */
export function deadlineToTime(deadline: bigint): number {
  return deadline >= 9007199254740992n ? Infinity : Number(deadline);
}
