// Memory objects, windows, futexes, memory statistics and budgets. Each
// handler decodes and checks everything first and only then acts; object
// logic lives in kernel/objects/{memory,window}.ts and kernel/mm/.

import { Constants, Errno, Limits, Rights } from "../../abi/gen/abi.ts";
import { writeMemoryStats, writeWindowInfo } from "../../abi/gen/abi.ts";
import { type Cap, holdCap } from "../handles.ts";
import type { KernelCore } from "../core.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";
import { futexWait, futexWake } from "../mm/futex.ts";
import { MemoryObject } from "../objects/memory.ts";
import { Process } from "../objects/process.ts";
import { WindowObject } from "../objects/window-object.ts";
import { BLOCK } from "../control.ts";
import { deadlineToTime } from "../clock.ts";
import { MEMORY_RIGHTS, memoryStats } from "../mm/stats.ts";

/** Rights on a new memory object's handle. */
const RW = Rights.READ | Rights.WRITE;

export function sysMemoryCreate(k: KernelCore, p: Process, size: number): number {
  if (size <= 0 || size > Limits.MAX_MEMORY_OBJECT_BYTES) return -Errno.EINVAL;
  if (p.handles.full) return -Errno.EMFILE;
  const obj = k.mm.createObject(p, size);
  if (typeof obj === "number") return obj;
  return p.handles.insert(obj, MEMORY_RIGHTS);
}

export function sysMemorySize(_k: KernelCore, p: Process, handle: number): number {
  const obj = p.handles.get(handle, MemoryObject, 0);
  if (typeof obj === "number") return obj;
  const mem = obj;
  return mem.revoked ? -Errno.EREVOKED : mem.size;
}

export function sysMemoryMap(
  k: KernelCore,
  p: Process,
  handle: number,
  offset: number,
  count: number,
  stride: number,
  elemSize: number,
): number {
  const obj = p.handles.get(handle, MemoryObject, Rights.MAP);
  if (typeof obj === "number") return obj;
  const mem = obj;
  if (offset < 0 || count <= 0 || stride < elemSize) return -Errno.EINVAL;
  if (elemSize !== 1 && elemSize !== 2 && elemSize !== 4 && elemSize !== 8) return -Errno.EINVAL;
  if (mem.revoked) return -Errno.EREVOKED;
  if (offset + (count - 1) * stride + elemSize > mem.size) return -Errno.ERANGE;
  if (p.handles.full) return -Errno.EMFILE;
  const cap = p.handles.cap(handle) as Cap;
  const w = new WindowObject(k.objects, holdCap(cap.derive(cap.rights & RW)), offset, count, stride, elemSize);
  return p.handles.insert(w, Rights.DUPLICATE | Rights.TRANSFER | (cap.rights & RW));
}

/** The window behind handle with `need`, live; or a negative errno. */
function windowOf(p: Process, handle: number, need: number): WindowObject | number {
  const obj = p.handles.get(handle, WindowObject, need);
  if (typeof obj === "number") return obj;
  return obj;
}

/** Check a bulk range and the caller's buffer; the byte count, or a negative errno. */
function bulkCheck(w: WindowObject, first: number, count: number, mem: GuestMemory, ptr: number): number {
  if (first < 0 || count < 0) return -Errno.EINVAL;
  if (w.revoked) return -Errno.EREVOKED;
  if (first + count > w.count) return -Errno.ERANGE;
  const bytes = count * w.elemSize;
  if (!mem.inBounds(ptr, bytes)) return -Errno.EFAULT;
  return bytes;
}

/** Copy elements first..first+count of w to or from `packed` (count * elemSize bytes). */
function transfer(w: WindowObject, first: number, count: number, packed: Uint8Array, toWindow: boolean): void {
  const obj = w.memory.bytes.slice(0, w.memory.size)!;
  const es = w.elemSize;
  const stride = w.stride;
  let at = w.at(first);
  if (stride === es) {
    if (toWindow) obj.set(packed, at);
    else packed.set(obj.subarray(at, at + count * es));
    return;
  }
  let d = 0;
  for (let i = 0; i < count; i++, at += stride) {
    for (let b = 0; b < es; b++, d++) {
      if (toWindow) obj[at + b] = packed[d];
      else packed[d] = obj[at + b];
    }
  }
}

function countCopy(k: KernelCore, p: Process, bytes: number): void {
  k.copied.windowBytes += bytes;
  p.bytesCopied += bytes;
}

export function sysWindowRead(k: KernelCore, p: Process, handle: number, first: number, count: number, bufPtr: number): number {
  const w = windowOf(p, handle, Rights.READ);
  if (typeof w === "number") return w;
  const mem = p.memory!;
  const bytes = bulkCheck(w, first, count, mem, bufPtr);
  if (bytes < 0) return bytes;
  if (bytes > 0) {
    transfer(w, first, count, mem.slice(bufPtr, bytes)!, false);
    countCopy(k, p, bytes);
  }
  return count;
}

export function sysWindowWrite(k: KernelCore, p: Process, handle: number, first: number, count: number, bufPtr: number): number {
  const w = windowOf(p, handle, Rights.WRITE);
  if (typeof w === "number") return w;
  const mem = p.memory!;
  const bytes = bulkCheck(w, first, count, mem, bufPtr);
  if (bytes < 0) return bytes;
  if (bytes > 0) {
    transfer(w, first, count, mem.slice(bufPtr, bytes)!, true);
    countCopy(k, p, bytes);
  }
  return count;
}

const E_INVAL = BigInt(-Errno.EINVAL);
const E_REVOKED = BigInt(-Errno.EREVOKED);
const E_RANGE = BigInt(-Errno.ERANGE);

