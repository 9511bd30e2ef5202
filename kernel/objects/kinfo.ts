// KInfo: the kernel's process table as a capability. Holding it with READ is
// what lets a process describe every other process (proc_next): a /proc
// server or a monitor gets one from the host, nothing else reaches the table.
// procRecord is the one description of a process, for proc_next and the host.

import { ObjectType, type ProcRecord, ProcessState } from "../../abi/gen/abi.ts";
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

const NAME_BYTES = 32;
const BLOCKED_BYTES = 16;
const ascii = new TextEncoder();

/** bytes cut or NUL-padded to n. */
function padded(bytes: Uint8Array, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < Math.min(n, bytes.length); i++) out[i] = bytes[i];
  return out;
}

/** What proc_next reports of a process (the ABI's proc_record), for the host too. */
export function procRecord(k: KernelCore, p: Process): ProcRecord {
  const exited = p.state === ProcessState.EXITED;
  const mem = exited ? null : memoryStats(k, p);
  return {
    pid: p.pid,
    parentPid: p.parentPid,
    state: p.state,
    priority: p.priority,
    exitStatus: p.exit?.status ?? 0,
    exitReason: p.exit?.reason ?? 0,
    cpuTimeNs: BigInt(Math.floor(k.sched.cpuTime(p))),
    memoryPages: mem ? mem.usedPages : 0,
    handleCount: p.handles.count,
    basePriority: p.basePriority,
    budgetPages: Number.isFinite(p.mm.budgetPages) ? p.mm.budgetPages : 0xffffffff,
    partition: p.sched.partition.koid,
    partitionShare: p.sched.partition.share,
    bytesCopied: BigInt(p.bytesCopied),
    name: padded(p.args[0] ?? new Uint8Array(), NAME_BYTES),
    blockedIn: padded(ascii.encode(p.blockedIn), BLOCKED_BYTES),
  };
}

/** The live or unreaped process with the lowest pid above `after`, or null. */
export function nextProcess(k: KernelCore, after: number): Process | null {
  // The table is a Map filled in pid order (pids only grow), so the first match is the lowest.
  for (const p of k.processes.values()) if (p.pid > after) return p;
  return null;
}
