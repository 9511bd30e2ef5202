// The caller's own capability space: handle_get, handle_close, handle_dup,
// handle_revoke, handle_info, and pledge.

import { bumpEpoch } from "../fast/epoch.ts";
import { Constants, Errno } from "../../abi/gen/abi.ts";
import { writeHandleInfo } from "../../abi/gen/abi.ts";
import { HandleTable } from "../handles.ts";
import type { KernelCore } from "../core.ts";
import { WORDS } from "../rules/algebra.ts";
import { ALL_PROMISES, pledgeCheck, pledgeKept } from "../rules/pledge.ts";
import { dupCheck } from "../rules/rights.ts";
import type { Process } from "../objects/process.ts";

export function sysHandleGet(_k: KernelCore, p: Process, namePtr: number, nameLen: number): number {
  const name = p.memory!.readName(namePtr, nameLen);
  if (typeof name === "number") return name;
  const h = p.names.get(name);
  if (h === undefined || typeof p.handles.lookup(h) === "number") return -Errno.ENOENT;
  return h;
}

export function sysHandleClose(_k: KernelCore, p: Process, handle: number): number {
  return p.handles.close(handle);
}

export function sysHandleDup(_k: KernelCore, p: Process, handle: number, rights: number): number {
  const cap = p.handles.cap(handle);
  if (typeof cap === "number") return cap;
  const refused = dupCheck(WORDS, cap.rights, rights); // EACCES without DUPLICATE, EINVAL for a right not held
  if (refused !== 0) return -refused;
  if (p.handles.full) return -Errno.EMFILE;
  return p.handles.insertCap(cap.derive(rights));
}

export function sysHandleRevoke(_k: KernelCore, p: Process, handle: number): number {
  const cap = p.handles.cap(handle);
  if (typeof cap === "number") return cap;
  return HandleTable.revokeDescendants(cap);
}

export function sysHandleInfo(_k: KernelCore, p: Process, handle: number, ptr: number): number {
  const cap = p.handles.cap(handle);
  if (typeof cap === "number") return cap;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, Constants.HANDLE_INFO_SIZE)) return -Errno.EFAULT;
  writeHandleInfo(mem, ptr >>> 0, { objectType: cap.object.type, rights: cap.rights, objectId: cap.object.koid, depth: cap.depth });
  return Constants.HANDLE_INFO_SIZE;
}

export { ALL_PROMISES };

export function sysPledge(_k: KernelCore, p: Process, promises: number): number {
  const refused = pledgeCheck(WORDS, p.promises, promises);
  if (refused !== 0) return -refused;
  p.promises = pledgeKept(WORDS, p.promises, promises);
  bumpEpoch(); // a fast path must not answer a syscall class pledged away
  p.handles.mirror?.setPromises(p.promises); // nor the handle mirror's (kernel/fast/mirror.ts)
  return 0;
}