export function sysWindowGet(_k: KernelCore, p: Process, handle: number, index: number): bigint {
  const w = windowOf(p, handle, Rights.READ);
  if (typeof w === "number") return BigInt(w);
  if (w.elemSize === 8) return E_INVAL;
  if (w.revoked) return E_REVOKED;
  if (index < 0 || index >= w.count) return E_RANGE;
  const at = w.at(index);
  const b = w.memory.bytes;
  return BigInt(w.elemSize === 2 ? b.u16(at) : w.elemSize === 1 ? b.u8(at) : b.u32(at));
}

/**
 * window_get's n elements in one call (the PCM VU meter's scan: a third of the calls), packed element index
 * lowest, checked as window_get checks one (the same order: the handle, the element size, revocation, the
 * range). At most 7 bytes, so a result is never negative and no value can be taken for an -errno.
 */
export function sysWindowGetPacked(_k: KernelCore, p: Process, handle: number, index: number, n: number): bigint {
  const w = windowOf(p, handle, Rights.READ);
  if (typeof w === "number") return BigInt(w);
  const size = w.elemSize;
  if (n < 1 || n * size > 7) return E_INVAL;
  if (w.revoked) return E_REVOKED;
  if (index < 0 || index > w.count - n) return E_RANGE;
  const b = w.memory.bytes;
  let r = 0n;
  for (let k = n - 1; k >= 0; k--) {
    const at = w.at(index + k);
    r = (r << BigInt(size * 8)) | BigInt(size === 2 ? b.u16(at) : size === 1 ? b.u8(at) : b.u32(at));
  }
  return r;
}

export function sysWindowSet(_k: KernelCore, p: Process, handle: number, index: number, value: bigint): number {
  const w = windowOf(p, handle, Rights.WRITE);
  if (typeof w === "number") return w;
  if (w.revoked) return -Errno.EREVOKED;
  if (index < 0 || index >= w.count) return -Errno.ERANGE;
  const at = w.at(index);
  const b = w.memory.bytes;
  switch (w.elemSize) {
    case 1:
      b.setU8(at, Number(value & 0xffn));
      break;
    case 2:
      b.setU16(at, Number(value & 0xffffn));
      break;
    case 4:
      b.setU32(at, Number(value & 0xffffffffn));
      break;
    default:
      b.setU64(at, BigInt.asUintN(64, value));
      break;
  }
  return 0;
}

export function sysWindowInfo(_k: KernelCore, p: Process, handle: number, bufPtr: number, bufLen: number): number {
  const w = windowOf(p, handle, 0);
  if (typeof w === "number") return w;
  const size = Constants.WINDOW_INFO_SIZE;
  if (bufLen < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(bufPtr, size)) return -Errno.EFAULT;
  if (w.revoked) return -Errno.EREVOKED;
  writeWindowInfo(mem, bufPtr >>> 0, { offset: w.offset, count: w.count, stride: w.stride, elemSize: w.elemSize });
  return size;
}

/** The memory object and cap behind a futex call, with the word checked; or a negative errno. */
function futexWord(p: Process, handle: number, need: number, offset: number): MemoryObject | number {
  const obj = p.handles.get(handle, MemoryObject, need);
  if (typeof obj === "number") return obj;
  const mem = obj;
  if (offset < 0 || (offset & 3) !== 0) return -Errno.EINVAL;
  if (mem.revoked) return -Errno.EREVOKED;
  if (offset + 4 > mem.size) return -Errno.ERANGE;
  return mem;
}

export function sysFutexWait(
  k: KernelCore,
  p: Process,
  handle: number,
  offset: number,
  expected: number,
  deadline: bigint,
): number | typeof BLOCK {
  const mem = futexWord(p, handle, Rights.READ, offset);
  if (typeof mem === "number") return mem;
  return futexWait(k, p, mem, p.handles.cap(handle) as Cap, offset, expected, deadlineToTime(deadline));
}

export function sysFutexWake(k: KernelCore, p: Process, handle: number, offset: number, count: number): number {
  const mem = futexWord(p, handle, Rights.WRITE, offset);
  if (typeof mem === "number") return mem;
  if (count <= 0) return -Errno.EINVAL;
  return futexWake(k, mem, offset, count);
}

export function sysMemoryStats(k: KernelCore, p: Process, handle: number, bufPtr: number, bufLen: number): number {
  const t = p.processOrSelf(handle, Rights.INSPECT);
  if (typeof t === "number") return t;
  const size = Constants.MEMORY_STATS_SIZE;
  if (bufLen < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(bufPtr, size)) return -Errno.EFAULT;
  const s = memoryStats(k, t);
  writeMemoryStats(mem, bufPtr >>> 0, {
    budgetPages: Math.min(s.budgetPages, 0xffffffff),
    usedPages: s.usedPages,
    ownPages: s.ownPages,
    objectPages: s.objectPages,
    objects: s.objects,
    grants: s.grants,
    bytesCopied: BigInt(s.bytesCopied),
    systemPages: s.system.pages,
    systemObjectPages: s.system.objectPages,
    systemObjects: s.system.objects,
    systemPageLimit: Math.min(s.system.pageLimit, 0xffffffff),
    systemIpcBytes: BigInt(s.system.ipcBytes),
    systemWindowBytes: BigInt(s.system.windowBytes),
  });
  return size;
}

export function sysMemorySetBudget(k: KernelCore, p: Process, handle: number, pages: number): number {
  if (pages <= 0) return -Errno.EINVAL;
  const t = p.processOrSelf(handle, Rights.SCHEDULE);
  if (typeof t === "number") return t;
  if (t.exited) return -Errno.ESRCH;
  if (pages > t.mm.budgetPages) return -Errno.ECEILING;
  if (pages < k.mm.usedPages(t)) return -Errno.EINVAL;
  k.mm.setBudget(t, pages);
  return 0;
}
