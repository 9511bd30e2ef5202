// KInfo: the kernel's process table as a capability. Holding it with READ is
// what lets a process describe every other process (proc_next): a /proc
// server or a monitor gets one from the host, nothing else reaches the table.
// procRecord is the one description of a process, for proc_next and the host.

import { ObjectType, ProcessState } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { memoryStats } from "../mm/stats.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { Process } from "./process.ts";

export class KInfo extends KernelObject {
  readonly type = ObjectType.KINFO;
  constructor(registry: ObjectRegistry) {
    super(registry, ObjectType.KINFO);
  }
}

/** What proc_next reports of a process (PROC_RECORD_SIZE bytes in guest memory). */
export interface ProcRecord {
  pid: number;
  parentPid: number;
  state: number;
  priority: number;
  basePriority: number;
  exitStatus: number;
  exitReason: number;
  cpuNs: number;
  memoryPages: number;
  /** Infinity: no budget of its own. */
  budgetPages: number;
  handles: number;
  partition: number;
  partitionShare: number;
  bytesCopied: number;
  /** argv[0] (UTF-8). */
  name: Uint8Array;
  /** The blocking syscall it waits in, or "". */
  blockedIn: string;
}

export function procRecord(k: KernelCore, p: Process): ProcRecord {
  const exited = p.state === ProcessState.EXITED;
  const mem = exited ? null : memoryStats(k, p);
  return {
    pid: p.pid,
    parentPid: p.parentPid,
    state: p.state,
    priority: p.priority,
    basePriority: p.basePriority,
    exitStatus: p.exit?.status ?? 0,
    exitReason: p.exit?.reason ?? 0,
    cpuNs: Math.floor(k.sched.cpuTime(p)),
    memoryPages: mem ? mem.usedPages : 0,
    budgetPages: p.mm.budgetPages,
    handles: p.handles.count,
    partition: p.sched.partition.koid,
    partitionShare: p.sched.partition.share,
    bytesCopied: p.bytesCopied,
    name: p.args[0] ?? new Uint8Array(),
    blockedIn: p.blockedIn,
  };
}

/** The live or unreaped process with the lowest pid above `after`, or null. */
export function nextProcess(k: KernelCore, after: number): Process | null {
  // The table is a Map filled in pid order (pids only grow), so the first match is the lowest.
  for (const p of k.processes.values()) if (p.pid > after) return p;
  return null;
}
