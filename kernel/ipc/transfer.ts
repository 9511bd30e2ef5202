// Moving things between processes for IPC: message descriptors, handles in
// flight, and body copies (counted: the kernel reports every byte it copies).

import { Constants, Errno, Limits } from "../../abi/gen/abi.ts";
import { readMsgDesc } from "../../abi/gen/abi.ts";
import { type Cap, releaseInFlight } from "../handles.ts";
import type { KernelCore } from "../core.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";
import type { Process } from "../objects/process.ts";
import { WORDS } from "../rules/algebra.ts";
import { hasRightsN, transferNeed, transferredRights } from "../rules/rights.ts";

export interface MessageDesc {
  words: bigint[];
  sendPtr: number;
  sendLen: number;
  replyPtr: number;
  replyCap: number;
  handlesPtr: number;
  handlesCount: number;
  move: boolean;
}

/** Read and check a MSG_DESC_SIZE descriptor: the body and handle array in bounds. Changes nothing. */
export function readDesc(mem: GuestMemory, ptr: number, withReply: boolean): MessageDesc | number {
  if (!mem.inBounds(ptr, Constants.MSG_DESC_SIZE)) return -Errno.EFAULT;
  const raw = readMsgDesc(mem, ptr >>> 0);
  const d: MessageDesc = {
    words: [...raw.words],
    sendPtr: raw.sendPtr,
    sendLen: raw.sendLen,
    replyPtr: raw.replyPtr,
    replyCap: raw.replyCap,
    handlesPtr: raw.handlesPtr,
    handlesCount: raw.handlesCount,
    move: false,
  };
  const flags = raw.flags;
  if (flags & ~Constants.MSG_MOVE_HANDLES) return -Errno.EINVAL;
  d.move = (flags & Constants.MSG_MOVE_HANDLES) !== 0;
  if (d.sendLen > Limits.MAX_MSG_BYTES || d.handlesCount > Limits.MAX_MSG_HANDLES) return -Errno.E2BIG;
  if (!mem.inBounds(d.sendPtr, d.sendLen)) return -Errno.EFAULT;
  if (withReply && !mem.inBounds(d.replyPtr, d.replyCap)) return -Errno.EFAULT;
  if (!mem.inBounds(d.handlesPtr, d.handlesCount * 4)) return -Errno.EFAULT;
  return d;
}

/** Check the handles a descriptor passes (rights, duplicates). Returns their values, or an errno. Changes nothing. */
export function checkHandles(p: Process, mem: GuestMemory, d: MessageDesc): number[] | number {
  const out: number[] = [];
  const need = transferNeed(WORDS, d.move);
  for (let i = 0; i < d.handlesCount; i++) {
    const h = mem.u32(d.handlesPtr + i * 4) | 0;
    const cap = p.handles.cap(h);
    if (typeof cap === "number") return cap;
    if (!hasRightsN(cap.rights, need)) return -Errno.EACCES;
    if (out.includes(h)) return -Errno.EINVAL;
    out.push(h);
  }
  return out;
}

/** Put checked handles in flight: moved out of p's table, or derived copies. */
export function takeHandles(p: Process, handles: readonly number[], move: boolean): Cap[] {
  return handles.map((h) => {
    if (move) return p.handles.take(h) as Cap;
    const parent = p.handles.cap(h) as Cap;
    const child = parent.derive(transferredRights(WORDS, parent.rights, false));
    child.object.retainHandle();
    child.object.capOpened(child.rights);
    return child;
  });
}

/** Insert in-flight caps into p's table; all or nothing. Returns the handles, or -EMFILE (caps left in flight). */
export function landHandles(p: Process, caps: readonly Cap[]): number[] | number {
  if (caps.length === 0) return [];
  if (p.handles.room() < caps.filter((c) => !c.revoked).length) return -Errno.EMFILE;
  // A cap revoked while in flight has ended (HandleTable.revokeDescendants): the receiver gets 0 (HANDLE_INVALID) in its place.
  return caps.map((c) => (c.revoked ? 0 : p.handles.insertCap(c, true)));
}

export function dropHandles(caps: readonly Cap[]): void {
  for (const c of caps) releaseInFlight(c);
}

/** Copy len bytes from one process's memory to another's (both checked by the callers), and count them. */
export function copyBody(k: KernelCore, from: Process, fromPtr: number, to: Process, toPtr: number, len: number): void {
  if (len <= 0) return;
  const src = from.memory!.slice(fromPtr, len);
  if (src === null || !to.memory!.write(toPtr, src)) return;
  k.copied.ipcBytes += len;
  from.bytesCopied += len;
}

/** Copy a reply body from a server's memory into a buffer the kernel holds (Message.kernelReply), truncated to it, and count it. */
export function copyBodyOut(k: KernelCore, from: Process, fromPtr: number, into: Uint8Array, len: number): void {
  const n = Math.min(len, into.length);
  if (n <= 0) return;
  const src = from.memory!.slice(fromPtr, n);
  if (src === null) return;
  into.set(src);
  k.copied.ipcBytes += n;
  from.bytesCopied += n;
}

/** Deliver a body the kernel made (a namespace path) into a server's buffer (checked by the caller), truncated to bufLen, and count it. */
export function writeKernelBody(k: KernelCore, body: Uint8Array, to: Process, toPtr: number, bufLen: number): void {
  const len = Math.min(body.length, bufLen);
  if (len <= 0 || !to.memory!.write(toPtr, len === body.length ? body : body.subarray(0, len))) return;
  k.copied.ipcBytes += len;
}
