// The CPU scheduler: slices, fuel, time, and the policies that decide when a
// running process must give the CPU up. The KernelCore (kernel/core.ts) keeps
// the life cycle (dispatch, block, wake, terminate); this file decides.
//
// Slices. A process runs until it blocks or its slice's fuel runs out (the
// host meters guest code, loader/instrument/fuel.ts). Each slice gets
//     min(quantum left, fuel to the next timer (virtual time),
//         CPU limit left, deadline-job runtime left, partition budget left)
// so every event that may change who should run (a quantum end, a timer
// due, a limit, a budget) falls on a slice boundary: the scheduler is
// tickless and needs no interrupt. When a process becomes ready and should
// run before the current one (higher priority, earlier deadline, a
// partition with budget), the current process's fuel is zeroed: it stops at
// its next function entry or loop header.
//
// Time. In deterministic mode the virtual clock advances by the fuel the
// running process burns (nsPerFuel ns per unit, default 1), read from the
// guest's counter whenever anyone reads the clock, plus a fixed cost per
// dispatch (switchCostNs, default 1000: a context switch is not free); so
// clock_now and cpu_time reflect work done, and runs are repeatable. In real-time mode CPU
// time is wall time between slice boundaries, and slices end by fuel, or, for the epoch
// variant (loader/instrument/README.md), by the wall time their fuel stands for.
//
// Billing. CPU time is charged to the process (cpu_time, limits) and to the
// partition of the process it works for: itself, or the client a server is
// serving (billTo).

import { Constants, Errno, ExitReason, ProcessState } from "../../abi/gen/abi.ts";
import { VirtualClock } from "../clock.ts";
import type { KernelCore } from "../core.ts";
import { KernelBug, ObjectRegistry } from "../object.ts";
import type { Process } from "../objects/process.ts";
import { admits, EdfReservation } from "./edf.ts";
import {
  DEFAULT_EDF_CAPACITY,
  DEFAULT_NS_PER_FUEL,
  DEFAULT_QUANTUM_FUEL,
  DEFAULT_SWITCH_COST_NS,
  DEFAULT_WINDOW_NS,
  MAX_SLICE_FUEL,
} from "./params.ts";
import { Partition } from "../objects/partition.ts";
import { billedPartition, ReadyQueue, type ReadyHooks } from "./ready.ts";
import { SchedState } from "./state.ts";
import { tierOf } from "./tiers.ts";
import { fitsI32, Y, type YieldWords } from "../fast/yields.ts";

export interface SchedOptions {
  /** Virtual ns per unit of fuel (deterministic mode). */
  nsPerFuel?: number;
  /** Round-robin quantum, in fuel. */
  quantumFuel?: number;
  /** Partition averaging window, ns. */
  windowNs?: number;
  /** Share of the CPU the deadline class may reserve (0..1). */
  edfCapacity?: number;
  /** Virtual ns a dispatch (context switch) costs, charged to the process dispatched. */
  switchCostNs?: number;
}

/**
 * A deferral dropped on purpose, for tests only (test/ipc/handoff.test.ts shows that the comparison with
 * `fastPath: false` fails with it): "late" leaves the deferred system billing unsettled when a partition is
 * made, so it lands later, in whatever bucket is newest by then. null in every real run.
 */
export type BillingMutation = "late" | null;
let billingMutation: BillingMutation = null;

/** Tests only: drop the settlement of deferred billing (null: none). */
export function mutateBillingForTest(m: BillingMutation): void {
  billingMutation = m;
}

/**
 * A condition of the flat slice accounting (beginSliceFlat, endSliceFlat) dropped on purpose, for tests only
 * (test/sched/flat-slice.test.ts shows that each makes its comparison with `fastSlice: false` fail): "bucket"
 * adds deferred billing without the bucket test; "edf" skips the deadline class's charge; "latency" skips the
 * tier's latency check; "bound" takes the quantum as the slice whatever else bounds it; "quantum" does not
 * charge the quantum at a slice's end. null in every real run.
 */
export type SliceMutation = "bucket" | "edf" | "latency" | "bound" | "quantum" | null;
let sliceMutation: SliceMutation = null;

/** Tests only: drop one condition of the flat slice accounting (null: none). */
export function mutateSliceForTest(m: SliceMutation): void {
  sliceMutation = m;
}

/** What the host does after a process ran out of fuel. */
export type FuelVerdict = "continue" | "preempted" | "killed";

