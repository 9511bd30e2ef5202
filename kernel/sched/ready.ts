// The ready queue: every READY process, and the rule that picks the next.
//
//  1. The deadline class first: the ready deadline process whose job is due
//     earliest (ties: the one queued first). Throttled ones are not queued.
//  2. Then fixed priorities, highest first; within a priority in queue order
//     (round robin or FIFO is decided by where a process is put back).
//     With CPU partitions: the highest-priority process whose partition is
//     within its budget; if none is, the highest-priority process anyway
//     (free time goes to whoever is ready).
//
// Kernel code uses enqueue / dequeue / remove as before; enqueue() puts a
// process at the back (it gets a fresh quantum), enqueueFront() at the front
// (a preempted process keeps its place and what is left of its quantum).

import type { Process } from "../objects/process.ts";
import { RunQueues } from "./run-queues.ts";
import type { Partition } from "../objects/partition.ts";
import { bumpWord } from "../fast/mirror.ts";

export interface ReadyHooks {
  /** Now, for partition budgets. */
  now(): number;
  /** Whether partitions other than the system partition exist (else budgets are not consulted). */
  hasPartitions(): boolean;
  /** A process was queued (front: after a preemption). */
  queued(p: Process, front: boolean): void;
}

/** The partition billed for p's CPU: its client's while it serves one (and the client lives). */
export function billedPartition(p: Process): Partition {
  const client = p.sched.billedTo;
  return (client !== null && !client.exited ? client : p).sched.partition;
}

export class ReadyQueue {
  private readonly fixed = new RunQueues<Process>();
  private readonly edf: Process[] = [];
  private readonly hooks: ReadyHooks;
  private seq = 0;
  /** The run-on's version word (kernel/fast/mirror.ts kernelWord; -1: none yet): bumped at every enqueue. */
  versionAt = -1;

  constructor(hooks: ReadyHooks) {
    this.hooks = hooks;
  }

  get size(): number {
    return this.fixed.size + this.edf.length;
  }

  /** Queue p at the back of its class (no effect if queued). */
  enqueue(p: Process): void {
    this.put(p, false);
  }

  /** Queue p at the front of its priority (a preempted process). */
  enqueueFront(p: Process): void {
    this.put(p, true);
  }

  private put(p: Process, front: boolean): void {
    if (p.queued) return;
    if (this.versionAt >= 0) bumpWord(this.versionAt); // a port loop's take (wasm) may no longer be the run-on's
    const edf = p.sched.edf;
    if (edf !== null && !edf.throttled) {
      edf.seq = front ? -1 - this.seq++ : this.seq++;
      p.queued = true;
      p.sched.inEdfQueue = true;
      this.edf.push(p);
    } else if (front) {
      this.fixed.enqueueFront(p);
    } else {
      this.fixed.enqueue(p);
    }
    this.hooks.queued(p, front);
  }

  /**
   * Whether dequeue() would choose p first if p were queued now at the back of
   * its priority: nothing queued at its priority or above, no deadline class
   * on either side, no partition budgets to weigh (then the caller may skip the
   * queue: the IPC handoff, kernel/core.ts). False when unsure.
   */
  wouldChooseFirst(p: Process): boolean {
    if (this.edf.length !== 0 || p.sched.edf !== null || this.hooks.hasPartitions()) return false;
    return this.fixed.size === 0 || this.fixed.topPriority() < p.priority;
  }

  /** Queue p, which was already readied (CpuScheduler.readied): enqueue() without the queued hook. */
  enqueueReadied(p: Process): void {
    if (p.queued) return;
    if (this.versionAt >= 0) bumpWord(this.versionAt);
    const edf = p.sched.edf;
    if (edf !== null && !edf.throttled) {
      edf.seq = this.seq++;
      p.queued = true;
      p.sched.inEdfQueue = true;
      this.edf.push(p);
    } else this.fixed.enqueue(p);
  }

  /** Take p out of the queue (it died, blocks, or its priority or class changes). */
  remove(p: Process): void {
    if (!p.queued) return;
    if (p.sched.inEdfQueue) {
      this.edf.splice(this.edf.indexOf(p), 1);
      p.sched.inEdfQueue = false;
      p.queued = false;
      return;
    }
    this.fixed.remove(p);
  }

