// exit, spawn, wait, kill, process_info: process life cycle syscalls.
// Each decodes and checks everything first and only then changes state, so a
// failed call leaves nothing half done.

import { Constants, Errno, ExitReason, Limits, ProcessState, Rights } from "../../abi/gen/abi.ts";
import { readSpawnHandleEntry, writeExitInfo, writeProcessInfo } from "../../abi/gen/abi.ts";
import type { KernelCore, StartupHandle } from "../core.ts";
import { ImageObject } from "../objects/image.ts";
import { type ExitWaiter, Process, removeWaiter } from "../objects/process.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";
import { BLOCK, NORETURN } from "../control.ts";
import { deadlineToTime } from "../clock.ts";
import { WORDS } from "../rules/algebra.ts";
import { hasRightsN, transferNeed } from "../rules/rights.ts";

/** Rights a spawner gets on its child's process handle. */
export const CHILD_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.WAIT | Rights.KILL | Rights.INSPECT | Rights.SCHEDULE;

export function sysExit(k: KernelCore, p: Process, status: number): typeof NORETURN {
  k.terminate(p, status, ExitReason.NORMAL, "");
  return NORETURN;
}

/** Split NUL-terminated arguments; null when malformed (non-empty and not NUL-terminated). */
function splitArgs(bytes: Uint8Array): Uint8Array[] | null {
  if (bytes.length === 0) return [];
  if (bytes[bytes.length - 1] !== 0) return null;
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      out.push(bytes.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/** A spawn with no startup handles: nothing to read, nothing allocated. */
const NO_STARTUP_HANDLES: readonly StartupHandle[] = Object.freeze([]);

/** spawn's `count` handle entries at ptr (in bounds), decoded and checked: the handles to pass, or -errno. */
function readStartupHandles(p: Process, mem: GuestMemory, ptr: number, count: number): readonly StartupHandle[] | number {
  const entrySize = Constants.SPAWN_HANDLE_ENTRY_SIZE;
  const passed: StartupHandle[] = [];
  const seen = new Set<string>();
  const moved = new Set<number>();
  const copied = new Set<number>();
  for (let i = 0; i < count; i++) {
    const entry = readSpawnHandleEntry(mem, (ptr >>> 0) + i * entrySize);
    const h = entry.handle | 0;
    const nameLen = entry.nameLen | 0;
    if (entry.flags & ~Constants.SPAWN_MOVE_HANDLE) return -Errno.EINVAL;
    const move = (entry.flags & Constants.SPAWN_MOVE_HANDLE) !== 0;
    const cap = p.handles.cap(h);
    if (typeof cap === "number") return cap;
    // The same rule as a message's handles: a copy needs DUPLICATE, a move TRANSFER alone.
    if (!hasRightsN(cap.rights, transferNeed(WORDS, move))) return -Errno.EACCES;
    const name = mem.readName(entry.namePtr, nameLen);
    if (typeof name === "number") return name;
    if (seen.has(name)) return -Errno.EINVAL;
    seen.add(name);
    // A moved handle leaves the table: it cannot also be copied or moved a second time.
    if (moved.has(h) || (move && copied.has(h))) return -Errno.EINVAL;
    (move ? moved : copied).add(h);
    passed.push({
      name,
      object: cap.object,
      rights: cap.rights,
      parent: cap,
      moveFrom: move ? { table: p.handles, handle: h } : undefined,
    });
  }
  return passed;
}

export function sysSpawn(
  k: KernelCore,
  p: Process,
  image: number,
  argsPtr: number,
  argsLen: number,
  handlesPtr: number,
  handlesCount: number,
): number {
  const mem = p.memory!;
  // Decode.
  const img = p.handles.get(image, ImageObject, Rights.SPAWN);
  if (typeof img === "number") return img;
  if (argsLen < 0 || handlesCount < 0) return -Errno.EINVAL;
  if (argsLen > Limits.MAX_ARGS_BYTES || handlesCount > Limits.MAX_SPAWN_HANDLES) return -Errno.E2BIG;
  const argBytes = mem.slice(argsPtr, argsLen);
  if (argBytes === null) return -Errno.EFAULT;
  const args = splitArgs(argBytes);
  if (args === null) return -Errno.EINVAL;
  if (args.length > Limits.MAX_ARGS) return -Errno.E2BIG;
  const entrySize = Constants.SPAWN_HANDLE_ENTRY_SIZE;
  if (!mem.inBounds(handlesPtr, handlesCount * entrySize)) return -Errno.EFAULT;
  const passed = handlesCount === 0 ? NO_STARTUP_HANDLES : readStartupHandles(p, mem, handlesPtr, handlesCount);
  if (typeof passed === "number") return passed;
  if (p.handles.full) return -Errno.EMFILE;
  // Invoke.
  const child = k.spawn({
    image: img,
    args,
    env: p.env,
    parentPid: p.pid,
    priority: p.basePriority,
    promises: p.promises,
    stdout: p.stdout,
    handles: passed,
  });
  if (typeof child === "number") return child;
  return p.handles.insert(child, CHILD_RIGHTS);
}

export function sysWait(k: KernelCore, p: Process, handle: number, infoPtr: number, deadline: bigint): number | typeof BLOCK {
  const obj = p.handles.get(handle, Process, Rights.WAIT);
  if (typeof obj === "number") return obj;
  const child = obj;
  const mem = p.memory!;
  if (!mem.inBounds(infoPtr, Constants.EXIT_INFO_SIZE)) return -Errno.EFAULT;
  if (child.exit !== null) {
    writeExitInfo(mem, infoPtr >>> 0, { status: child.exit.status, reason: child.exit.reason });
    return 0;
  }
  const until = deadlineToTime(deadline);
  // No deadline (the common wait): no clock reading, which would also bring the caller's CPU accounting up to
  // date a moment before its slice ends anyway (the same totals, one host or fuel-counter call less).
  if (until !== Infinity && until <= k.clock.now()) return -Errno.ETIMEDOUT;
  const waiter: ExitWaiter = { process: p, infoPtr };
  if (child.waiters === null) child.waiters = [waiter];
  else child.waiters.push(waiter);
  const timer = until === Infinity ? null : k.addTimer(until, () => k.wake(p, -Errno.ETIMEDOUT), p);
  k.blockCurrent(p, "wait", () => {
    removeWaiter(child, waiter);
    if (timer) k.cancelTimer(timer);
  });
  return BLOCK;
}

export function sysKill(k: KernelCore, p: Process, handle: number, status: number): number | typeof NORETURN {
  const obj = p.handles.get(handle, Process, Rights.KILL);
  if (typeof obj === "number") return obj;
  const target = obj;
  if (target.exit !== null) return -Errno.ESRCH;
  k.terminate(target, status, ExitReason.KILLED, `killed by pid ${p.pid}`);
  return target === p ? NORETURN : 0;
}

export function sysProcessInfo(k: KernelCore, p: Process, handle: number, ptr: number, len: number): number {
  const target = p.processOrSelf(handle, Rights.INSPECT);
  if (typeof target === "number") return target;
  const size = Constants.PROCESS_INFO_SIZE;
  if (len < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, size)) return -Errno.EFAULT;
  writeProcessInfo(mem, ptr >>> 0, {
    pid: target.pid,
    parentPid: target.parentPid,
    state: target.state,
    priority: target.priority,
    exitStatus: target.exit?.status ?? 0,
    exitReason: target.exit?.reason ?? 0,
    cpuTimeNs: BigInt(Math.floor(k.sched.cpuTime(target))),
    memoryPages: target.state === ProcessState.EXITED || !target.memory ? 0 : target.memory.size >>> 16,
    handleCount: target.handles.count,
  });
  return size;
}