export class CpuScheduler implements ReadyHooks {
  readonly ready: ReadyQueue;
  /** The partition every process starts in unless its parent is in another. */
  readonly system: Partition;
  readonly nsPerFuel: number;
  readonly quantumFuel: number;
  readonly windowNs: number;
  readonly edfCapacity: number;
  private readonly switchCostNs: number;
  private readonly k: KernelCore;
  /** Live partitions other than the system partition. */
  private partitions = 0;
  /** Whether partitions other than the system partition exist (else all billing goes to one account). */
  get partitioned(): boolean {
    return this.partitions > 0;
  }
  /** Utilisation reserved by the deadline class. */
  edfLoad = 0;
  /** The process whose slice is open, and the counter value at the last sync. */
  private running: Process | null = null;
  private fuelMark = 0;
  /**
   * Fuel of the open slice beyond what the running process's counter holds (a kept counter, see refill):
   * when the counter runs out, outOfFuel hands it this much more and the guest runs on, as it would have
   * with the whole slice written at once.
   */
  private fuelBeyond = 0;
  /** Slices that kept the counter (no write), and kept counters that ran out before their slice (a refill from fuelBeyond). */
  readonly keptCounters = { kept: 0, toppedUp: 0 };
  /**
   * Deferred billing (see charge): with no partition but the system one, CPU ns billed to the system
   * partition and not yet added to it, all inside the bucket that ends at billEnd (billAt: the time of the
   * first of them). Exact: every charge is a whole number of ns (deferBilling), so the sums are the same
   * in any order, and charges inside one bucket land in the same slot wherever in it they fall.
   */
  private billNs = 0;
  private billAt = 0;
  private billEnd = -1;
  private readonly deferBilling: boolean;
  /** Real-time mode: clock reading at the last sync. */
  private lastSync = 0;
  /**
   * Real time only: the clock as the last slice's end read it (endSliceGeneral's sync), until a slice opens or
   * the kernel takes it (takeEndReading); NaN otherwise. A handoff's due-timer check and the dispatch that
   * follows happen within the same kernel step as that end, and take this reading instead of calling the host's
   * clock again (≈45 ns a call).
   */
  private endReading = NaN;
  private syncing = false;
  /**
   * The virtual clock, when slices are accounted flat (KernelOptions.fastSlice, deterministic mode):
   * beginSlice and endSlice then read and advance its time directly (beginSliceFlat, endSliceFlat).
   */
  private readonly flat: VirtualClock | null;

  constructor(k: KernelCore, options: SchedOptions = {}) {
    this.k = k;
    this.nsPerFuel = options.nsPerFuel ?? DEFAULT_NS_PER_FUEL;
    this.quantumFuel = options.quantumFuel ?? DEFAULT_QUANTUM_FUEL;
    this.windowNs = options.windowNs ?? DEFAULT_WINDOW_NS;
    this.edfCapacity = options.edfCapacity ?? DEFAULT_EDF_CAPACITY;
    this.switchCostNs = options.switchCostNs ?? DEFAULT_SWITCH_COST_NS;
    if (!(this.nsPerFuel > 0) || !(this.quantumFuel >= 1) || !(this.windowNs > 0) || !(this.edfCapacity > 0 && this.edfCapacity <= 1)) {
      throw new RangeError("scheduler options out of range");
    }
    // No handle ever names the system partition: it lives outside the kernel's object registry (and its leak counts).
    this.system = new Partition(new ObjectRegistry(), null, Constants.SHARE_WHOLE, this.windowNs);
    this.system.retainKernel();
    // Only with fast IPC on, so that test/ipc/handoff.test.ts compares it with immediate billing (fastPath: false).
    this.deferBilling =
      k.fastIpc && Number.isInteger(this.nsPerFuel) && Number.isInteger(this.switchCostNs) && Number.isInteger(this.system.bucketNs);
    this.flat = k.fastSlice && k.clock instanceof VirtualClock ? k.clock : null;
    // The scheduler itself (its methods): closures made per kernel would be other call targets at the next
    // kernel, where optimized code calling them bails out.
    this.ready = new ReadyQueue(this);
  }

  // ---- process life cycle -------------------------------------------------

  /** Scheduling state for a new process: its parent's partition and ceiling (the host's: system, PRIORITY_MAX). */
  admit(p: Process, parent: Process | null): void {
    const partition = parent?.sched.partition ?? this.system;
    p.sched = new SchedState(partition, parent?.sched.ceiling ?? Constants.PRIORITY_MAX);
    p.sched.quantumLeft = this.quantumFuel;
    this.join(p, partition);
  }

  /** p has ended: drop its reservation and its partition membership. */
  exited(p: Process): void {
    if (p.sched.edf) this.leaveDeadlineClass(p);
    const part = p.sched.partition;
    part.members--;
    part.releaseKernel();
  }

  // ---- slices and fuel ------------------------------------------------------

