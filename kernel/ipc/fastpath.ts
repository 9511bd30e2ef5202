// The IPC fast path (docs/fastpath.md), as seL4 has one: one flat function per
// common case of the round trip, which checks up front, on fields kept ready,
// that the case is the common one, then makes only the state changes the
// general path (kernel/ipc/exchange.ts, KernelCore.handoff) would make, in the
// same order, and ends in the same place (KernelCore.blockAndRun: the switch to
// the peer, or the run queue when the scheduler must choose). When a check
// fails the function changes nothing and returns false: the caller takes the
// general path. So a run is the same with or without it, event for event:
// test/ipc/handoff.test.ts and test/ipc/fastpath.test.ts compare traces,
// virtual time and accounting with `fastPath: false`.
//
// What the preconditions buy, case by case (each is what makes a general step
// a no-op or a fixed assignment):
//  - no partitions and nobody billed to a client: rebill() moves nothing;
//  - the server holds no other message, nothing is queued on the endpoint and
//    the server's last endpoint is this one: inheritance is one comparison
//    (base against the client) instead of the fold (kernel/ipc/priority.ts);
//  - the peer waits without a deadline and in the kernel's own unblock hook:
//    unblocking it is clearing two fields (no timer to cancel, no search of
//    the receivers);
//  - the moves of the IPC state table are constant here: checked once, when
//    this module loads, against the table (states.ts checkedTransition), and
//    counted at each move as checkTransition counts them.

