// The IPC exchange: how a message goes from a client to a server and back,
// and how pulses are queued. The syscall adapters (kernel/syscalls/ipc.ts)
// decode and check the guest's arguments, then call in here; the kernel
// calls ipcProcessExited when a process ends. State moves follow
// kernel/ipc/states.ts.

import { Constants, Errno, ProcessState, Rights } from "../../abi/gen/abi.ts";
import { BLOCK } from "../control.ts";
import type { KernelCore } from "../core.ts";
import type { Cap } from "../handles.ts";
import { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { NUMBERS } from "../rules/algebra.ts";
import { pulseQueued, pulseTaken } from "../rules/pulses.ts";
import { type Message, NO_HANDLES, type Pulse } from "./message.ts";
import { associate, dissociate, pulsePriorityEnds, pulsePriorityTaken, updatePriority, updateServers } from "./priority.ts";
import { hintQueue } from "../fast/hints.ts";
import { checkTransition } from "./states.ts";
import { copyBody, copyBodyOut, dropHandles, landHandles, writeKernelBody } from "./transfer.ts";

/** Rights endpoint_create gives. */
export const ENDPOINT_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.SEND | Rights.RECEIVE;
const { MSG_KIND_MESSAGE, MSG_KIND_PULSE, MSG_KIND_REPLY } = Constants;
const NO_CAPS: Cap[] = [];

/** A new endpoint, wired to wake its senders when its receive side closes. */
export function newEndpoint(k: KernelCore): Endpoint {
  const ep = new Endpoint(k.objects);
  ep.onClosed = (e) => endpointClosed(k, e);
  return ep;
}

/** The last receive capability went: every queued sender gets ECLOSED, pulses are dropped. */
function endpointClosed(k: KernelCore, ep: Endpoint): void {
  const queued = ep.queue.splice(0);
  hintQueue(k.current, ep);
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
function deliverMessage(k: KernelCore, server: Process, m: Message, bufPtr: number, bufLen: number): number {
  if (m.narrow !== null) {
    // A call (words only), or an open (its words and the kernel's body: kernel/ns/flat-open.ts).
    if (m.kernelBody !== null) writeKernelBody(k, m.kernelBody, server, bufPtr, bufLen);
    server.mr.setNarrow(MSG_KIND_MESSAGE, m.sender.pid, m.narrow, 0, m.rcvid, m.bodyLen);
  } else {
    const handles = landHandles(server, m.caps);
    if (typeof handles === "number") return handles;
    m.caps = NO_CAPS;
    if (m.kernelBody !== null) writeKernelBody(k, m.kernelBody, server, bufPtr, bufLen);
    else copyBody(k, m.sender, m.bodyPtr, server, bufPtr, Math.min(bufLen, m.bodyLen));
    server.mr.set(MSG_KIND_MESSAGE, m.sender.pid, m.words, m.bodyLen, handles, 0, m.rcvid);
  }
  m.server = server;
  server.serving.add(m);
  associate(server, m.endpoint);
  rebill(k, server);
  if (m.sender.state === ProcessState.SEND_BLOCKED) {
    checkTransition(ProcessState.SEND_BLOCKED, "deliver", ProcessState.REPLY_BLOCKED);
    k.setBlockedState(m.sender, ProcessState.REPLY_BLOCKED);
  }
  updatePriority(k, server);
  return m.rcvid;
}

/** Hand a pulse to server (its registers; it runs at the pulse's priority from now: pulsePriorityTaken). Returns 0. */
function deliverPulse(k: KernelCore, server: Process, ep: Endpoint, pulse: Pulse): number {
  server.mr.set(MSG_KIND_PULSE, pulse.senderPid, [BigInt(pulse.code), pulse.value], 0, [], 0, 0);
  const n = pulseTaken(NUMBERS, ep.pendingPulses.get(pulse.senderPid) ?? 0);
  if (n === 0) ep.pendingPulses.delete(pulse.senderPid);
  else ep.pendingPulses.set(pulse.senderPid, n);
  pulsePriorityTaken(k, server, pulse.runAt);
  return 0;
}

/** The exchange of m is over (answered, or its server ended): the server stops holding it. */
function finish(k: KernelCore, m: Message): void {
  const server = m.server!;
  server.serving.delete(m);
  m.done = true;
  if (server.exit === null) rebill(k, server);
}

const waiting = (m: Message): boolean => !m.clientGone;

/**
 * Bill a server's CPU to the client whose message it took last and still
 * holds (adaptive partitioning: work done for a client counts against the
 * client's partition), or to its own partition when it holds none.
 */
function rebill(k: KernelCore, server: Process): void {
  // Without partitions every process bills the system partition: nothing to move unless a stale client is set.
  if (server.sched.billedTo === null && !k.sched.partitioned) return;
  let client: Process | null = server.serving.last(waiting)?.sender ?? null;
  if (client !== null && client.sched.partition === server.sched.partition) client = null; // same account either way
  if (client !== server.sched.billedTo) k.billTo(server, client);
}

// ---- send -------------------------------------------------------------------------

/** p sends m on ep (its handles, if any, already taken into m) and blocks until answered, timed out or the peer goes (until: kernel time, deadlineToTime). */
export function startSend(k: KernelCore, p: Process, ep: Endpoint, m: Message, until: number): number | typeof BLOCK {
  if (ep.closed) {
    dropHandles(m.caps);
    return -Errno.ECLOSED;
  }
  if (until !== Infinity && until <= k.clock.now()) {
    dropHandles(m.caps);
    return -Errno.ETIMEDOUT;
  }
  // Numbered only once it is sent: a refused send uses up no receive id.
  m.rcvid = k.nextRcvid();
  m.seq = k.nextSeq();
  p.sending = m;
  k.ipc.messages++;
  let state: number = ProcessState.SEND_BLOCKED;
  // The first receiver (pop when it is the only one: shift() left-trims the array, garbage per message).
  const server = ep.receivers.length === 1 ? ep.receivers.pop() : ep.receivers.shift();
  if (server !== undefined) {
    // The receiver wakes either with the message or, if its handles do not fit, with EMFILE (the message then queues).
    const r = deliverMessage(k, server, m, server.receiving!.bufPtr, server.receiving!.bufLen);
    checkTransition(ProcessState.RECEIVE_BLOCKED, "pulse", ProcessState.READY);
    if (r > 0 && until === Infinity) {
      // The common case: the server runs next, straight from here when nothing else should (direct handoff).
      checkTransition(ProcessState.RUNNING, "send", ProcessState.REPLY_BLOCKED);
      k.handoff(p, "send", sendUnblock(k, p), ProcessState.REPLY_BLOCKED, server, r);
      return BLOCK;
    }
    k.wake(server, r);
    if (r > 0) {
      checkTransition(ProcessState.RUNNING, "send", ProcessState.REPLY_BLOCKED);
      state = ProcessState.REPLY_BLOCKED;
    }
  }
  if (state === ProcessState.SEND_BLOCKED) {
    checkTransition(ProcessState.RUNNING, "send", ProcessState.SEND_BLOCKED);
    ep.enqueue(m);
    hintQueue(k.current, ep);
    updateServers(k, ep);
  }
  if (until !== Infinity) {
    m.timer = k.addTimer(
      until,
      () => {
        checkTransition(p.state, "timeout", ProcessState.READY);
        k.wake(p, -Errno.ETIMEDOUT);
      },
      p,
    );
  }
  k.blockCurrent(p, "send", sendUnblock(k, p), state);
  return BLOCK;
}

/**
 * p's unblock for a send: ends p.sending (made once per process: no closure per message). The closure is
 * made in a function of its own: a function that creates a closure allocates the context it captures on
 * every call, even when the `??=` makes none (48 bytes per call measured here).
 */
export function sendUnblock(k: KernelCore, p: Process): () => void {
  return p.ipcUnblock.send ?? makeSendUnblock(k, p);
}

function makeSendUnblock(k: KernelCore, p: Process): () => void {
  return (p.ipcUnblock.send = () => sendEnded(k, p, p.sending!));
}

/** p's unblock for a receive: leaves the receivers of p.receiving's endpoint, cancels its deadline (made once per process; see sendUnblock). */
export function receiveUnblock(k: KernelCore, p: Process): () => void {
  return p.ipcUnblock.receive ?? makeReceiveUnblock(k, p);
}

function makeReceiveUnblock(k: KernelCore, p: Process): () => void {
  return (p.ipcUnblock.receive = () => {
    const t = p.ipcUnblock.receiveTimer;
    if (t !== null) {
      k.cancelTimer(t);
      p.ipcUnblock.receiveTimer = null;
    }
    const receivers = p.receiving!.endpoint.receivers;
    const i = receivers.indexOf(p);
    if (i >= 0) receivers.splice(i, 1);
    p.receiving = null;
  });
}

/** The client's send is over, however (reply, timeout, peer gone, killed): undo what is left. */
function sendEnded(k: KernelCore, p: Process, m: Message): void {
  if (m.timer) k.cancelTimer(m.timer);
  p.sending = null;
  if (m.done) return;
  if (m.server === null) {
    const i = m.endpoint.queue.indexOf(m);
    if (i >= 0) {
      m.endpoint.queue.splice(i, 1);
      hintQueue(k.current, m.endpoint);
    }
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

// ---- receive -------------------------------------------------------------------------

/** Take the head of ep's queue: pop when it is the only entry (shift() left-trims the array: its next push allocates). */
function takeHead(ep: Endpoint): void {
  if (ep.queue.length === 1) ep.queue.pop();
  else ep.queue.shift();
}

/**
 * p receives on ep into its buffer (checked): the head of the queue now, or it
 * blocks until a sender, a pulse or the deadline. `waking` (reply_wait: the
 * client p just answered, with its result) is woken first; when p blocks, the
 * CPU goes straight to it if nothing else should run (direct handoff).
 */
export function startReceive(
  k: KernelCore,
  p: Process,
  ep: Endpoint,
  bufPtr: number,
  bufLen: number,
  until: number,
  waking: Process | null = null,
  wakeResult = 0,
): number | typeof BLOCK {
  if (waking !== null && (ep.queue.length > 0 || until !== Infinity)) {
    k.wake(waking, wakeResult);
    waking = null;
  }
  // p serves ep from now on (priority inheritance) only once the call succeeds
  // or blocks: a receive that fails (EMFILE, ETIMEDOUT) changes nothing.
  const head = ep.queue.length > 0 ? ep.queue[0] : undefined;
  if (head !== undefined) {
    checkTransition(ProcessState.RUNNING, "receive", ProcessState.RUNNING);
    if (head.kind === "pulse") {
      associate(p, ep);
      takeHead(ep);
      hintQueue(k.current, ep);
      return deliverPulse(k, p, ep, head);
    }
    // p takes a message: a pulse's priority no longer holds (deliverMessage recomputes p's priority; on
    // EMFILE it has changed nothing, and neither has this).
    const pulsePriority = p.pulsePriority;
    p.pulsePriority = -1;
    const r = deliverMessage(k, p, head, bufPtr, bufLen); // associates p on success
    if (r < 0) {
      p.pulsePriority = pulsePriority;
      return r;
    }
    takeHead(ep);
    hintQueue(k.current, ep);
    updateServers(k, ep);
    return r;
  }
  if (until !== Infinity && until <= k.clock.now()) return -Errno.ETIMEDOUT;
  pulsePriorityEnds(k, p); // p waits: a pulse's priority no longer holds
  associate(p, ep);
  checkTransition(ProcessState.RUNNING, "receive", ProcessState.RECEIVE_BLOCKED);
  // One object per process, reused (a process waits in one receive at a time).
  const spec = (p.ipcUnblock.receiveSpec ??= { endpoint: ep, bufPtr, bufLen });
  spec.endpoint = ep;
  spec.bufPtr = bufPtr;
  spec.bufLen = bufLen;
  p.receiving = spec;
  ep.receivers.push(p);
  p.ipcUnblock.receiveTimer =
    until === Infinity
      ? null
      : k.addTimer(
          until,
          () => {
            checkTransition(ProcessState.RECEIVE_BLOCKED, "timeout", ProcessState.READY);
            k.wake(p, -Errno.ETIMEDOUT);
          },
          p,
        );
  const unblock = receiveUnblock(k, p);
  if (waking !== null) k.handoff(p, "receive", unblock, ProcessState.RECEIVE_BLOCKED, waking, wakeResult);
  else k.blockCurrent(p, "receive", unblock, ProcessState.RECEIVE_BLOCKED);
  return BLOCK;
}

// ---- reply -------------------------------------------------------------------------

/** The unanswered message rcvid of p, or -EINVAL. */
export function served(p: Process, rcvid: number): Message | number {
  return p.serving.get(rcvid) ?? -Errno.EINVAL;
}

/** Answer m: registers and wake-up of the client, priority back down. Returns 0 or -EGONE. */
export function answer(
  k: KernelCore,
  p: Process,
  m: Message,
  status: number,
  words: readonly bigint[],
  bodyLen: number,
  handles: number[],
): number {
  const r = answered(k, p, m, status, words, bodyLen, handles);
  if (r === null) return -Errno.EGONE;
  k.wake(m.sender, r);
  return 0;
}

/**
 * answer() but for the wake-up: the client's registers are set and it is
 * due to wake with the returned result (the caller wakes it); null when the
 * client is gone (the answer is dropped: EGONE).
 */
export function answered(
  k: KernelCore,
  p: Process,
  m: Message,
  status: number,
  words: readonly bigint[],
  bodyLen: number,
  handles: number[],
): number | null {
  finish(k, m);
  updatePriority(k, p);
  if (m.clientGone) {
    m.onAnswer?.(status, words, bodyLen, true);
    return null;
  }
  m.sender.mr.set(MSG_KIND_REPLY, p.pid, words, bodyLen, handles, status, 0);
  k.ipc.replies++;
  checkTransition(ProcessState.REPLY_BLOCKED, "reply", ProcessState.READY);
  return m.onAnswer === null ? status : m.onAnswer(status, words, bodyLen, false);
}

/**
 * answeredNarrow's words for a kernel hook, the same array for every answer: answered() copies words
 * into the client's registers (MessageRegisters.set) and every hook reads them during the call (an
 * open's OCB id, a read's register bytes), none keeps the array.
 */
const hookWords: bigint[] = [0n, 0n, 0n, 0n];
const wideWord = (v: number): bigint => (v === 0 ? 0n : BigInt(v));

/** answered() with i32 words (reply_wait's, all four: unused ones 0), no body, no handles: no BigInt unless a kernel hook reads them. */
export function answeredNarrow(k: KernelCore, p: Process, m: Message, status: number, words: Int32Array): number | null {
  // The four words made directly: Array.from(words, BigInt) cost ≈1 µs a call (an open answered by reply_wait, measured).
  // Into one array for every answer, and a 0 without a BigInt (an open's answer: its OCB id, then three 0s).
  if (m.onAnswer !== null) {
    const narrow = m.narrowAnswer;
    if (narrow !== null && !m.clientGone) {
      // answered()'s steps with the words as they came (an open's answer: its OCB id without a BigInt).
      finish(k, m);
      updatePriority(k, p);
      m.sender.mr.setNarrow(MSG_KIND_REPLY, p.pid, words, status, 0);
      k.ipc.replies++;
      checkTransition(ProcessState.REPLY_BLOCKED, "reply", ProcessState.READY);
      return narrow.answer(m, status, words[0]);
    }
    const w = hookWords;
    w[0] = wideWord(words[0]);
    w[1] = wideWord(words[1]);
    w[2] = wideWord(words[2]);
    w[3] = wideWord(words[3]);
    return answered(k, p, m, status, w, 0, NO_HANDLES);
  }
  finish(k, m);
  updatePriority(k, p);
  if (m.clientGone) return null;
  m.sender.mr.setNarrow(MSG_KIND_REPLY, p.pid, words, status, 0);
  k.ipc.replies++;
  checkTransition(ProcessState.REPLY_BLOCKED, "reply", ProcessState.READY);
  return status;
}

/** Answer m with a body of bufLen bytes at bufPtr in p (checked), copied into the client's reply buffer. */
export function answerWithBody(
  k: KernelCore,
  p: Process,
  m: Message,
  status: number,
  words: readonly bigint[],
  bufPtr: number,
  bufLen: number,
): number {
  if (!m.clientGone && m.kernelReply !== null) copyBodyOut(k, p, bufPtr, m.kernelReply, bufLen);
  else if (!m.clientGone && m.replyPtr >= 0) copyBody(k, p, bufPtr, m.sender, m.replyPtr, Math.min(bufLen, m.replyCap));
  return answer(k, p, m, status, words, bufLen, []);
}

/**
 * Answer m with a body and the handles `caps` (already taken from p). The
 * client whose table cannot take them gets EMFILE instead (the handles are
 * dropped) and so does p. A client gone: -EGONE, the message is finished.
 */
export function answerWithHandles(
  k: KernelCore,
  p: Process,
  m: Message,
  status: number,
  words: readonly bigint[],
  bodyPtr: number,
  bodyLen: number,
  caps: Cap[],
): number {
  const landed = landHandles(m.sender, caps);
  if (typeof landed === "number") {
    dropHandles(caps);
    answer(k, p, m, -Errno.EMFILE, [], 0, []);
    return -Errno.EMFILE;
  }
  if (m.kernelReply !== null) copyBodyOut(k, p, bodyPtr, m.kernelReply, bodyLen);
  else if (m.replyPtr >= 0) copyBody(k, p, bodyPtr, m.sender, m.replyPtr, Math.min(bodyLen, m.replyCap));
  return answer(k, p, m, status, words, bodyLen, landed);
}

/** m's client is gone: the server's answer (status, words) has no one to go to. Finishes m; returns -EGONE. */
export function answerGone(k: KernelCore, p: Process, m: Message, status = 0, words: readonly bigint[] = []): number {
  finish(k, m);
  updatePriority(k, p);
  m.onAnswer?.(status, words, 0, true);
  return -Errno.EGONE;
}

// ---- pulses ---------------------------------------------------------------------------

/**
 * Queue a pulse from senderPid (a process, or 0 for the kernel: device
 * interrupts, kernel/devices/) on ep, or hand it to a waiting receiver. The
 * caller checked that ep is open and the sender is under MAX_PENDING_PULSES
 * there. priority orders it in the queue; runAt is the priority its receiver
 * then runs at (pulse priority, kernel/ipc/priority.ts; -1: the receiver's own).
 */
export function postPulse(
  k: KernelCore,
  ep: Endpoint,
  senderPid: number,
  priority: number,
  code: number,
  value: bigint,
  runAt: number = priority,
): void {
  ep.pendingPulses.set(senderPid, pulseQueued(NUMBERS, ep.pendingPulses.get(senderPid) ?? 0));
  k.ipc.pulses++;
  const pulse: Pulse = { kind: "pulse", senderPid, priority, runAt, code, value, seq: k.nextSeq() };
  const server = ep.receivers.shift();
  if (server !== undefined) {
    deliverPulse(k, server, ep, pulse);
    checkTransition(ProcessState.RECEIVE_BLOCKED, "pulse", ProcessState.READY);
    k.wake(server, 0);
  } else {
    ep.enqueue(pulse);
    hintQueue(k.current, ep);
  }
}

// ---- process exit -------------------------------------------------------------------

/** p has ended: clients whose messages it held get ECLOSED. (Its own send/receive was undone by unblock.) */
export function ipcProcessExited(k: KernelCore, p: Process): void {
  dissociate(p);
  if (p.serving.size === 0) return; // most processes: nothing to answer (values() copies)
  for (const m of p.serving.values()) {
    finish(k, m);
    if (!m.clientGone) {
      checkTransition(ProcessState.REPLY_BLOCKED, "peer-gone", ProcessState.READY);
      k.wake(m.sender, -Errno.ECLOSED);
    }
  }
}