  /**
   * p was just dispatched: open its slice. Kept small (the two paths are functions of their own) so that V8
   * inlines it into the dispatch without spending its inlining budget (920 bytes of bytecode inlined into one
   * optimized function) on the path not taken: with the general path written here, the dispatch inlined
   * 428 bytes of it and had no budget left for what follows (docs/fastpath.md, switchcost).
   */
  beginSlice(p: Process): void {
    const flat = this.flat;
    if (flat !== null && this.running === null) this.beginSliceFlat(p, flat);
    else this.beginSliceGeneral(p);
  }

  /** beginSlice's general path: real time, a slice already open, or fastSlice off. */
  private beginSliceGeneral(p: Process): void {
    const k = this.k;
    // With no slice open (endSlice charged the last one) peek() reads what now() would, without the call back into sync.
    // In real time, the reading schedule() just took for its due-timer check serves (KernelCore.dispatchReading).
    const open = this.running !== null;
    const handed = k.dispatchReading;
    k.dispatchReading = NaN;
    const now = open ? k.clock.now() : handed === handed ? handed : k.clock.peek();
    const tier = tierOf(p.sched.edf ? p.basePriority : p.priority);
    if (now - p.sched.readySince > tier.deadlineNs) {
      p.sched.latencyMisses++;
      k.trace.enabled && k.trace.record(now, p.pid, "latency-miss", tier.name);
    }
    if (p.sched.quantumLeft <= 0) p.sched.quantumLeft = this.quantumFuel;
    if (k.clock.virtual && this.switchCostNs > 0) {
      k.clock.advanceTo(now + this.switchCostNs);
      this.charge(p, 0, this.switchCostNs, k.clock.peek());
    }
    // The counter and fuelMark are set before the slice opens: a clock read in between must not sync stale values.
    // An unmetered process (instrument: false) runs until it blocks; only the switch cost measures it.
    // In real time the slice's bound is measured from this dispatch's reading of the clock, as the latency check
    // is: reading it again for the bound cost ≈45 ns a dispatch whenever a timer is armed (a sleeping process is
    // one), the gap between ctx_switch_ns and ctx_switch_ns_at_scale (docs/fastpath.md, scalefix). In virtual
    // time the bound is measured after the switch cost, as before.
    if (p.runtime!.metered) this.refill(p, k.clock.virtual ? undefined : now); // reading the counter to learn this cost a WebAssembly.Global access per dispatch
    // The slice starts at this dispatch's reading in real time (no second host call: the few ns between are
    // the dispatch's own); in virtual time after the switch cost.
    this.lastSync = open ? k.clock.now() : k.clock.virtual ? k.clock.peek() : now;
    this.endReading = NaN;
    this.running = p;
  }

  /**
   * The real-time clock reading the slice that just ended took at its end, once (NaN in virtual time, or when it
   * took none): for the caller's steps in the same kernel step as that end, never later (an idle kernel's next
   * dispatch reads the clock anew).
   */
  takeEndReading(): number {
    const r = this.running === null ? this.endReading : NaN;
    this.endReading = NaN;
    return r;
  }

  /** p's slice ends (it blocks, yields, exits or is preempted): charge what it used. Kept small, as beginSlice. */
  endSlice(p: Process): void {
    if (this.running !== p) return;
    const flat = this.flat;
    if (flat !== null) this.endSliceFlat(p, flat);
    else this.endSliceGeneral(p);
  }

  /** endSlice's general path (real time, or fastSlice off). */
  private endSliceGeneral(p: Process): void {
    this.endReading = NaN;
    this.sync();
    this.running = null;
    // What its counter holds until it runs again (nothing else writes it meanwhile): refill may keep it.
    p.sched.fuelHeld = p.runtime !== null && p.runtime.fuelKept === true ? this.fuelMark : -1;
    this.fuelBeyond = 0;
  }

  /**
   * beginSlice with no slice open, in deterministic mode (fastSlice): the same steps, in the same order, with
   * the clock's time read and advanced as a field (no read hook: with no slice open it has nothing to charge),
   * the switch cost's charge and the common slice bound written out.
   */
  private beginSliceFlat(p: Process, clock: VirtualClock): void {
    const s = p.sched;
    const m = sliceMutation;
    let now = clock.t;
    if (now - s.readySince > tierOf(s.edf !== null ? p.basePriority : p.priority).deadlineNs && m !== "latency") this.latencyMiss(p, now);
    if (s.quantumLeft <= 0) s.quantumLeft = this.quantumFuel;
    const cost = this.switchCostNs;
    if (cost > 0) {
      clock.t = now += cost;
      // charge(p, 0, cost, now): no fuel, so the quantum stays.
      p.cpuTimeNs += cost;
      if (this.partitions === 0 && this.deferBilling && (now < this.billEnd || m === "bucket") && (s.edf === null || m === "edf"))
        this.billNs += cost;
      else this.chargeRest(p, cost, now);
    }
    if (p.runtime!.metered) {
      // refill(p), with sliceFuel's common case (no bound but the quantum) first.
      const fuel =
        (this.k.timers.next() === Infinity && s.cpuLimitNs === Infinity && s.edf === null && this.partitions === 0) || m === "bound"
          ? Math.max(1, Math.min(s.quantumLeft, MAX_SLICE_FUEL))
          : this.sliceFuel(p);
      const held = s.fuelHeld;
      s.fuelHeld = -1;
      if (held > 0 && held <= fuel && this.k.fastIpc && this.partitions === 0 && s.edf === null) {
        this.fuelMark = held;
        this.fuelBeyond = fuel - held;
        this.keptCounters.kept++;
      } else {
        p.runtime!.setFuel(fuel);
        this.fuelMark = fuel;
        this.fuelBeyond = 0;
      }
    }
    this.lastSync = now;
    this.running = p;
  }