import { Constants, ProcessState, SYSCALL_BY_NAME } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { currentEpoch } from "../fast/epoch.ts";
import { R, RING, RING_SIZE, type YieldWords } from "../fast/yields.ts";
import { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { receiveUnblock, sendUnblock } from "./exchange.ts";
import type { EndpointCache, Message } from "./message.ts";
import { associate, pulsePriorityEnds, pulsePriorityTaken } from "./priority.ts";
import { checkedTransition, countTransition, countTransitions } from "./states.ts";

const { RUNNING, READY, REPLY_BLOCKED, RECEIVE_BLOCKED } = ProcessState;
const { MSG_KIND_MESSAGE, MSG_KIND_PULSE, MSG_KIND_REPLY } = Constants;

// The moves startSend, answeredNarrow and startReceive check on these paths.
const SERVER_WOKEN = checkedTransition(RECEIVE_BLOCKED, "pulse", READY);
const CLIENT_SENT = checkedTransition(RUNNING, "send", REPLY_BLOCKED);
const CLIENT_ANSWERED = checkedTransition(REPLY_BLOCKED, "reply", READY);
const SERVER_WAITS = checkedTransition(RUNNING, "receive", RECEIVE_BLOCKED);

/**
 * p.handles.get(h, Endpoint, need), answered from `cache` when h is the handle it last resolved and
 * the capability epoch has not changed since (then the same lookup would give the same endpoint:
 * rights never change in place, and a handle that leaves its table changes the epoch). Errors always
 * come from the table. Only with the kernel's fast IPC on.
 */
export function cachedEndpoint(k: KernelCore, p: Process, cache: EndpointCache, h: number, need: number): Endpoint | number {
  const epoch = currentEpoch();
  if (h === cache.handle && (epoch === cache.epoch || mutation === "epoch") && cache.endpoint !== null) return cache.endpoint;
  const r = p.handles.get(h, Endpoint, need);
  if (typeof r !== "number" && k.fastIpc) {
    cache.handle = h;
    cache.epoch = epoch;
    cache.endpoint = r;
  }
  return r;
}

/**
 * A precondition dropped on purpose, for tests only (test/ipc/fastpath.test.ts shows that each
 * dropped one makes a comparison with the general path fail: the tests can fail). null in every
 * real run; reading it costs one load where it is checked.
 */
export type FastPathMutation = "receive-timer" | "queue" | "inherit" | "epoch";
let mutation: FastPathMutation | null = null;

/** Tests only: drop one precondition (null: none). */
export function mutateFastPathForTest(m: FastPathMutation | null): void {
  mutation = m;
}

/** Fast paths taken (a test reads them to know a workload went through them). */
export const fastPathCounts = { call: 0, replyWait: 0, pulse: 0, pulseWait: 0 };

/**
 * startReceive's wait in the case both flat paths reach (nothing queued on ep, no deadline, no body
 * buffer): the state-table move, p's receive spec (made once per process) and p on ep's receivers. The
 * caller blocks p after it (blockAndRun with receiveUnblock).
 */
function waitFlat(p: Process, ep: Endpoint, bufPtr: number, bufLen: number): void {
  countTransition(SERVER_WAITS);
  const spec = (p.ipcUnblock.receiveSpec ??= { endpoint: ep, bufPtr, bufLen });
  spec.endpoint = ep;
  spec.bufPtr = bufPtr;
  spec.bufLen = bufLen;
  p.receiving = spec;
  ep.receivers.push(p);
  p.ipcUnblock.receiveTimer = null;
}

/**
 * KernelCore.wake for a peer whose blocked state is already settled (its
 * unblock has nothing to undo: no timer, its message or receive done): the
 * same fields, trace event and scheduler bookkeeping, flat.
 */
export function wakeSettled(k: KernelCore, q: Process, value: number): void {
  q.unblock = null;
  q.blockedIn = "";
  q.state = READY;
  q.resumeValue = value;
  q.nextRun = "resume";
  k.trace.enabled && k.trace.record(k.clock.now(), q.pid, "wake", String(value));
  k.sched.readied(q);
}

/**
 * ep's one receiver when a message may be handed to it flat, else null (take startSend): fast IPC on, ep
 * open with nothing queued and one receiver, blocked in its own receive with no deadline, serving nothing,
 * sending nothing, not ending, not billed to another, the kernel unpartitioned. Shared by fastCall and the
 * namespace's flat open (kernel/ns/flat-open.ts), so a condition added here holds for both.
 */
export function flatReceiver(k: KernelCore, ep: Endpoint): Process | null {
  if (!k.fastIpc || ep.closed || ep.queue.length !== 0 || ep.receivers.length !== 1) return null;
  const s = ep.receivers[0];
  const su = s.ipcUnblock;
  if (
    s.state !== RECEIVE_BLOCKED ||
    su.receive === null ||
    s.unblock !== su.receive ||
    (su.receiveTimer !== null && mutation !== "receive-timer") ||
    s.serving.size !== 0 ||
    s.sending !== null ||
    s.exit !== null ||
    s.sched.billedTo !== null ||
    k.sched.partitioned
  )
    return null;
  return s;
}

/** startSend's numbering of m, sent by p on ep to flatReceiver's server (taken off ep's receivers): m's rcvid. */
export function numberFlatSend(k: KernelCore, p: Process, ep: Endpoint, m: Message): number {
  const rcvid = k.nextRcvid();
  m.rcvid = rcvid;
  m.seq = k.nextSeq();
  p.sending = m;
  k.ipc.messages++;
  ep.receivers.pop();
  return rcvid;
}

/**
 * The rest of a flat send once m is in s's registers (and buffer): s serves m alone, so it inherits
 * max(its base, the client's), and the handoff: s wakes with rcvid (its receive unblock: no timer, already
 * off the receivers), p blocks for the reply and s runs.
 */
export function serveAndHandOff(k: KernelCore, p: Process, ep: Endpoint, s: Process, m: Message, rcvid: number): void {
  m.server = s;
  s.serving.add(m);
  associate(s, ep);
  const base = s.basePriority;
  const prio = p.priority > base && mutation !== "inherit" ? p.priority : base;
  if (prio !== s.priority) k.setEffectivePriority(s, prio);
  countTransition(SERVER_WOKEN);
  countTransition(CLIENT_SENT);
  s.receiving = null;
  wakeSettled(k, s, rcvid);
  k.blockAndRun(p, "send", sendUnblock(k, p), REPLY_BLOCKED, s);
}

/**
 * call(ep) by p (running) with its call message m (words read, not yet sent) to
 * a server already blocked in receive or reply_wait on ep: startSend's delivery
 * and the handoff, flat. False (nothing changed): take startSend.
 */
export function fastCall(k: KernelCore, p: Process, ep: Endpoint, m: Message): boolean {
  const s = flatReceiver(k, ep);
  if (s === null) return false;
  fastPathCounts.call++;
  const rcvid = numberFlatSend(k, p, ep, m);
  // deliverMessage: words only.
  s.mr.setNarrow(MSG_KIND_MESSAGE, p.pid, m.narrow!, 0, rcvid);
  serveAndHandOff(k, p, ep, s, m, rcvid);
  return true;
}

/**
 * reply_wait(ep, rcvid of m, status) by p (running; io_reply_wait: with a buffer), the answer's words read,
 * when the client waits for m in call or send with no deadline and nothing is
 * queued on ep: answeredNarrow, startReceive and the handoff, flat. False
 * (nothing changed): take the general path.
 */
export function fastReplyWait(
  k: KernelCore,
  p: Process,
  ep: Endpoint,
  m: Message,
  status: number,
  words: Int32Array,
  bufPtr = 0,
  bufLen = 0,
): boolean {
  const c = m.sender;
  if (
    !k.fastIpc ||
    (m.onAnswer !== null && (m.narrowAnswer === null || !m.narrowAnswer.clean(m))) ||
    m.clientGone ||
    m.timer !== null ||
    (ep.queue.length !== 0 && mutation !== "queue") ||
    p.serving.only !== m ||
    p.pulsePriority >= 0 ||
    p.lastEndpoint !== ep ||
    p.sending !== null ||
    p.sched.billedTo !== null ||
    k.sched.partitioned ||
    c.state !== REPLY_BLOCKED ||
    c.sending !== m ||
    c.ipcUnblock.send === null ||
    c.unblock !== c.ipcUnblock.send
  )
    return false;
  fastPathCounts.replyWait++;
  // answeredNarrow: p holds nothing more and nothing is queued where it serves, so it is back at its base.
  p.serving.delete(m);
  m.done = true;
  if (p.priority !== p.basePriority) k.setEffectivePriority(p, p.basePriority);
  c.mr.setNarrow(MSG_KIND_REPLY, p.pid, words, status, 0);
  k.ipc.replies++;
  countTransition(CLIENT_ANSWERED);
  // A kernel hook's result (an open's: the FILE handle), made where answeredNarrow makes it; clean: it queues nothing on ep.
  const hook = m.narrowAnswer;
  const result = m.onAnswer === null || hook === null ? status : hook.answer(m, status, words[0]);
  waitFlat(p, ep, bufPtr, bufLen); // startReceive: nothing queued, no deadline: p waits (io_reply_wait: with its buffer)
  const unblock = receiveUnblock(k, p);
  // handoff: wake the client (its send unblock: no timer, m is done).
  c.sending = null;
  wakeSettled(k, c, result);
  k.blockAndRun(p, "receive", unblock, RECEIVE_BLOCKED, c);
  return true;
}

/**
 * A pulse (code, value) from senderPid to the one receiver blocked on ep with no deadline, nothing
 * queued and no pulse pending there: postPulse and deliverPulse without the queue entry they would add
 * and take back at once (the pending count goes 0 -> 1 -> 0, a pulse object is made and dropped; its
 * sequence number is still taken). The receiver is queued READY as wake() queues it. The sender is a
 * process's pid (pulse(), its handle checked, ep open) or one the kernel posts as (0 for a FILE's close,
 * the interrupt sender); runAt is the priority the receiver then runs at (postPulse's: the sender's, the
 * closer's, or -1 for its own). False (nothing changed): take postPulse.
 */
export function fastPulse(k: KernelCore, senderPid: number, ep: Endpoint, code: number, value: bigint, runAt: number): boolean {
  const s = pulseReceiver(k, ep);
  if (s === null) return false;
  s.mr.setPulse(MSG_KIND_PULSE, senderPid, code, value);
  pulseDelivered(k, s, runAt);
  return true;
}

/**
 * fastPulse() for an i32 value (a close pulse's OCB id as the server's word gave it), without a BigInt:
 * the same registers (setPulseNarrow), the same steps. Its own function, so fastPulse's value stays a BigInt.
 */
export function fastPulseNarrow(k: KernelCore, senderPid: number, ep: Endpoint, code: number, value: number, runAt: number): boolean {
  const s = pulseReceiver(k, ep);
  if (s === null) return false;
  s.mr.setPulseNarrow(MSG_KIND_PULSE, senderPid, code, value);
  pulseDelivered(k, s, runAt);
  return true;
}

/** fastPulse's receiver (taken off ep's receivers, the pulse counted), or null when its conditions do not hold (nothing changed). */
function pulseReceiver(k: KernelCore, ep: Endpoint): Process | null {
  if (!k.fastIpc || ep.queue.length !== 0 || ep.receivers.length !== 1 || ep.pendingPulses.size !== 0) return null;
  const s = ep.receivers[0];
  const su = s.ipcUnblock;
  if (s.state !== RECEIVE_BLOCKED || su.receive === null || s.unblock !== su.receive || su.receiveTimer !== null) return null;
  fastPathCounts.pulse++;
  k.ipc.pulses++;
  k.nextSeq();
  ep.receivers.pop();
  return s;
}

/** fastPulse's steps once the pulse is in s's registers. */
function pulseDelivered(k: KernelCore, s: Process, runAt: number): void {
  pulsePriorityTaken(k, s, runAt); // deliverPulse's last step: s runs at the pulse's priority
  countTransition(SERVER_WOKEN);
  // wake(): its receive unblock has nothing to undo but the receive itself (no timer, off the receivers).
  s.unblock = null;
  s.receiving = null;
  k.wake(s, 0);
}

/**
 * A precondition of fastPulseWait dropped on purpose, for tests only (test/ipc/pulse-wait.test.ts: each
 * makes its comparison with the general path fail). Its own switch, beside mutateFastPathForTest's.
 */
export type PulseWaitMutation = "receive-timer" | "wait-queue" | "associate";
let pulseWaitMutation: PulseWaitMutation | null = null;

/** Tests only: drop one precondition of fastPulseWait (null: none). */
export function mutatePulseWaitForTest(m: PulseWaitMutation | null): void {
  pulseWaitMutation = m;
}

/**
 * pulse_wait by p (running, everything checked): a pulse (code, value) on ep to its one receiver, blocked
 * with no deadline, nothing queued and no pulse pending there (fastPulse's case), when p would then block
 * on wep (nothing queued there; no deadline): fastPulse's delivery, startReceive's wait and the handoff,
 * flat. The receiver is readied as wake() readies it but not queued: blockAndRun runs it at once when the
 * run queue would have chosen it, else queues it and the scheduler chooses, so the effects, trace and
 * virtual time are those of pulse() then receive() (test/ipc/pulse-wait.test.ts). ep may be wep: the
 * pulse goes to the receiver, so nothing is queued there for p. False (nothing changed): the general path.
 */
export function fastPulseWait(k: KernelCore, p: Process, ep: Endpoint, code: number, value: number, wep: Endpoint): boolean {
  const m = pulseWaitMutation;
  if (
    !k.fastIpc ||
    ep.queue.length !== 0 ||
    ep.receivers.length !== 1 ||
    ep.pendingPulses.size !== 0 ||
    (wep.queue.length !== 0 && m !== "wait-queue")
  )
    return false;
  const s = ep.receivers[0];
  const su = s.ipcUnblock;
  if (s.state !== RECEIVE_BLOCKED || su.receive === null || s.unblock !== su.receive || (su.receiveTimer !== null && m !== "receive-timer"))
    return false;
  fastPathCounts.pulseWait++;
  // postPulse and deliverPulse: the pending count goes 0 -> 1 -> 0, the pulse's sequence number is taken.
  k.ipc.pulses++;
  k.nextSeq();
  ep.receivers.pop();
  s.mr.setPulseNarrow(MSG_KIND_PULSE, p.pid, code, value);
  pulsePriorityTaken(k, s, p.basePriority); // deliverPulse's last step: s runs at the pulse's priority (p's own)
  countTransition(SERVER_WOKEN);
  // wake(s, 0): its receive unblock has nothing to undo but the receive itself (no timer, off the receivers).
  s.receiving = null;
  wakeSettled(k, s, 0);
  // startReceive on wep: nothing queued, no deadline: p waits (and a pulse's priority of its own ends).
  pulsePriorityEnds(k, p);
  if (m !== "associate") associate(p, wep);
  waitFlat(p, wep, 0, 0);
  k.blockAndRun(p, "receive", receiveUnblock(k, p), RECEIVE_BLOCKED, s);
  return true;
}

/** pulse_wait's pledge class, as the bridge checks it (host/runtime/bridge.ts pulseWaitImport). */
const PULSE_WAIT_BIT = 1 << SYSCALL_BY_NAME.pulse_wait.pledge;

/**
 * Whether `running` and `blocked` are a pulse pair, just after a TypeScript pulse_wait by `blocked` handed
 * `running` the CPU (KernelCore.publishPulses; docs/fastpath.md "pulse_wait pairs in wasm: lazy state"): while nothing else
 * enters the kernel, each one's next pulse_wait naming the handles of its cached endpoints is fastPulseWait's
 * case with every step but the accounting fixed, so the vDSO (host/runtime/fast-yield.ts) may serve it. Each
 * one's cached send endpoint is the other's wait endpoint and both caches are of the current capability
 * epoch (so the handles still mean them: a close or revoke is a kernel entry, which withdraws the words); both
 * endpoints open, nothing queued and no pulse pending; `blocked` in its own receive unblock with no timer, on
 * its wait endpoint, that endpoint's only receiver, and nothing receiving on `running`'s; no pulse priority,
 * both at one base priority and at it (pulsePriorityTaken and pulsePriorityEnds do nothing), each's last
 * endpoint its wait endpoint (associate does nothing); neither sending; both with an IPC buffer and
 * pulse_wait's pledge. The scheduler's side (nothing queued at or above them, the slice accounting) is
 * KernelCore.publishPulses'.
 */
export function pulsePair(k: KernelCore, running: Process, blocked: Process): boolean {
  if (!k.fastIpc) return false;
  const epoch = currentEpoch();
  const rs = running.sendEndpoint;
  const rw = running.receiveEndpoint;
  const bs = blocked.sendEndpoint;
  const bw = blocked.receiveEndpoint;
  const wr = rw.endpoint;
  const wb = bw.endpoint;
  if (wr === null || wb === null || rs.endpoint !== wb || bs.endpoint !== wr) return false;
  if (rs.epoch !== epoch || rw.epoch !== epoch || bs.epoch !== epoch || bw.epoch !== epoch) return false;
  if (
    wr.closed ||
    wb.closed ||
    wr.queue.length !== 0 ||
    wb.queue.length !== 0 ||
    wr.pendingPulses.size !== 0 ||
    wb.pendingPulses.size !== 0
  )
    return false;
  const bu = blocked.ipcUnblock;
  if (blocked.state !== RECEIVE_BLOCKED || bu.receive === null || blocked.unblock !== bu.receive || bu.receiveTimer !== null) return false;
  if (blocked.receiving === null || blocked.receiving.endpoint !== wb || wb.receivers.length !== 1 || wb.receivers[0] !== blocked)
    return false;
  if (wr !== wb && wr.receivers.length !== 0) return false;
  const prio = running.basePriority;
  if (running.pulsePriority >= 0 || blocked.pulsePriority >= 0 || blocked.basePriority !== prio) return false;
  if (running.priority !== prio || blocked.priority !== prio) return false;
  if (running.lastEndpoint !== wr || blocked.lastEndpoint !== wb || running.sending !== null || blocked.sending !== null) return false;
  if (running.mr.buffer === null || blocked.mr.buffer === null) return false;
  return (running.promises & PULSE_WAIT_BIT) !== 0 && (blocked.promises & PULSE_WAIT_BIT) !== 0;
}

/**
 * A sync step dropped on purpose, for tests only (test/sched/fast-pulse.test.ts: each makes its comparison
 * with the vDSO off fail): "receivers" leaves the side now blocked off its endpoint's receivers, "counts"
 * adds none of the IPC counts, "parity" takes every count of pulses served as even (nobody's wait moved),
 * "registers" leaves the registers as publication found them.
 */
export type PulseSyncMutation = "receivers" | "counts" | "parity" | "registers" | null;
let pulseSyncMutation: PulseSyncMutation = null;
export function mutatePulseSyncForTest(m: PulseSyncMutation): void {
  pulseSyncMutation = m;
}

/**
 * A pulse pair's registers at its sync, after n pulse_waits served in wasm: the vDSO wrote each pulse's words
 * into its receiver's IPC buffer at the delivery and kept the last one each side received in the words (its
 * record's LCODE, LVALUE); the rest of the registers are setPulseNarrow's. p1 (blocked at publication)
 * received the first pulse, p0 the second: each from the other.
 */
export function pulsePairRegisters(w: YieldWords, p0: Process, p1: Process, n: number): void {
  if (pulseSyncMutation === "registers") return;
  const i32 = w.i32;
  const a1 = (RING + RING_SIZE) >> 2;
  if (n >= 1) p1.mr.setPulseNarrowRegisters(MSG_KIND_PULSE, p0.pid, i32[a1 + (R.LCODE >> 2)], i32[a1 + (R.LVALUE >> 2)]);
  const a0 = RING >> 2;
  if (n >= 2) p0.mr.setPulseNarrowRegisters(MSG_KIND_PULSE, p1.pid, i32[a0 + (R.LCODE >> 2)], i32[a0 + (R.LVALUE >> 2)]);
}

/**
 * The IPC side of a pulse pair's sync (KernelCore.syncYields) after n pulse_waits served in wasm, each what
 * fastPulseWait would have done: the counts it makes n times (ipc.pulses and the state table's two moves;
 * KernelCore counts its sequence numbers and handoffs), and, when n is odd (`swapped`: the side that ran at
 * publication is the one blocked now), the last one's state: `running` woken from its receive (off its
 * endpoint's receivers, nothing to undo), `blocked` waiting on its wait endpoint as waitFlat and blockAndRun
 * leave it. When n is even both are where publication found them. The registers are pulsePairRegisters';
 * the accounting is KernelCore's.
 */
export function pulsePairServed(k: KernelCore, running: Process, blocked: Process, n: number, swapped: boolean): void {
  const m = pulseSyncMutation;
  if (m !== "counts") {
    fastPathCounts.pulseWait += n;
    k.ipc.pulses += n;
    countTransitions(SERVER_WOKEN, n);
    countTransitions(SERVER_WAITS, n);
  }
  blocked.state = RECEIVE_BLOCKED;
  if (!swapped || m === "parity") return;
  const wr = running.receiveEndpoint.endpoint!;
  const wb = blocked.receiveEndpoint.endpoint!;
  wr.receivers.pop(); // its only receiver (pulsePair)
  running.receiving = null;
  running.unblock = null;
  running.blockedIn = "";
  running.nextRun = "resume";
  const bu = blocked.ipcUnblock;
  const spec = (bu.receiveSpec ??= { endpoint: wb, bufPtr: 0, bufLen: 0 });
  spec.endpoint = wb;
  spec.bufPtr = 0;
  spec.bufLen = 0;
  blocked.receiving = spec;
  if (m !== "receivers") wb.receivers.push(blocked);
  bu.receiveTimer = null;
  blocked.blockedIn = "receive";
  blocked.unblock = receiveUnblock(k, blocked);
}

/** call's and reply_wait's pledge classes, as the bridge checks them (host/runtime/bridge.ts callImport, replyWaitImport). */
const CALL_BIT = 1 << SYSCALL_BY_NAME.call.pledge;
const REPLY_WAIT_BIT = 1 << SYSCALL_BY_NAME.reply_wait.pledge;

/**
 * Whether `running` and `blocked` are a call pair, just after a TypeScript call or reply_wait by `blocked`
 * handed `running` the CPU (KernelCore.publishCalls; docs/fastpath.md "call and reply_wait pairs in wasm: lazy
 * state"): while nothing else enters the kernel, the client's next call on the handle of its cached send
 * endpoint is fastCall's case, and the server's next reply_wait on its cached wait endpoint answering the
 * rcvid it holds is fastReplyWait's, each with every step but the words, the numbers and the accounting fixed,
 * so the vDSO (host/runtime/fast-yield.ts) may serve them. Returns the client's ring index (0: `running`, 1:
 * `blocked`), or -1.
 *
 * The IPC side: one endpoint ep, the client's cached send endpoint and the server's cached wait endpoint, both
 * caches of the current capability epoch (a close or revoke is a kernel entry, which withdraws the words); ep
 * open, nothing queued and no pulse pending; the kernel unpartitioned and fast IPC on; the server serving
 * nothing but the client's call message m (or nothing), sending nothing, not ending, billed to nobody, with no
 * pulse priority and ep its last endpoint (associate does nothing); the client serving nothing, sending
 * nothing but m, billed to nobody; both at one base priority and at it (no inheritance: fastCall's and
 * fastReplyWait's priority steps do nothing); both with an IPC buffer and their pledge (call; reply_wait).
 * Either the client waits for m's answer (REPLY_BLOCKED in call with no deadline: fastReplyWait's case; the
 * server runs and serves m alone, m plain: no onAnswer, timer or gone client) and ep has no receiver, or the
 * server waits in its own receive on ep with no deadline and no body buffer, ep's only receiver (flatReceiver's
 * case), serving nothing, and the client's call message is done (sysCall rearms it, no new one).
 */
export function callPair(k: KernelCore, running: Process, blocked: Process): number {
  if (!k.fastIpc || k.sched.partitioned) return -1;
  const answering = blocked.state === REPLY_BLOCKED;
  const c = answering ? blocked : running;
  const s = answering ? running : blocked;
  const cs = c.sendEndpoint;
  const sw = s.receiveEndpoint;
  const ep = sw.endpoint;
  const epoch = currentEpoch();
  if (ep === null || cs.endpoint !== ep || cs.epoch !== epoch || sw.epoch !== epoch) return -1;
  if (ep.closed || ep.queue.length !== 0 || ep.pendingPulses.size !== 0) return -1;
  const prio = c.basePriority;
  if (s.basePriority !== prio || c.priority !== prio || s.priority !== prio || s.pulsePriority >= 0 || c.pulsePriority >= 0) return -1;
  if (s.lastEndpoint !== ep || s.sending !== null || s.exit !== null || s.sched.billedTo !== null || c.sched.billedTo !== null) return -1;
  if (c.serving.size !== 0 || c.mr.buffer === null || s.mr.buffer === null) return -1;
  if ((c.promises & CALL_BIT) === 0 || (s.promises & REPLY_WAIT_BIT) === 0) return -1;
  const m = c.callMessage;
  if (m === null || m.narrow === null || m.endpoint !== ep) return -1;
  if (answering) {
    if (
      ep.receivers.length !== 0 ||
      s.serving.only !== m ||
      m.server !== s ||
      m.done ||
      m.onAnswer !== null ||
      m.clientGone ||
      m.timer !== null
    )
      return -1;
    if (c.sending !== m || c.ipcUnblock.send === null || c.unblock !== c.ipcUnblock.send) return -1;
    return 1;
  }
  const su = s.ipcUnblock;
  if (blocked.state !== RECEIVE_BLOCKED || su.receive === null || s.unblock !== su.receive || su.receiveTimer !== null) return -1;
  const r = s.receiving;
  if (r === null || r.endpoint !== ep || r.bufPtr !== 0 || r.bufLen !== 0 || ep.receivers.length !== 1 || ep.receivers[0] !== s) return -1;
  if (s.serving.size !== 0 || c.sending !== null || !m.done) return -1;
  return 0;
}

/**
 * A sync step dropped on purpose, for tests only (test/sched/fast-call.test.ts: each makes its comparison with
 * the vDSO off fail): "counts" adds none of the IPC counts, "parity" takes every count served as even (nobody's
 * state moved), "registers" leaves the registers as publication found them, "message" leaves the call message's
 * rcvid, sequence number and words as publication found them, "serving" leaves the server's count of messages
 * taken alone.
 */
export type CallSyncMutation = "counts" | "parity" | "registers" | "message" | "serving" | null;
let callSyncMutation: CallSyncMutation = null;
export function mutateCallSyncForTest(m: CallSyncMutation): void {
  callSyncMutation = m;
}

/**
 * The IPC side of a call pair's sync (KernelCore.syncYields), after n calls and reply_waits served in wasm by
 * the pair (c the client, s its server; the server ran at publication when `answering`), alternately, each what
 * fastCall or fastReplyWait would have done: `calls` of them calls (each numbered: the last one's rcvid `cur`,
 * its sequence number `seq`, its words `mw`) and the rest reply_waits (the last one's status and words `aw`).
 * The counts (ipc.messages, ipc.replies, the fast path's, the state table's moves; KernelCore counts the
 * handoffs, sequence numbers and rcvids), the call message and the server's holding of it, the registers each
 * side got last, and the state the last one left: the server running and serving m with the client blocked
 * in its call (`serverRuns`), or the client running and the server waiting on ep. The accounting is KernelCore's.
 */
export function callPairServed(
  k: KernelCore,
  c: Process,
  s: Process,
  n: number,
  calls: number,
  serverRuns: boolean,
  cur: number,
  seq: number,
  status: number,
  mw: Int32Array,
  aw: Int32Array,
): void {
  const mut = callSyncMutation;
  const replies = n - calls;
  if (mut !== "counts") {
    fastPathCounts.call += calls;
    fastPathCounts.replyWait += replies;
    k.ipc.messages += calls;
    k.ipc.replies += replies;
    countTransitions(SERVER_WOKEN, calls);
    countTransitions(CLIENT_SENT, calls);
    countTransitions(CLIENT_ANSWERED, replies);
    countTransitions(SERVER_WAITS, replies);
  }
  const m = c.callMessage!;
  const ep = m.endpoint;
  if (calls > 0) {
    if (mut !== "message") {
      m.rcvid = cur;
      m.seq = seq;
      const w = m.narrow!;
      w[0] = mw[0];
      w[1] = mw[1];
      w[2] = mw[2];
      w[3] = mw[3];
    }
    if (mut !== "serving") m.taken = s.serving.counted(calls);
    if (mut !== "registers") s.mr.setNarrowRegisters(MSG_KIND_MESSAGE, c.pid, mw, 0, cur);
  }
  if (replies > 0 && mut !== "registers") c.mr.setNarrowRegisters(MSG_KIND_REPLY, s.pid, aw, status, 0);
  if (mut === "parity" && (n & 1) === 1) serverRuns = !serverRuns;
  if (serverRuns) {
    // fastCall's last state: s woken from its receive serving m, c blocked for the reply.
    m.done = false;
    m.server = s;
    if (s.serving.only !== m) s.serving.hold(m);
    if (ep.receivers.length !== 0) ep.receivers.pop(); // s, its only receiver
    s.receiving = null;
    s.unblock = null;
    s.blockedIn = "";
    s.nextRun = "resume";
    c.sending = m;
    c.state = REPLY_BLOCKED;
    c.blockedIn = "send";
    c.unblock = sendUnblock(k, c);
  } else {
    // fastReplyWait's last state: m answered, c woken, s waiting on ep (waitFlat, no buffer).
    m.done = true;
    s.serving.delete(m);
    c.sending = null;
    c.unblock = null;
    c.blockedIn = "";
    c.nextRun = "resume";
    const su = s.ipcUnblock;
    const spec = (su.receiveSpec ??= { endpoint: ep, bufPtr: 0, bufLen: 0 });
    spec.endpoint = ep;
    spec.bufPtr = 0;
    spec.bufLen = 0;
    s.receiving = spec;
    if (ep.receivers.length === 0) ep.receivers.push(s);
    su.receiveTimer = null;
    s.state = RECEIVE_BLOCKED;
    s.blockedIn = "receive";
    s.unblock = receiveUnblock(k, s);
  }
}
