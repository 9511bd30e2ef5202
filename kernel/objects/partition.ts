// CPU partitions: adaptive partitioning as in QNX. A partition guarantees the
// processes in it a share of the CPU over a sliding averaging window when
// the CPU is contended; time a partition does not use goes to the others
// ("free time"). Shares are carved out of a parent partition: the system
// partition starts with the whole CPU, and a partition created by a process
// takes its share from that process's partition, which gets it back when the
// new one is destroyed. So no process can guarantee more than it was given.
//
// The scheduler's rule (kernel/sched/ready.ts): run the highest-priority
// ready process whose partition is within its budget (CPU used in the window
// below its own share of the window); if no ready process has budget, run
// the highest-priority one anyway. Usage is billed to the partition of the
// process the CPU works for: the process itself, or the client a server is
// serving (Kernel.billTo).

import { ObjectType } from "../../abi/gen/abi.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import { WINDOW_BUCKETS } from "../sched/params.ts";

export class Partition extends KernelObject {
  readonly type = ObjectType.PARTITION;
  readonly parent: Partition | null;
  /** Share of the whole CPU, permille. */
  readonly share: number;
  /** Permille carved out by partitions created from this one (live ones). */
  childShares = 0;
  /** Processes alive in it. */
  members = 0;
  /** Utilisation reserved by its deadline-class members (a fraction of the CPU). */
  edfLoad = 0;
  /** CPU ns billed to it since it was created. */
  totalNs = 0;
  readonly windowNs: number;
  /** Width of one of the window's buckets, ns (charges within one bucket add up wherever in it they fall). */
  readonly bucketNs: number;
  private readonly buckets = new Float64Array(WINDOW_BUCKETS);
  /** Absolute index (time / bucketNs) of the newest bucket. */
  private newest = 0;
  private windowSum = 0;
  private readonly onGone: (() => void) | null;

  constructor(registry: ObjectRegistry, parent: Partition | null, share: number, windowNs: number, onGone: (() => void) | null = null) {
    super(registry, ObjectType.PARTITION);
    this.onGone = onGone;
    this.parent = parent;
    this.share = share;
    this.windowNs = windowNs;
    this.bucketNs = windowNs / WINDOW_BUCKETS;
    if (parent) {
      parent.childShares += share;
      parent.retainKernel();
    }
  }

  /** Its own guarantee, permille: its share minus what its children took. */
  get ownShare(): number {
    return this.share - this.childShares;
  }

  /** CPU ns its own guarantee is worth per window. */
  get budgetNs(): number {
    return (this.ownShare * this.windowNs) / 1000;
  }

  /** Drop buckets that slid out of the window ending at `now`. */
  private advance(now: number): void {
    const at = Math.floor(now / this.bucketNs);
    if (at <= this.newest) return;
    const steps = Math.min(at - this.newest, WINDOW_BUCKETS);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.newest + i) % WINDOW_BUCKETS;
      this.windowSum -= this.buckets[slot];
      this.buckets[slot] = 0;
    }
    this.newest = at;
    if (this.windowSum < 1e-6) this.windowSum = 0;
  }

  /** Bill ns of CPU at time `now`. */
  charge(ns: number, now: number): void {
    this.advance(now);
    this.buckets[this.newest % WINDOW_BUCKETS] += ns;
    this.windowSum += ns;
    this.totalNs += ns;
  }

  /** CPU ns billed in the window ending at `now`. */
  usage(now: number): number {
    this.advance(now);
    return this.windowSum;
  }

  /** CPU ns left of its budget in the window ending at `now` (<= 0: over budget). */
  budgetLeft(now: number): number {
    return this.budgetNs - this.usage(now);
  }

  protected override onDestroy(): void {
    this.onGone?.();
    if (this.parent) {
      this.parent.childShares -= this.share;
      this.parent.releaseKernel();
    }
  }
}