  /** beginSlice's latency miss: p waited longer than its tier's deadline. */
  private latencyMiss(p: Process, now: number): void {
    p.sched.latencyMisses++;
    const k = this.k;
    k.trace.enabled && k.trace.record(now, p.pid, "latency-miss", tierOf(p.sched.edf ? p.basePriority : p.priority).name);
  }

  /** charge()'s billing and deadline-class steps (ns of CPU that ended at now), where the flat accounting's one test did not settle them. */
  private chargeRest(p: Process, ns: number, now: number): void {
    if (this.partitions === 0 && this.deferBilling) {
      if (now < this.billEnd) this.billNs += ns;
      else this.billNewBucket(ns, now);
    } else billedPartition(p).charge(ns, now);
    const edf = p.sched.edf;
    if (edf !== null) {
      edf.budgetNs -= ns;
      edf.checkMiss(now);
    }
  }

  /**
   * endSlice in deterministic mode (fastSlice): sync() and the slice's end in one, the clock's time advanced
   * as a field, charge() written out for its common case (deferred billing inside the current bucket).
   */
  private endSliceFlat(p: Process, clock: VirtualClock): void {
    const rt = p.runtime;
    if (rt !== null && !this.syncing) {
      const left = rt.fuelLeft();
      if (left !== null) {
        const fuel = this.fuelMark - left;
        this.fuelMark = left;
        if (fuel > 0) {
          const ns = fuel * this.nsPerFuel;
          const now = (clock.t += ns);
          const s = p.sched;
          const m = sliceMutation;
          p.cpuTimeNs += ns;
          if (m !== "quantum") s.quantumLeft -= fuel;
          if (this.partitions === 0 && this.deferBilling && (now < this.billEnd || m === "bucket") && (s.edf === null || m === "edf"))
            this.billNs += ns;
          else this.chargeRest(p, ns, now);
        }
      }
    }
    this.running = null;
    p.sched.fuelHeld = rt !== null && rt.fuelKept === true ? this.fuelMark : -1;
    this.fuelBeyond = 0;
  }

  /**
   * Give the running process its next slice of fuel. A counter that still holds some of its last slice
   * (a process that blocked, as in every IPC round trip) is kept when it holds no more than the new slice,
   * and the rest of the slice waits in fuelBeyond: writing a WebAssembly.Global costs more than the rest of
   * a dispatch's accounting. Only where nothing but the slice's end can change the outcome between the
   * counter's end and the slice's (no partitions, no deadline class: their charges fall in windows), and
   * only with the kernel's fast IPC on (so test/ipc/handoff.test.ts compares it with the written slice).
   */
  private refill(p: Process, at?: number): void {
    const fuel = this.sliceFuel(p, at);
    const held = p.sched.fuelHeld;
    p.sched.fuelHeld = -1;
    if (held > 0 && held <= fuel && this.k.fastIpc && this.partitions === 0 && p.sched.edf === null) {
      this.fuelMark = held;
      this.fuelBeyond = fuel - held;
      this.keptCounters.kept++;
      return;
    }
    p.runtime!.setFuel(fuel);
    this.fuelMark = fuel;
    this.fuelBeyond = 0;
  }

