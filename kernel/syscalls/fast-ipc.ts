// The IPC fast path's calls (docs/fastpath.md): ipc_buffer, call,
// reply_wait and pulse_wait. Words travel as i32 in the caller's IPC buffer, so a round trip
// is one crossing into the kernel on each side with no 64-bit arguments (no
// BigInt at the boundary) and no msg_word or separate reply. The exchange
// itself is kernel/ipc/exchange.ts's, unchanged: a message sent by call is an
// ordinary message (receive and msg_word see its words, sign-extended), and an
// answer given by reply reaches a caller of call like any other (the message
// registers mirror it into the IPC buffer).

import { Errno, Limits, Rights } from "../../abi/gen/abi.ts";
import { BLOCK } from "../control.ts";
import type { KernelCore } from "../core.ts";
import { answeredNarrow, postPulse, served, startReceive, startSend } from "../ipc/exchange.ts";
import { cachedEndpoint, fastCall, fastPulse, fastPulseWait, fastReplyWait } from "../ipc/fastpath.ts";
import { Message } from "../ipc/message.ts";
import { takeOpenFlat } from "../ns/flat-open.ts";
import { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { pulseAdmittedN } from "../rules/pulses.ts";

const WORDS = Limits.MAX_MSG_WORDS;

export function sysIpcBuffer(_k: KernelCore, p: Process, ptr: number): number {
  if ((ptr & 3) !== 0) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, 4 * WORDS)) return -Errno.EFAULT;
  p.mr.buffer = { memory: mem, ptr: ptr >>> 0 };
  return 0;
}

/** reply_wait's answer words, read from the server's buffer (used at once: one per kernel would do, one per module is as good). */
const answerWords = new Int32Array(WORDS);

export function sysCall(k: KernelCore, p: Process, endpoint: number, words: number): number | typeof BLOCK {
  const ep = cachedEndpoint(k, p, p.sendEndpoint, endpoint, Rights.SEND);
  if (typeof ep === "number") return ep;
  const b = p.mr.buffer;
  if (words < 0 || words > WORDS || b === null) return -Errno.EINVAL;
  // The process's call message, reused once its last exchange is over (a client gone while its server still
  // holds the message leaves it in use: then a new one).
  let m = p.callMessage;
  // rcvid and seq are given by startSend once the message is sent.
  if (m !== null && m.done) m.rearm(ep as Endpoint, 0, 0);
  else p.callMessage = m = Message.forCall(p, ep as Endpoint, 0, 0);
  b.memory.readI32x4(b.ptr, words, m.narrow!);
  if (fastCall(k, p, ep as Endpoint, m)) return BLOCK; // a server waiting: kernel/ipc/fastpath.ts
  const r = startSend(k, p, ep as Endpoint, m, Infinity);
  if (r !== BLOCK) m.done = true; // refused (ECLOSED): never sent, free for the next call
  return r;
}

export function sysReplyWait(
  k: KernelCore,
  p: Process,
  endpoint: number,
  rcvid: number,
  status: number,
  words: number,
): number | typeof BLOCK {
  const obj = cachedEndpoint(k, p, p.receiveEndpoint, endpoint, Rights.RECEIVE);
  if (typeof obj === "number") return obj;
  if (words < 0 || words > WORDS || p.mr.buffer === null) return -Errno.EINVAL;
  return replyThenWait(k, p, obj, rcvid, status, words, 0, 0);
}

/**
 * io_reply_wait: reply_wait with a body buffer for the next message (a resource manager's loop: the
 * answer to one request and the wait for the next, whose body is a path or a write's bytes, in one
 * crossing with no 64-bit argument). Checked as reply_wait is, then the buffer as receive checks it,
 * all before the answer is given.
 */
export function sysIoReplyWait(
  k: KernelCore,
  p: Process,
  endpoint: number,
  rcvid: number,
  status: number,
  words: number,
  bufPtr: number,
  bufLen: number,
): number | typeof BLOCK {
  const obj = cachedEndpoint(k, p, p.receiveEndpoint, endpoint, Rights.RECEIVE);
  if (typeof obj === "number") return obj;
  if (words < 0 || words > WORDS || p.mr.buffer === null || bufLen < 0) return -Errno.EINVAL;
  if (!p.memory!.inBounds(bufPtr, bufLen)) return -Errno.EFAULT;
  return replyThenWait(k, p, obj, rcvid, status, words, bufPtr, bufLen);
}

