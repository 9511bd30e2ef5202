// proc_next: walking the process table through a KINFO capability (what a
// /proc server is given). Decodes and checks everything, then writes.

import { Constants, Errno, Rights, writeProcRecord } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { nextProcess, procRecord } from "../objects/kinfo.ts";
import type { Process } from "../objects/process.ts";
import { KInfo } from "../objects/kinfo.ts";

export function sysProcNext(k: KernelCore, p: Process, kinfo: number, after: number, ptr: number, len: number): number {
  const obj = p.handles.get(kinfo, KInfo, Rights.READ);
  if (typeof obj === "number") return obj;
  const size = Constants.PROC_RECORD_SIZE;
  if (after < 0 || len < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, size)) return -Errno.EFAULT;
  const t = nextProcess(k, after);
  if (t === null) return 0;
  writeProcRecord(mem, ptr >>> 0, procRecord(k, t));
  return t.pid;
}