  /**
   * The fuel of p's next slice (see the file comment). At least 1. at: the clock as the caller just read it
   * (real time, at a dispatch), else it is read here if a bound needs it.
   */
  private sliceFuel(p: Process, at?: number): number {
    const k = this.k;
    const s = p.sched;
    let fuel = Math.min(s.quantumLeft, MAX_SLICE_FUEL);
    const next = k.timers.next();
    // The common case (every IPC dispatch): no bound but the quantum, and no clock read (now() is a call back into sync).
    if (next === Infinity && s.cpuLimitNs === Infinity && s.edf === null && this.partitions === 0) return Math.max(1, fuel);
    const perNs = 1 / this.nsPerFuel;
    // Every bound applies in real time too: a slice of the epoch variant lasts its fuel's worth of wall time
    // (nsPerFuel each), so it ends when the timer is due or the budget is spent; a counting slice in real time
    // ends sooner than its bound (guests burn about ten units per ns), never later.
    // With no slice open (dispatch) there is nothing to charge first: peek() is what now() would read.
    const now = at ?? (this.running === null ? k.clock.peek() : k.clock.now());
    if (next !== Infinity) fuel = Math.min(fuel, Math.ceil((next - now) * perNs));
    if (s.cpuLimitNs !== Infinity) fuel = Math.min(fuel, Math.ceil((s.cpuLimitNs - p.cpuTimeNs) * perNs));
    if (s.edf && !s.edf.done) fuel = Math.min(fuel, Math.ceil(s.edf.budgetNs * perNs));
    if (this.partitions > 0) {
      const left = billedPartition(p).budgetLeft(now);
      if (left > 0) fuel = Math.min(fuel, Math.ceil(left * perNs));
    }
    return Math.max(1, fuel);
  }

  /**
   * Charge the running process for the fuel it burned since the last sync
   * and advance virtual time by as much. Called on every clock read while a
   * slice is open, so readers see time that includes the work done so far.
   */
  sync(): void {
    const p = this.running;
    if (p === null || this.syncing) return;
    const rt = p.runtime;
    if (rt === null) return;
    this.syncing = true;
    try {
      const left = rt.fuelLeft();
      let fuel = 0;
      if (left !== null) {
        fuel = this.fuelMark - left;
        this.fuelMark = left;
      }
      const clock = this.k.clock;
      let ns: number;
      let now: number;
      if (clock.virtual) {
        // peek(): now() would only call back into this sync (syncing) first.
        ns = fuel * this.nsPerFuel;
        if (ns > 0) clock.advanceTo(clock.peek() + ns);
        now = clock.peek();
      } else {
        now = clock.now();
        ns = now - this.lastSync;
        this.lastSync = now;
        this.endReading = now;
      }
      if (fuel > 0 || ns > 0) this.charge(p, fuel, ns, now);
    } finally {
      this.syncing = false;
    }
  }

  /**
   * Charge p for fuel and ns of CPU that ended at `now` (the clock as the caller just read it). With no
   * partition but the system one, the system partition's share waits in billNs while it falls in one bucket
   * (two charges per dispatch, a bucket is 5 ms of virtual time): nothing can read that partition's usage
   * before a second partition exists (no handle names it; the run queue and the slice bound weigh budgets
   * only with partitions), and createPartition settles it first.
   */
  private charge(p: Process, fuel: number, ns: number, now: number): void {
    const s = p.sched;
    p.cpuTimeNs += ns;
    s.quantumLeft -= fuel;
    if (this.partitions === 0 && this.deferBilling) {
      if (now < this.billEnd) this.billNs += ns;
      else this.billNewBucket(ns, now);
    } else billedPartition(p).charge(ns, now);
    if (s.edf) {
      s.edf.budgetNs -= ns;
      s.edf.checkMiss(now);
    }
  }

  /** The first charge of a new bucket (deferred billing): the last bucket's sum goes to the system partition. */
  private billNewBucket(ns: number, now: number): void {
    this.settleBilling();
    const width = this.system.bucketNs;
    this.billNs = ns;
    this.billAt = now;
    this.billEnd = (Math.floor(now / width) + 1) * width;
  }

  /** Add the deferred billing (see charge) to the system partition. Before anything reads its usage. */
  settleBilling(): void {
    if (this.billNs !== 0) this.system.charge(this.billNs, this.billAt);
    this.billNs = 0;
    this.billEnd = -1;
  }

  /**
   * The slice's and the clock's words for lazy yields (kernel/fast/yields.ts), if the scheduler can leave
   * them to the vDSO: flat accounting in deterministic mode, deferred billing, no partitions, `running`'s
   * slice open, every value the vDSO keeps as an i32 in range. False: nothing is published.
   */
  publishYields(w: YieldWords, running: Process): boolean {
    const clock = this.flat;
    if (clock === null || !this.deferBilling || this.partitions !== 0 || this.running !== running || this.syncing) return false;
    if (!fitsI32(this.quantumFuel) || !fitsI32(this.fuelMark) || !fitsI32(this.fuelBeyond)) return false;
    const i32 = w.i32;
    const f64 = w.f64;
    i32[Y.FUEL_MARK >> 2] = this.fuelMark;
    i32[Y.FUEL_BEYOND >> 2] = this.fuelBeyond;
    i32[Y.QUANTUM >> 2] = this.quantumFuel;
    i32[Y.KEPT >> 2] = 0;
    f64[Y.CLOCK >> 3] = clock.t;
    f64[Y.BILL_NS >> 3] = this.billNs;
    f64[Y.BILL_END >> 3] = this.billEnd;
    f64[Y.NEXT_TIMER >> 3] = this.k.timers.next();
    f64[Y.NS_PER_FUEL >> 3] = this.nsPerFuel;
    f64[Y.PER_NS >> 3] = 1 / this.nsPerFuel;
    f64[Y.COST >> 3] = this.switchCostNs;
    return true;
  }