  /**
   * The ring of lazy yields (kernel/fast/yields.ts): `running` at index 0, then the processes queued at its
   * priority in queue order, when nothing is queued above it, no deadline class or partitions are weighed
   * and no port loop reads the version word. Returns the ring's length (the ring has at least the FIFO's
   * head), or 0.
   */
  lazyRing(running: Process, out: (Process | null)[], max: number): number {
    if (this.edf.length !== 0 || this.versionAt >= 0 || this.hooks.hasPartitions()) return 0;
    if (this.fixed.topPriority() !== running.priority) return 0;
    const n = this.fixed.copyLevel(running.priority, out, 1, max - 1);
    if (n <= 0) return 0;
    out[0] = running;
    return n + 1;
  }

  /**
   * The lazy yields' run queue (kernel/fast/yields.ts syncYields): `from`, running and not queued, yielded
   * `steps` times through its priority's FIFO, each time to the back with the head taken. The queued hook
   * is not called: the words carried what it did. Returns the running process.
   */
  rotate(from: Process, steps: number): Process {
    let cur = from;
    for (let i = 0; i < steps; i++) {
      this.fixed.enqueue(cur);
      cur = this.fixed.dequeue()!;
    }
    return cur;
  }

  /** Highest fixed priority with a queued process, or -1. */
  topPriority(): number {
    return this.fixed.topPriority();
  }

  /** The ready deadline process due first, or null. */
  private earliest(): Process | null {
    let best: Process | null = null;
    for (const p of this.edf) {
      const a = p.sched.edf!;
      if (best === null) best = p;
      else {
        const b = best.sched.edf!;
        if (a.absDeadline < b.absDeadline || (a.absDeadline === b.absDeadline && a.seq < b.seq)) best = p;
      }
    }
    return best;
  }

  /** The process that should run next (not removed), or null. */
  peek(): Process | null {
    const e = this.earliest();
    if (e !== null) return e;
    if (!this.hooks.hasPartitions()) return this.fixed.find(() => true);
    const now = this.hooks.now();
    return this.fixed.find((p) => billedPartition(p).budgetLeft(now) > 0) ?? this.fixed.find(() => true);
  }

  /** Remove and return the process that should run next, or null. */
  dequeue(): Process | null {
    if (this.edf.length === 0 && !this.hooks.hasPartitions()) return this.fixed.dequeue();
    const p = this.peek();
    if (p !== null) this.remove(p);
    return p;
  }

  /**
   * Whether a queued process should take the CPU from `current` now. With
   * `quantumExpired` (a round-robin process used up its quantum), an equal
   * priority peer also wins.
   */
  shouldPreempt(current: Process, quantumExpired: boolean): boolean {
    const e = this.earliest();
    const cur = current.sched.edf;
    const curInEdf = cur !== null && !cur.throttled;
    if (e !== null) {
      if (!curInEdf) return true;
      const d = e.sched.edf!;
      return d.absDeadline < cur.absDeadline || (quantumExpired && d.absDeadline === cur.absDeadline);
    }
    if (curInEdf) return false;
    if (!this.hooks.hasPartitions()) {
      const top = this.fixed.topPriority();
      return top > current.priority || (quantumExpired && top === current.priority);
    }
    return this.partitionedPreempts(current, quantumExpired);
  }

  /**
   * shouldPreempt with partition budgets, a function of its own: the closures it makes would make V8
   * allocate their context at every shouldPreempt (every process queued while another runs), partitions or not.
   */
  private partitionedPreempts(current: Process, quantumExpired: boolean): boolean {
    const now = this.hooks.now();
    const withBudget = this.fixed.find((p) => billedPartition(p).budgetLeft(now) > 0);
    if (billedPartition(current).budgetLeft(now) > 0) return beats(withBudget, current, quantumExpired);
    // current runs on free time: anyone within budget wins, else plain priority.
    return (
      withBudget !== null ||
      beats(
        this.fixed.find(() => true),
        current,
        quantumExpired,
      )
    );
  }
}

/** Whether p, queued, should take the CPU from current (at an equal priority only once current's quantum expired). */
function beats(p: Process | null, current: Process, quantumExpired: boolean): boolean {
  return p !== null && (p.priority > current.priority || (quantumExpired && p.priority === current.priority));
}
