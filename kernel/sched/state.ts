// Per-process scheduling state, owned by the kernel's CPU scheduler
// (kernel/sched/cpu.ts). The run queue key itself (Process.priority, the
// effective priority) and the life-cycle state stay on Process.

import { Constants } from "../../abi/gen/abi.ts";
import type { Process } from "../objects/process.ts";
import type { EdfReservation } from "./edf.ts";
import type { Partition } from "../objects/partition.ts";

export class SchedState {
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
  /** Fuel left of the current round-robin quantum. */
  quantumLeft = 0;
  /** Total CPU ns after which the process is ended with CPU_LIMIT. */
  cpuLimitNs = Infinity;
  /** Set while the process is in the deadline class. */
  edf: EdfReservation | null = null;
  /** Queued in the deadline class's queue rather than by fixed priority. */
  inEdfQueue = false;
  /** What its fuel counter holds while it is off the CPU, if the kernel knows (else -1): see CpuScheduler.refill. */
  fuelHeld = -1;
  /** When it last became ready (for the tier's dispatch deadline). */
  readySince = 0;
  /** Dispatches later than its tier's deadline after becoming ready. */
  latencyMisses = 0;
  /** Slices cut short because another process had to run. */
  preemptions = 0;
  /** Deadline misses and throttled jobs of reservations it no longer has (sched_info adds the current one's). */
  deadlineMisses = 0;
  throttles = 0;

  constructor(partition: Partition, ceiling: number) {
    this.partition = partition;
    this.ceiling = ceiling;
  }
}