  /** syncYields: the words' slice and clock back into the fields, `running`'s slice open (as its dispatch left it). */
  adoptYields(w: YieldWords, running: Process): void {
    const i32 = w.i32;
    const f64 = w.f64;
    const t = f64[Y.CLOCK >> 3];
    this.flat!.t = t;
    this.billNs = f64[Y.BILL_NS >> 3];
    this.fuelMark = i32[Y.FUEL_MARK >> 2];
    this.fuelBeyond = i32[Y.FUEL_BEYOND >> 2];
    this.keptCounters.kept += i32[Y.KEPT >> 2];
    this.lastSync = t;
    this.running = running;
  }

  /** CPU ns p has used, up to now. */
  cpuTime(p: Process): number {
    if (p === this.running) this.sync();
    return p.cpuTimeNs;
  }

  /**
   * The running process p ran out of fuel. Charges the slice, fires due
   * timers, enforces its CPU limit and its job's runtime, then lets it
   * continue with a new slice, or preempts it (it goes back to the ready
   * queue: behind its peers if its round-robin quantum is used up, else in
   * front), or reports that it was killed.
   */
  outOfFuel(p: Process): FuelVerdict {
    const k = this.k;
    if (k.current !== p || this.running !== p) throw new KernelBug(`pid ${p.pid} ran out of fuel while not running`);
    this.sync();
    if (this.fuelBeyond > 0) {
      // The kept counter ran out, not the slice: the rest of the slice, unless this charge overran it too.
      const left = this.fuelMark + this.fuelBeyond;
      this.fuelBeyond = 0;
      if (left >= 0) {
        this.keptCounters.toppedUp++;
        p.runtime!.setFuel(left);
        this.fuelMark = left;
        return "continue";
      }
    }
    if (p.cpuTimeNs >= p.sched.cpuLimitNs) {
      this.killForCpu(p);
      return "killed";
    }
    const now = k.clock.now();
    if (k.timers.next() <= now) k.timers.fireDue(now);
    if (p.state === ProcessState.EXITED) return "killed";
    const s = p.sched;
    const edf = s.edf;
    if (edf !== null && !edf.done && edf.budgetNs <= 0) {
      edf.throttled = true;
      edf.throttles++;
      k.trace.enabled && k.trace.record(now, p.pid, "throttle");
      k.descheduleCurrent(p, "none");
      return "preempted";
    }
    let expired = false;
    if (s.quantumLeft <= 0) {
      expired = s.policy === Constants.SCHED_RR;
      s.quantumLeft = this.quantumFuel;
    }
    if (this.ready.shouldPreempt(p, expired)) {
      if (!expired) s.preemptions++;
      k.descheduleCurrent(p, expired ? "back" : "front");
      return "preempted";
    }
    this.refill(p);
    return "continue";
  }

  /**
   * Partitions or a deadline class are coming: a kept counter (refill) becomes a written slice, so that no
   * top-up charge point falls inside a time window the written slice would not have cut. Same slice end.
   */
  private writeKeptCounter(): void {
    const p = this.running;
    if (this.fuelBeyond === 0 || p === null || p.runtime === null) return;
    this.sync();
    const left = this.fuelMark + this.fuelBeyond;
    this.fuelBeyond = 0;
    p.runtime.setFuel(left);
    this.fuelMark = left;
  }

  /** Ask the running process to stop at its next charge point (someone should run before it). */
  private requestPreempt(): void {
    const p = this.running;
    if (p === null || p.runtime === null) return;
    this.sync();
    if (!p.runtime.metered) return;
    p.runtime.setFuel(0);
    this.fuelMark = 0;
    this.fuelBeyond = 0;
  }

  /** The running process's priority or class changed: if someone queued should now run first, stop it. */
  recheck(): void {
    const p = this.running;
    if (p !== null && this.ready.shouldPreempt(p, false)) this.requestPreempt();
  }

  /** A timer was armed: a running process's slice must end by it (virtual time, and wall time for the epoch variant). */
  timerAdded(deadline: number): void {
    const p = this.running;
    if (p === null || p.runtime === null) return;
    this.sync();
    const left = p.runtime.fuelLeft();
    if (left === null) return;
    const until = Math.max(0, Math.ceil((deadline - this.k.clock.now()) / this.nsPerFuel));
    if (until < left) {
      p.runtime.setFuel(until);
      this.fuelMark = until;
      this.fuelBeyond = 0;
    } else if (until < left + this.fuelBeyond) this.fuelBeyond = until - left; // the slice ends by it, the counter sooner
  }

