// proc_next: walking the process table through a KINFO capability (what a
// /proc server is given). Decodes and checks everything, then writes.

import { Constants, Errno, Rights, writeProcRecord } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { nextProcess, procRecord } from "../objects/kinfo.ts";
import type { Process } from "../objects/process.ts";
import { KInfo } from "../objects/kinfo.ts";

/** Lengths of proc_record's two text fields (abi/wasmos.abi.json, structs). */
const NAME_BYTES = 32;
const BLOCKED_BYTES = 16;
const utf8 = new TextEncoder();

export function sysProcNext(k: KernelCore, p: Process, kinfo: number, after: number, ptr: number, len: number): number {
  const obj = p.handles.get(kinfo, KInfo, Rights.READ);
  if (typeof obj === "number") return obj;
  const size = Constants.PROC_RECORD_SIZE;
  if (after < 0 || len < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, size)) return -Errno.EFAULT;
  const t = nextProcess(k, after);
  if (t === null) return 0;
  const r = procRecord(k, t);
  writeProcRecord(mem, ptr >>> 0, {
    pid: r.pid,
    parentPid: r.parentPid,
    state: r.state,
    priority: r.priority,
    exitStatus: r.exitStatus,
    exitReason: r.exitReason,
    cpuTimeNs: BigInt(r.cpuNs),
    memoryPages: r.memoryPages,
    handleCount: r.handles,
    basePriority: r.basePriority,
    budgetPages: Number.isFinite(r.budgetPages) ? r.budgetPages : 0xffffffff,
    partition: r.partition,
    partitionShare: r.partitionShare,
    bytesCopied: BigInt(r.bytesCopied),
    name: Array.from(r.name.subarray(0, NAME_BYTES)),
    blockedIn: Array.from(utf8.encode(r.blockedIn).subarray(0, BLOCKED_BYTES)),
  });
  return t.pid;
}
