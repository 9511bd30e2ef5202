// proc_next: walking the process table through a KINFO capability (what a
// /proc server is given). Decodes and checks everything, then writes.

import { Constants, Errno, ObjectType, Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { nextProcess, procRecord } from "../objects/kinfo.ts";
import type { Process } from "../objects/process.ts";

const NAME_BYTES = 32;
const BLOCKED_BYTES = 16;
const ascii = new TextEncoder();

export function sysProcNext(k: KernelCore, p: Process, kinfo: number, after: number, ptr: number, len: number): number {
  const obj = p.handles.get(kinfo, ObjectType.KINFO, Rights.READ);
  if (typeof obj === "number") return obj;
  const size = Constants.PROC_RECORD_SIZE;
  if (after < 0 || len < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, size)) return -Errno.EFAULT;
  const t = nextProcess(k, after);
  if (t === null) return 0;
  const r = procRecord(k, t);
  const at = ptr >>> 0;
  mem.setU32(at, r.pid);
  mem.setU32(at + 4, r.parentPid);
  mem.setU32(at + 8, r.state);
  mem.setU32(at + 12, r.priority);
  mem.setI32(at + 16, r.exitStatus);
  mem.setU32(at + 20, r.exitReason);
  mem.setU64(at + 24, BigInt(r.cpuNs));
  mem.setU32(at + 32, r.memoryPages);
  mem.setU32(at + 36, r.handles);
  mem.setU32(at + 40, r.basePriority);
  mem.setU32(at + 44, Number.isFinite(r.budgetPages) ? r.budgetPages : 0xffffffff);
  mem.setU32(at + 48, r.partition);
  mem.setU32(at + 52, r.partitionShare);
  mem.setU64(at + 56, BigInt(r.bytesCopied));
  const name = new Uint8Array(NAME_BYTES);
  name.set(r.name.subarray(0, NAME_BYTES));
  mem.write(at + 64, name);
  const blocked = new Uint8Array(BLOCKED_BYTES);
  blocked.set(ascii.encode(r.blockedIn).subarray(0, BLOCKED_BYTES));
  mem.write(at + 96, blocked);
  return t.pid;
}