  /**
   * The running process p finished a port handler's activation with its own next packet queued
   * (KernelCore.activationDone's run-on): whether its slice has room for the next activation, that is, fuel
   * left on its counter (a metered process outside the deadline class). The slice's fuel is bounded by
   * everything that ends a slice (its quantum, the next timer's deadline, its CPU limit: sliceFuel, and
   * timerAdded for a timer armed since; a preemption request empties the counter), so fuel left means none
   * of them is due yet: nothing is charged here, and the slice stays open. `fuelLeft`: the counter as the
   * caller read it (NaN: read it here).
   */
  sliceGoesOn(p: Process, fuelLeft = NaN): boolean {
    const rt = p.runtime;
    if (this.running !== p || rt === null || p.sched.edf !== null) return false;
    if (fuelLeft === fuelLeft) return fuelLeft > 0; // not NaN: its counter as the caller read it (a metered process's)
    if (!rt.metered) return false;
    const left = rt.fuelLeft();
    return left !== null && left > 0;
  }

  /** p became ready (queued at the back, or handed the CPU directly by IPC): a fresh quantum, and its wait starts now. */
  readied(p: Process): void {
    p.sched.quantumLeft = this.quantumFuel;
    p.sched.readySince = this.k.clock.peek();
  }

  /** ReadyHooks: now, for partition budgets. */
  now(): number {
    return this.k.clock.now();
  }

  /** ReadyHooks: whether partitions other than the system partition exist (the getter `partitioned`). */
  hasPartitions(): boolean {
    return this.partitions > 0;
  }

  /** ReadyHooks: a process was queued (front: after a preemption). */
  queued(p: Process, front: boolean): void {
    if (!front) p.sched.quantumLeft = this.quantumFuel;
    p.sched.readySince = this.k.clock.peek();
    const running = this.running;
    if (running !== null && running !== p && this.ready.shouldPreempt(running, false)) this.requestPreempt();
  }

  private killForCpu(p: Process): void {
    this.k.terminate(p, -1, ExitReason.CPU_LIMIT, `CPU limit exceeded: used ${Math.round(p.cpuTimeNs)} ns of ${p.sched.cpuLimitNs} ns`);
  }

  // ---- policy changes (the syscalls in kernel/syscalls/sched.ts) ----------

  /**
   * Fixed-priority class at `priority` with `policy`, set by `by`. The base
   * priority changes; an inherited boost stays. Set by another process, it
   * also caps p's ceiling, so p cannot raise itself back.
   */
  setPriority(p: Process, priority: number, policy: number, by: Process): void {
    if (p !== by) p.sched.ceiling = Math.min(p.sched.ceiling, priority);
    if (p.sched.edf) this.leaveDeadlineClass(p);
    p.sched.policy = policy;
    const boosted = p.priority > p.basePriority;
    p.basePriority = priority;
    this.k.setEffectivePriority(p, boosted ? Math.max(p.priority, priority) : priority);
    this.recheck();
  }

  /** Enter (or change) the deadline class. Returns 0, or -EOVERLOAD when admission control refuses. */
  setDeadline(p: Process, runtimeNs: number, periodNs: number, deadlineNs: number): number {
    this.k.runOnChanged("deadline");
    const r = new EdfReservation(runtimeNs, periodNs, deadlineNs);
    const old = p.sched.edf?.utilisation ?? 0;
    const part = p.sched.partition;
    if (!admits(this.edfLoad, old, r.utilisation, this.edfCapacity)) return -Errno.EOVERLOAD;
    if (!admits(part.edfLoad, old, r.utilisation, part.ownShare / 1000)) return -Errno.EOVERLOAD;
    if (p.sched.edf) this.leaveDeadlineClass(p);
    const now = this.k.clock.now(); // charges work done so far, before the first job starts
    r.startJob(now);
    const queued = p.queued;
    this.ready.remove(p);
    this.writeKeptCounter();
    p.sched.edf = r;
    this.edfLoad += r.utilisation;
    part.edfLoad += r.utilisation;
    this.armRelease(p, r);
    if (queued) this.ready.enqueue(p);
    this.k.trace.enabled && this.k.trace.record(now, p.pid, "deadline-class", `${runtimeNs}/${periodNs}/${deadlineNs}`);
    if (p === this.running) this.refill(p); // the open slice is now bounded by the job's runtime
    this.recheck();
    return 0;
  }

  private armRelease(p: Process, r: EdfReservation): void {
    r.timer = this.k.addTimer(r.release + r.periodNs, () => this.released(p, r), p);
  }

