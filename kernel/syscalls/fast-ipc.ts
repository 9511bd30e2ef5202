// The IPC fast path's calls (docs/fastpath.md): ipc_buffer, call and
// reply_wait. Words travel as i32 in the caller's IPC buffer, so a round trip
// is one crossing into the kernel on each side with no 64-bit arguments (no
// BigInt at the boundary) and no msg_word or separate reply. The exchange
// itself is kernel/ipc/exchange.ts's, unchanged: a message sent by call is an
// ordinary message (receive and msg_word see its words, sign-extended), and an
// answer given by reply reaches a caller of call like any other (the message
// registers mirror it into the IPC buffer).

import { Constants, Errno, Limits, Rights } from "../../abi/gen/abi.ts";
import type { BLOCK } from "../control.ts";
import type { KernelCore } from "../core.ts";
import { answered, served, startReceive, startSend } from "../ipc/exchange.ts";
import { Message } from "../ipc/message.ts";
import { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";

const NO_CAPS: never[] = [];
const WORDS = Limits.MAX_MSG_WORDS;

export function sysIpcBuffer(_k: KernelCore, p: Process, ptr: number): number {
  if ((ptr & 3) !== 0) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, 4 * WORDS)) return -Errno.EFAULT;
  p.mr.buffer = { memory: mem, ptr: ptr >>> 0 };
  return 0;
}

/** Words 0..n-1 of p's IPC buffer as message words (the rest 0). */
function bufferWords(p: Process, n: number): bigint[] {
  const b = p.mr.buffer!;
  const out = [0n, 0n, 0n, 0n];
  for (let i = 0; i < n; i++) out[i] = BigInt(b.memory.i32(b.ptr + 4 * i));
  return out;
}

export function sysCall(k: KernelCore, p: Process, endpoint: number, words: number): number | typeof BLOCK {
  const ep = p.handles.get(endpoint, Endpoint, Rights.SEND);
  if (typeof ep === "number") return ep;
  if (words < 0 || words > WORDS || p.mr.buffer === null) return -Errno.EINVAL;
  const m = new Message({
    rcvid: k.nextRcvid(),
    sender: p,
    endpoint: ep as Endpoint,
    words: bufferWords(p, words),
    bodyPtr: 0,
    bodyLen: 0,
    caps: NO_CAPS,
    replyPtr: -1,
    replyCap: 0,
    seq: k.nextSeq(),
  });
  return startSend(k, p, ep as Endpoint, m, Constants.DEADLINE_INFINITE);
}

export function sysReplyWait(
  k: KernelCore,
  p: Process,
  endpoint: number,
  rcvid: number,
  status: number,
  words: number,
): number | typeof BLOCK {
  const obj = p.handles.get(endpoint, Endpoint, Rights.RECEIVE);
  if (typeof obj === "number") return obj;
  const ep = obj;
  if (words < 0 || words > WORDS || p.mr.buffer === null) return -Errno.EINVAL;
  const m = rcvid === 0 ? null : served(p, rcvid);
  if (typeof m === "number") return m;
  // A queued message whose handles cannot land would fail the receive after the answer: refuse first.
  const head = ep.queue[0];
  if (head !== undefined && head.kind === "message" && head.caps.length > p.handles.room()) return -Errno.EMFILE;
  // The client (unless gone: not an error here) wakes as p starts waiting, so p can hand it the CPU directly.
  const result = m !== null ? answered(k, p, m, status, bufferWords(p, words), 0, []) : null;
  return startReceive(k, p, ep, 0, 0, Constants.DEADLINE_INFINITE, result === null ? null : m!.sender, result ?? 0);
}
