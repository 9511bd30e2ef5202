// Synchronous IPC: endpoint_create, send, sendmsg, receive, reply, replymsg,
// reply_error, pulse, and the message registers (msg_word, msg_info,
// msg_handle). Each call decodes and checks everything first, then acts.
// State moves follow kernel/ipc/states.ts.

import { Constants, Errno, Limits, ObjectType, ProcessState, Rights } from "../../abi/gen/abi.ts";
import type { Cap } from "../handles.ts";
import { Message, type Pulse } from "../ipc/message.ts";
import { associate, dissociate, updatePriority, updateServers } from "../ipc/priority.ts";
import { checkTransition } from "../ipc/states.ts";
import { checkHandles, copyBody, dropHandles, landHandles, readDesc, takeHandles } from "../ipc/transfer.ts";
import type { Kernel } from "../kernel.ts";
import { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { NUMBERS } from "../rules/algebra.ts";
import { pulseAdmittedN, pulseQueued, pulseTaken } from "../rules/pulses.ts";
import { BLOCK } from "./control.ts";
import { deadlineToTime } from "./time.ts";

/** Rights endpoint_create gives. */
export const ENDPOINT_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.SEND | Rights.RECEIVE;
const { MSG_KIND_MESSAGE, MSG_KIND_PULSE, MSG_KIND_REPLY } = Constants;

/** A new endpoint, wired to wake its senders when its receive side closes. */
export function newEndpoint(k: Kernel): Endpoint {
  const ep = new Endpoint(k.objects);
  ep.onClosed = (e) => endpointClosed(k, e);
  return ep;
}

export function sysEndpointCreate(k: Kernel, p: Process): number {
  if (p.handles.full) return -Errno.EMFILE;
  return p.handles.insert(newEndpoint(k), ENDPOINT_RIGHTS);
}

/** The last receive capability went: every queued sender gets ECLOSED, pulses are dropped. */
function endpointClosed(k: Kernel, ep: Endpoint): void {
  const queued = ep.queue.splice(0);
  ep.pendingPulses.clear();
  for (const q of queued) {
    if (q.kind === "message") {
      checkTransition(ProcessState.SEND_BLOCKED, "peer-gone", ProcessState.READY);
      k.wake(q.sender, -Errno.ECLOSED);
    }
  }
}

// ---- delivery -----------------------------------------------------------------

/** Hand message m to server (into its buffer and registers). Returns the rcvid, or -EMFILE (nothing changed). */
function deliverMessage(k: Kernel, server: Process, m: Message, bufPtr: number, bufLen: number): number {
  const handles = landHandles(server, m.caps);
  if (typeof handles === "number") return handles;
  m.caps = [];
  copyBody(k, m.sender, m.bodyPtr, server, bufPtr, Math.min(bufLen, m.bodyLen));
  server.mr.set(MSG_KIND_MESSAGE, m.sender.pid, m.words, m.bodyLen, handles, 0, m.rcvid);
  m.server = server;
  server.serving.set(m.rcvid, m);
  associate(server, m.endpoint);
  rebill(k, server);
  if (m.sender.state === ProcessState.SEND_BLOCKED) {
    checkTransition(ProcessState.SEND_BLOCKED, "deliver", ProcessState.REPLY_BLOCKED);
    k.setBlockedState(m.sender, ProcessState.REPLY_BLOCKED);
  }
  updatePriority(k, server);
  return m.rcvid;
}

function deliverPulse(server: Process, ep: Endpoint, pulse: Pulse): number {
  server.mr.set(MSG_KIND_PULSE, pulse.senderPid, [BigInt(pulse.code), pulse.value], 0, [], 0, 0);
  const n = pulseTaken(NUMBERS, ep.pendingPulses.get(pulse.senderPid) ?? 0);
  if (n === 0) ep.pendingPulses.delete(pulse.senderPid);
  else ep.pendingPulses.set(pulse.senderPid, n);
  return 0;
}

/** The exchange of m is over (answered, or its server ended): the server stops holding it. */
function finish(k: Kernel, m: Message): void {
  const server = m.server!;
  server.serving.delete(m.rcvid);
  m.done = true;
  if (server.exit === null) rebill(k, server);
}

/**
 * Bill a server's CPU to the client whose message it took last and still
 * holds (adaptive partitioning: work done for a client counts against the
 * client's partition), or to its own partition when it holds none.
 */
function rebill(k: Kernel, server: Process): void {
  let client: Process | null = null;
  for (const m of server.serving.values()) if (!m.clientGone) client = m.sender;
  if (client !== null && client.sched.partition === server.sched.partition) client = null; // same account either way
  if (client !== server.sched.billedTo) k.billTo(server, client);
}

// ---- send -------------------------------------------------------------------------

function startSend(k: Kernel, p: Process, ep: Endpoint, m: Message, deadline: bigint): number | typeof BLOCK {
  if (ep.closed) {
    dropHandles(m.caps);
    return -Errno.ECLOSED;
  }
  const until = deadlineToTime(deadline);
  if (until <= k.clock.now()) {
    dropHandles(m.caps);
    return -Errno.ETIMEDOUT;
  }
  p.sending = m;
  k.ipc.messages++;
  let state: number = ProcessState.SEND_BLOCKED;
  const server = ep.receivers.shift();
  if (server !== undefined) {
    // The receiver wakes either with the message or, if its handles do not fit, with EMFILE (the message then queues).
    const r = deliverMessage(k, server, m, server.receiving!.bufPtr, server.receiving!.bufLen);
    checkTransition(ProcessState.RECEIVE_BLOCKED, "pulse", ProcessState.READY);
    k.wake(server, r);
    if (r > 0) {
      checkTransition(ProcessState.RUNNING, "send", ProcessState.REPLY_BLOCKED);
      state = ProcessState.REPLY_BLOCKED;
    }
  }
  if (state === ProcessState.SEND_BLOCKED) {
    checkTransition(ProcessState.RUNNING, "send", ProcessState.SEND_BLOCKED);
    ep.enqueue(m);
    updateServers(k, ep);
  }
  if (until !== Infinity) {
    m.timer = k.addTimer(until, () => {
      checkTransition(p.state, "timeout", ProcessState.READY);
      k.wake(p, -Errno.ETIMEDOUT);
    });
  }
  k.blockCurrent(p, "send", () => sendEnded(k, p, m), state);
  return BLOCK;
}

/** The client's send is over, however (reply, timeout, peer gone, killed): undo what is left. */
function sendEnded(k: Kernel, p: Process, m: Message): void {
  if (m.timer) k.cancelTimer(m.timer);
  p.sending = null;
  if (m.done) return;
  if (m.server === null) {
    const i = m.endpoint.queue.indexOf(m);
    if (i >= 0) m.endpoint.queue.splice(i, 1);
    dropHandles(m.caps);
    m.caps = [];
    m.done = true;
    updateServers(k, m.endpoint);
  } else {
    m.clientGone = true;
    updatePriority(k, m.server);
    if (m.server.exit === null) rebill(k, m.server);
  }
}

export function sysSend(
  k: Kernel,
  p: Process,
  endpoint: number,
  w0: bigint,
  w1: bigint,
  w2: bigint,
  w3: bigint,
  deadline: bigint,
): number | typeof BLOCK {
  const ep = p.handles.get(endpoint, ObjectType.ENDPOINT, Rights.SEND);
  if (typeof ep === "number") return ep;
  const m = new Message({
    rcvid: k.nextRcvid(),
    sender: p,
    endpoint: ep as Endpoint,
    words: [w0, w1, w2, w3],
    bodyPtr: 0,
    bodyLen: 0,
    caps: [],
    replyPtr: -1,
    replyCap: 0,
    seq: k.nextSeq(),
  });
  return startSend(k, p, ep as Endpoint, m, deadline);
}

export function sysSendmsg(k: Kernel, p: Process, endpoint: number, descPtr: number, deadline: bigint): number | typeof BLOCK {
  const ep = p.handles.get(endpoint, ObjectType.ENDPOINT, Rights.SEND);
  if (typeof ep === "number") return ep;
  const mem = p.memory!;
  const d = readDesc(mem, descPtr, true);
  if (typeof d === "number") return d;
  const handles = checkHandles(p, mem, d);
  if (typeof handles === "number") return handles;
  if ((ep as Endpoint).closed) return -Errno.ECLOSED; // before taking handles: nothing is consumed
  const m = new Message({
    rcvid: k.nextRcvid(),
    sender: p,
    endpoint: ep as Endpoint,
    words: d.words,
    bodyPtr: d.sendPtr,
    bodyLen: d.sendLen,
    caps: takeHandles(p, handles, d.move),
    replyPtr: d.replyPtr,
    replyCap: d.replyCap,
    seq: k.nextSeq(),
  });
  return startSend(k, p, ep as Endpoint, m, deadline);
}

// ---- receive -------------------------------------------------------------------------

export function sysReceive(
  k: Kernel,
  p: Process,
  endpoint: number,
  bufPtr: number,
  bufLen: number,
  deadline: bigint,
): number | typeof BLOCK {
  const obj = p.handles.get(endpoint, ObjectType.ENDPOINT, Rights.RECEIVE);
  if (typeof obj === "number") return obj;
  const ep = obj as Endpoint;
  if (bufLen < 0) return -Errno.EINVAL;
  if (!p.memory!.inBounds(bufPtr, bufLen)) return -Errno.EFAULT;
  associate(p, ep);
  const head = ep.queue[0];
  if (head !== undefined) {
    checkTransition(ProcessState.RUNNING, "receive", ProcessState.RUNNING);
    if (head.kind === "pulse") {
      ep.queue.shift();
      return deliverPulse(p, ep, head);
    }
    const r = deliverMessage(k, p, head, bufPtr, bufLen);
    if (r < 0) return r;
    ep.queue.shift();
    updateServers(k, ep);
    return r;
  }
  const until = deadlineToTime(deadline);
  if (until <= k.clock.now()) return -Errno.ETIMEDOUT;
  checkTransition(ProcessState.RUNNING, "receive", ProcessState.RECEIVE_BLOCKED);
  p.receiving = { endpoint: ep, bufPtr, bufLen };
  ep.receivers.push(p);
  const timer =
    until === Infinity
      ? null
      : k.addTimer(until, () => {
          checkTransition(ProcessState.RECEIVE_BLOCKED, "timeout", ProcessState.READY);
          k.wake(p, -Errno.ETIMEDOUT);
        });
  k.blockCurrent(
    p,
    "receive",
    () => {
      if (timer) k.cancelTimer(timer);
      const i = ep.receivers.indexOf(p);
      if (i >= 0) ep.receivers.splice(i, 1);
      p.receiving = null;
    },
    ProcessState.RECEIVE_BLOCKED,
  );
  return BLOCK;
}

// ---- reply -------------------------------------------------------------------------

/** The unanswered message rcvid of p, or -EINVAL. */
function served(p: Process, rcvid: number): Message | number {
  return p.serving.get(rcvid) ?? -Errno.EINVAL;
}

/** Answer m: registers and wake-up of the client, priority back down. Returns 0 or -EGONE. */
function answer(k: Kernel, p: Process, m: Message, status: number, words: readonly bigint[], bodyLen: number, handles: number[]): number {
  finish(k, m);
  updatePriority(k, p);
  if (m.clientGone) return -Errno.EGONE;
  m.sender.mr.set(MSG_KIND_REPLY, p.pid, words, bodyLen, handles, status, 0);
  k.ipc.replies++;
  checkTransition(ProcessState.REPLY_BLOCKED, "reply", ProcessState.READY);
  k.wake(m.sender, status);
  return 0;
}

export function sysReply(
  k: Kernel,
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
  if (!m.clientGone && m.replyPtr >= 0) copyBody(k, p, bufPtr, m.sender, m.replyPtr, Math.min(bufLen, m.replyCap));
  return answer(k, p, m, status, [w0, w1], bufLen, []);
}

export function sysReplymsg(k: Kernel, p: Process, rcvid: number, status: number, descPtr: number): number {
  const m = served(p, rcvid);
  if (typeof m === "number") return m;
  const mem = p.memory!;
  const d = readDesc(mem, descPtr, false);
  if (typeof d === "number") return d;
  const handles = checkHandles(p, mem, d);
  if (typeof handles === "number") return handles;
  if (m.clientGone) {
    finish(k, m);
    updatePriority(k, p);
    return -Errno.EGONE;
  }
  const caps: Cap[] = takeHandles(p, handles, d.move);
  const landed = landHandles(m.sender, caps);
  if (typeof landed === "number") {
    dropHandles(caps);
    answer(k, p, m, -Errno.EMFILE, [], 0, []);
    return -Errno.EMFILE;
  }
  if (m.replyPtr >= 0) copyBody(k, p, d.sendPtr, m.sender, m.replyPtr, Math.min(d.sendLen, m.replyCap));
  return answer(k, p, m, status, d.words, d.sendLen, landed);
}

export function sysReplyError(k: Kernel, p: Process, rcvid: number, errno: number): number {
  const m = served(p, rcvid);
  if (typeof m === "number") return m;
  if (errno <= 0) return -Errno.EINVAL;
  return answer(k, p, m, -errno, [], 0, []);
}

// ---- pulses ---------------------------------------------------------------------------

export function sysPulse(k: Kernel, p: Process, endpoint: number, code: number, value: bigint): number {
  const obj = p.handles.get(endpoint, ObjectType.ENDPOINT, Rights.SEND);
  if (typeof obj === "number") return obj;
  const ep = obj as Endpoint;
  if (ep.closed) return -Errno.ECLOSED;
  if (!pulseAdmittedN(ep.pendingPulses.get(p.pid) ?? 0)) return -Errno.EAGAIN;
  postPulse(k, ep, p.pid, p.priority, code, value);
  return 0;
}

/**
 * Queue a pulse from senderPid (a process, or 0 for the kernel: device
 * interrupts, kernel/syscalls/devices.ts) on ep, or hand it to a waiting
 * receiver. The caller checked that ep is open and the sender is under
 * MAX_PENDING_PULSES there.
 */
export function postPulse(k: Kernel, ep: Endpoint, senderPid: number, priority: number, code: number, value: bigint): void {
  ep.pendingPulses.set(senderPid, pulseQueued(NUMBERS, ep.pendingPulses.get(senderPid) ?? 0));
  k.ipc.pulses++;
  const pulse: Pulse = { kind: "pulse", senderPid, priority, code, value, seq: k.nextSeq() };
  const server = ep.receivers.shift();
  if (server !== undefined) {
    deliverPulse(server, ep, pulse);
    checkTransition(ProcessState.RECEIVE_BLOCKED, "pulse", ProcessState.READY);
    k.wake(server, 0);
  } else ep.enqueue(pulse);
}

// ---- message registers --------------------------------------------------------------

export function sysMsgWord(_k: Kernel, p: Process, index: number): bigint {
  if (index < 0 || index >= Limits.MAX_MSG_WORDS) return BigInt(-Errno.EINVAL);
  return p.mr.words[index];
}

export function sysMsgInfo(_k: Kernel, p: Process, ptr: number): number {
  const mem = p.memory!;
  if (!mem.inBounds(ptr, Constants.MSG_INFO_SIZE)) return -Errno.EFAULT;
  const at = ptr >>> 0;
  mem.setU32(at, p.mr.kind);
  mem.setU32(at + 4, p.mr.senderPid);
  mem.setU32(at + 8, p.mr.bodyLen);
  mem.setU32(at + 12, p.mr.handles.length);
  mem.setI32(at + 16, p.mr.status);
  mem.setI32(at + 20, p.mr.rcvid);
  return Constants.MSG_INFO_SIZE;
}

export function sysMsgHandle(_k: Kernel, p: Process, index: number): number {
  if (index < 0 || index >= p.mr.handles.length) return -Errno.EINVAL;
  return p.mr.handles[index];
}

// ---- process exit -------------------------------------------------------------------

/** p has ended: clients whose messages it held get ECLOSED. (Its own send/receive was undone by unblock.) */
export function ipcProcessExited(k: Kernel, p: Process): void {
  dissociate(p);
  for (const m of [...p.serving.values()]) {
    finish(k, m);
    if (!m.clientGone) {
      checkTransition(ProcessState.REPLY_BLOCKED, "peer-gone", ProcessState.READY);
      k.wake(m.sender, -Errno.ECLOSED);
    }
  }
}