  /** A job release: count a miss for the unfinished job, start the next, wake or unthrottle p. */
  private released(p: Process, r: EdfReservation): void {
    const k = this.k;
    if (p.sched.edf !== r || p.state === ProcessState.EXITED) return;
    const release = r.release + r.periodNs;
    r.missIfUnfinished();
    const wasThrottled = r.throttled;
    if (p === this.running) this.sync(); // charge the old job before its budget is refilled
    r.startJob(release);
    this.armRelease(p, r);
    k.trace.enabled && k.trace.record(k.clock.now(), p.pid, "release", String(r.absDeadline));
    if (p.sched.waitingForRelease) {
      const missed = r.missesUnreported;
      r.missesUnreported = 0;
      k.wake(p, missed);
    } else if (wasThrottled && p.state === ProcessState.READY && !p.queued) {
      this.ready.enqueue(p);
    } else if (p === this.running) {
      this.refill(p); // the new job's runtime (and deadline) apply to the open slice at once
    }
  }

  /** The caller ends its job and waits for the next release. Returns -EINVAL outside the deadline class, else 0 (it blocked). */
  waitPeriod(p: Process): number {
    const r = p.sched.edf;
    if (r === null) return -Errno.EINVAL;
    this.sync();
    r.checkMiss(this.k.clock.now());
    r.done = true;
    p.sched.waitingForRelease = true;
    this.k.blockCurrent(p, "sched_wait_period", () => {
      p.sched.waitingForRelease = false;
    });
    return 0;
  }

  /** Leave the deadline class: the reservation is released and p is queued by fixed priority. */
  private leaveDeadlineClass(p: Process): void {
    this.k.runOnChanged("leave-deadline");
    const r = p.sched.edf!;
    if (r.timer) this.k.cancelTimer(r.timer);
    this.edfLoad -= r.utilisation;
    p.sched.partition.edfLoad -= r.utilisation;
    const requeue = p.queued || (r.throttled && p.state === ProcessState.READY);
    this.ready.remove(p);
    p.sched.edf = null;
    p.sched.deadlineMisses += r.misses;
    p.sched.throttles += r.throttles;
    if (p.sched.waitingForRelease) this.k.wake(p, -Errno.EINVAL);
    else if (requeue && p.state !== ProcessState.EXITED) this.ready.enqueue(p);
  }

  /** Lower p's CPU limit. Ends p at once (CPU_LIMIT) if it has used that much already; returns whether it did. */
  setCpuLimit(p: Process, limitNs: number): boolean {
    p.sched.cpuLimitNs = limitNs;
    if (this.cpuTime(p) >= limitNs) {
      this.killForCpu(p);
      return true;
    }
    if (p === this.running) this.refill(p);
    return false;
  }

  // ---- partitions ------------------------------------------------------------

  /**
   * A new partition with `share` permille carved from `parent`'s own
   * guarantee. Returns it, or -ECEILING (not that much left) or -EOVERLOAD
   * (the parent's deadline reservations would no longer fit).
   */
  createPartition(parent: Partition, share: number): Partition | number {
    this.k.runOnChanged("partition");
    if (share > parent.ownShare) return -Errno.ECEILING;
    if (parent.edfLoad * 1000 > parent.ownShare - share + 1e-6) return -Errno.EOVERLOAD;
    this.writeKeptCounter();
    if (billingMutation !== "late") this.settleBilling(); // from now on budgets are weighed, the system's too
    this.partitions++;
    return new Partition(this.k.objects, parent, share, this.windowNs, () => this.partitions--);
  }

  /** Move p into `part`. Returns 0, or -EOVERLOAD if part cannot cover p's deadline reservation. */
  movePartition(p: Process, part: Partition): number {
    this.k.runOnChanged("join");
    const old = p.sched.partition;
    if (old === part) return 0;
    const u = p.sched.edf?.utilisation ?? 0;
    if (u > 0 && !admits(part.edfLoad, 0, u, part.ownShare / 1000)) return -Errno.EOVERLOAD;
    if (p === this.running) this.sync();
    old.edfLoad -= u;
    part.edfLoad += u;
    this.join(p, part);
    old.members--;
    old.releaseKernel();
    if (p === this.running) this.refill(p); // the slice is bounded by the new partition's budget
    this.recheck();
    return 0;
  }

  private join(p: Process, part: Partition): void {
    part.retainKernel();
    part.members++;
    p.sched.partition = part;
  }

  /**
   * Bill a server's CPU to its client's partition while it works for it
   * (null: to its own again). The IPC layer calls this when a server takes
   * a client's message and when it replies.
   */
  billTo(server: Process, client: Process | null): void {
    if (server === this.running) this.sync();
    server.sched.billedTo = client === server ? null : client;
    if (server === this.running) this.refill(server);
  }
}
