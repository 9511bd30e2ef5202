// Synchronous IPC: endpoint_create, send, sendmsg, receive, reply, replymsg,
// reply_error, pulse, and the message registers (msg_word, msg_info,
// msg_handle). Each adapter decodes and checks everything first, then calls
// the exchange (kernel/ipc/exchange.ts).

import { Constants, Errno, Limits, Rights } from "../../abi/gen/abi.ts";
import { writeMsgInfo } from "../../abi/gen/abi.ts";
import { deadlineToTime } from "../clock.ts";
import type { BLOCK } from "../control.ts";
import type { KernelCore } from "../core.ts";
import {
  answer,
  answerGone,
  answerWithBody,
  answerWithHandles,
  ENDPOINT_RIGHTS,
  newEndpoint,
  postPulse,
  served,
  startReceive,
  startSend,
} from "../ipc/exchange.ts";
import { cachedEndpoint, fastPulse } from "../ipc/fastpath.ts";
import { takeOpenFlat } from "../ns/flat-open.ts";
import { Message } from "../ipc/message.ts";
import { checkHandles, readDesc, takeHandles } from "../ipc/transfer.ts";
import { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { pulseAdmittedN } from "../rules/pulses.ts";

export function sysEndpointCreate(k: KernelCore, p: Process): number {
  if (p.handles.full) return -Errno.EMFILE;
  return p.handles.insert(newEndpoint(k), ENDPOINT_RIGHTS);
}

export function sysSend(
  k: KernelCore,
  p: Process,
  endpoint: number,
  w0: bigint,
  w1: bigint,
  w2: bigint,
  w3: bigint,
  deadline: bigint,
): number | typeof BLOCK {
  const ep = p.handles.get(endpoint, Endpoint, Rights.SEND);
  if (typeof ep === "number") return ep;
  const m = new Message({
    rcvid: 0, // numbered by startSend
    sender: p,
    endpoint: ep,
    words: [w0, w1, w2, w3],
    bodyPtr: 0,
    bodyLen: 0,
    caps: [],
    replyPtr: -1,
    replyCap: 0,
    seq: 0,
  });
  return startSend(k, p, ep, m, deadlineToTime(deadline));
}

export function sysSendmsg(k: KernelCore, p: Process, endpoint: number, descPtr: number, deadline: bigint): number | typeof BLOCK {
  const ep = p.handles.get(endpoint, Endpoint, Rights.SEND);
  if (typeof ep === "number") return ep;
  const mem = p.memory!;
  const d = readDesc(mem, descPtr, true);
  if (typeof d === "number") return d;
  const handles = checkHandles(p, mem, d);
  if (typeof handles === "number") return handles;
  // Every refusal before taking the handles: a failed call consumes nothing.
  if (ep.closed) return -Errno.ECLOSED;
  if (deadlineToTime(deadline) <= k.clock.now()) return -Errno.ETIMEDOUT;
  const m = new Message({
    rcvid: 0, // numbered by startSend
    sender: p,
    endpoint: ep,
    words: d.words,
    bodyPtr: d.sendPtr,
    bodyLen: d.sendLen,
    caps: takeHandles(p, handles, d.move),
    replyPtr: d.replyPtr,
    replyCap: d.replyCap,
    seq: 0,
  });
  return startSend(k, p, ep, m, deadlineToTime(deadline));
}

export function sysReceive(
  k: KernelCore,
  p: Process,
  endpoint: number,
  bufPtr: number,
  bufLen: number,
  deadline: bigint,
): number | typeof BLOCK {
  const obj = cachedEndpoint(k, p, p.receiveEndpoint, endpoint, Rights.RECEIVE);
  if (typeof obj === "number") return obj;
  if (bufLen < 0) return -Errno.EINVAL;
  if (!p.memory!.inBounds(bufPtr, bufLen)) return -Errno.EFAULT;
  const taken = takeOpenFlat(k, p, obj, bufPtr, bufLen); // an open queued: kernel/ns/flat-open.ts
  if (taken !== 0) return taken;
  return startReceive(k, p, obj, bufPtr, bufLen, deadlineToTime(deadline));
}

export function sysReply(
  k: KernelCore,
  p: Process,
  rcvid: number,
  status: number,
  w0: bigint,
  w1: bigint,
  bufPtr: number,
  bufLen: number,
): number {
  const m = served(p, rcvid);
  if (typeof m === "number") return m;
  if (bufLen < 0) return -Errno.EINVAL;
  if (bufLen > Limits.MAX_MSG_BYTES) return -Errno.E2BIG;
  if (!p.memory!.inBounds(bufPtr, bufLen)) return -Errno.EFAULT;
  return answerWithBody(k, p, m, status, [w0, w1], bufPtr, bufLen);
}

export function sysReplymsg(k: KernelCore, p: Process, rcvid: number, status: number, descPtr: number): number {
  const m = served(p, rcvid);
  if (typeof m === "number") return m;
  const mem = p.memory!;
  const d = readDesc(mem, descPtr, false);
  if (typeof d === "number") return d;
  const handles = checkHandles(p, mem, d);
  if (typeof handles === "number") return handles;
  if (m.clientGone) return answerGone(k, p, m, status, d.words);
  return answerWithHandles(k, p, m, status, d.words, d.sendPtr, d.sendLen, takeHandles(p, handles, d.move));
}

export function sysReplyError(k: KernelCore, p: Process, rcvid: number, errno: number): number {
  const m = served(p, rcvid);
  if (typeof m === "number") return m;
  if (errno <= 0) return -Errno.EINVAL;
  return answer(k, p, m, -errno, [], 0, []);
}

export function sysPulse(k: KernelCore, p: Process, endpoint: number, code: number, value: bigint): number {
  const obj = cachedEndpoint(k, p, p.sendEndpoint, endpoint, Rights.SEND);
  if (typeof obj === "number") return obj;
  const ep = obj;
  if (ep.closed) return -Errno.ECLOSED;
  if (fastPulse(k, p.pid, ep, code, value, p.basePriority)) return 0; // a receiver waiting: kernel/ipc/fastpath.ts
  if (!pulseAdmittedN(ep.pendingPulses.get(p.pid) ?? 0)) return -Errno.EAGAIN;
  postPulse(k, ep, p.pid, p.priority, code, value, p.basePriority);
  return 0;
}

// ---- message registers --------------------------------------------------------------

export function sysMsgWord(_k: KernelCore, p: Process, index: number): bigint {
  if (index < 0 || index >= Limits.MAX_MSG_WORDS) return BigInt(-Errno.EINVAL);
  return p.mr.word(index);
}

export function sysMsgWordGet(_k: KernelCore, p: Process, index: number, wordPtr: number): number {
  if (index < 0 || index >= Limits.MAX_MSG_WORDS) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(wordPtr, 8)) return -Errno.EFAULT;
  mem.setI64(wordPtr >>> 0, p.mr.word(index));
  return 0;
}

export function sysMsgInfo(_k: KernelCore, p: Process, ptr: number): number {
  const mem = p.memory!;
  if (!mem.inBounds(ptr, Constants.MSG_INFO_SIZE)) return -Errno.EFAULT;
  const mr = p.mr;
  writeMsgInfo(mem, ptr >>> 0, {
    kind: mr.kind,
    senderPid: mr.senderPid,
    bodyLen: mr.bodyLen,
    handles: mr.handles.length,
    status: mr.status,
    rcvid: mr.rcvid,
  });
  return Constants.MSG_INFO_SIZE;
}

export function sysMsgHandle(_k: KernelCore, p: Process, index: number): number {
  if (index < 0 || index >= p.mr.handles.length) return -Errno.EINVAL;
  return p.mr.handles[index];
}