/**
 * reply_wait's and io_reply_wait's answer and wait, once the endpoint, the words and the buffer (bufPtr,
 * bufLen; 0, 0: none) are checked: the rcvid and a queued message's handles checked, then the answer,
 * then the wait (an open queued is taken flat, as receive takes it).
 */
function replyThenWait(
  k: KernelCore,
  p: Process,
  ep: Endpoint,
  rcvid: number,
  status: number,
  words: number,
  bufPtr: number,
  bufLen: number,
): number | typeof BLOCK {
  const m = rcvid === 0 ? null : served(p, rcvid);
  if (typeof m === "number") return m;
  // A queued message whose handles cannot land would fail the receive after the answer: refuse first.
  const head = ep.queue.length > 0 ? ep.queue[0] : undefined;
  if (head !== undefined && head.kind === "message" && head.caps.length > p.handles.room()) return -Errno.EMFILE;
  // The client (unless gone: not an error here) wakes as p starts waiting, so p can hand it the CPU directly.
  let result: number | null = null;
  if (m !== null) {
    const b = p.mr.buffer!;
    b.memory.readI32x4(b.ptr, words, answerWords);
    if (fastReplyWait(k, p, ep, m, status, answerWords, bufPtr, bufLen)) return BLOCK; // the common case: kernel/ipc/fastpath.ts
    result = answeredNarrow(k, p, m, status, answerWords);
  }
  if (head !== undefined) {
    // Something queued: the wait returns at once. An open is taken flat, as receive takes it (the client
    // answered is woken first, as startReceive wakes it when something is queued).
    if (result !== null) k.wake(m!.sender, result);
    const taken = takeOpenFlat(k, p, ep, bufPtr, bufLen);
    if (taken !== 0) return taken;
    return startReceive(k, p, ep, bufPtr, bufLen, Infinity);
  }
  return startReceive(k, p, ep, bufPtr, bufLen, Infinity, result === null ? null : m!.sender, result ?? 0);
}

/**
 * pulse_wait: pulse (code, value) on endpoint as sysPulse does, then wait on waitEndpoint as
 * sysReplyWait does with rcvid 0. Every refusal comes before the pulse (a failed call neither pulses
 * nor waits): both handles, the IPC buffer, the pulse's own refusals (ECLOSED, EAGAIN) and the queued
 * message whose handles could not land. The common case (the pulse's one receiver waits, the caller
 * waits) is one flat step that hands the CPU to the receiver (fastPulseWait); otherwise pulse's steps,
 * then receive's.
 */
export function sysPulseWait(
  k: KernelCore,
  p: Process,
  endpoint: number,
  code: number,
  value: number,
  waitEndpoint: number,
): number | typeof BLOCK {
  const ep = cachedEndpoint(k, p, p.sendEndpoint, endpoint, Rights.SEND);
  if (typeof ep === "number") return ep;
  const wep = cachedEndpoint(k, p, p.receiveEndpoint, waitEndpoint, Rights.RECEIVE);
  if (typeof wep === "number") return wep;
  if (p.mr.buffer === null) return -Errno.EINVAL;
  if (ep.closed) return -Errno.ECLOSED;
  if (ep.pendingPulses.size !== 0 && !pulseAdmittedN(ep.pendingPulses.get(p.pid) ?? 0)) return -Errno.EAGAIN; // none pending: admitted
  const head = wep.queue.length > 0 ? wep.queue[0] : undefined;
  if (head !== undefined && head.kind === "message" && head.caps.length > p.handles.room()) return -Errno.EMFILE;
  if (fastPulseWait(k, p, ep, code, value, wep)) return BLOCK; // the common case: kernel/ipc/fastpath.ts
  const v = BigInt(value);
  if (!fastPulse(k, p.pid, ep, code, v, p.basePriority)) postPulse(k, ep, p.pid, p.priority, code, v, p.basePriority);
  return startReceive(k, p, wep, 0, 0, Infinity);
}
