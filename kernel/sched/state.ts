// Per-process scheduling state, owned by the kernel's CPU scheduler
// (kernel/sched/cpu.ts). The run queue key itself (Process.priority, the
// effective priority) and the life-cycle state stay on Process.
//
// The words the switch touches (quantum left, ready-since, fuel held, latency
// misses, and Process.cpuTimeNs) are the process's record in the kernel memory
// (kernel/fast/kernel-memory.ts): SchedState is that record, and those fields
// are accessors over its words. The record lives from admission to exit
// (CpuScheduler.admit, exited); after exit its last values stay readable.

import { Constants } from "../../abi/gen/abi.ts";
import type { Process } from "../objects/process.ts";
import type { EdfReservation } from "./edf.ts";
import type { Partition } from "../objects/partition.ts";
import { KIND_PROCESS, WordRecord } from "../fast/kernel-memory.ts";

export class SchedState extends WordRecord {
  /** SCHED_RR or SCHED_FIFO (within its fixed priority). */
  policy: number = Constants.SCHED_RR;
  /** Blocked in sched_wait_period: its next job release wakes it (kernel/sched/cpu.ts). */
  waitingForRelease = false;
  /** Highest priority this process may give itself or others; its children inherit it. */
  ceiling: number;
  /** The partition its CPU time is billed to (it holds a kernel reference on it). */
  partition: Partition;
  /** While a server works for a client: the client, whose partition is billed instead (Kernel.billTo). */
  billedTo: Process | null = null;
  /** Fuel left of the current round-robin quantum (the record's P_QUANTUM word). */
  get quantumLeft(): number {
    return this.f[2 /* P_QUANTUM */];
  }
  set quantumLeft(v: number) {
    this.f[2 /* P_QUANTUM */] = v;
  }
  /** Total CPU ns after which the process is ended with CPU_LIMIT. */
  cpuLimitNs = Infinity;
  /** Set while the process is in the deadline class. */
  edf: EdfReservation | null = null;
  /** Queued in the deadline class's queue rather than by fixed priority. */
  inEdfQueue = false;
  /** What its fuel counter holds while it is off the CPU, if the kernel knows (else -1): see CpuScheduler.refill. P_FUEL_HELD. */
  get fuelHeld(): number {
    return this.f[3 /* P_FUEL_HELD */];
  }
  set fuelHeld(v: number) {
    this.f[3 /* P_FUEL_HELD */] = v;
  }
  /** When it last became ready (for the tier's dispatch deadline). P_READY_SINCE. */
  get readySince(): number {
    return this.f[1 /* P_READY_SINCE */];
  }
  set readySince(v: number) {
    this.f[1 /* P_READY_SINCE */] = v;
  }
  /** Dispatches later than its tier's deadline after becoming ready (i32: P_LATENCY_MISSES). */
  get latencyMisses(): number {
    return this.w[8 /* P_LATENCY_MISSES */];
  }
  set latencyMisses(v: number) {
    this.w[8 /* P_LATENCY_MISSES */] = v;
  }
  /** Its index in its kernel's member table (CpuScheduler), which turns the kernel's `running` word back into it. */
  get member(): number {
    return this.w[9 /* P_MEMBER */];
  }
  /** Slices cut short because another process had to run. */
  preemptions = 0;
  /** Deadline misses and throttled jobs of reservations it no longer has (sched_info adds the current one's). */
  deadlineMisses = 0;
  throttles = 0;

  /** A new record in the kernel memory for process `pid`, member `member` of its kernel's table. */
  constructor(pid: number, member: number, partition: Partition, ceiling: number) {
    super(KIND_PROCESS, pid);
    this.w[9 /* P_MEMBER */] = member;
    this.f[3 /* P_FUEL_HELD */] = -1;
    this.partition = partition;
    this.ceiling = ceiling;
  }
}
