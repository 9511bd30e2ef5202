// The namespace's flat open (docs/namespace.md "The flat open", docs/fastpath.md): what an
// ns_open makes on every call, made once per process and per path instead, so the open's message
// travels like a call's. With the kernel's fast IPC on (KernelCore.fastIpc); off, ns_open makes
// what it always made, and test/ns/flat-open.test.ts compares the two runs (results, trace,
// virtual time, registers, counters).
//
//  - The open's message is the process's own (Process.openMessage), made at its first open and
//    rearmed for the next once its exchange is over (done), as a call's is (Message.forCall): a
//    process has one ns_open in flight at a time, and nothing holds a message once it is done.
//  - Its words are i32 (Message.narrow): an IO_OPEN connect message's four words fit (op, form and
//    flags in word 0's low half, its high half 0; words 1 and 2 are 0; word 3 the path's length,
//    at most MAX_PATH_BYTES), so the server's registers get them as a call's, sign-extended to the
//    same values msg_word gave from the BigInt words, and the IPC buffer gets them without a BigInt
//    each. The body (the path relative to the mount) is delivered as before (writeKernelBody).
//  - A DIR remembers the last path resolved under its scope (the same string again: readPath gives
//    the same string for the same bytes), so resolveIn is not run again for it.
//  - openFlat: the connect message handed to a server already blocked in receive with a buffer for
//    it, as fastCall hands a call: startSend's delivery and the handoff, flat.
//  - takeOpenFlat: the other way round, the server's receive that finds the open queued (a server
//    woken by a close pulse finds the client's next open waiting): startReceive's take, flat.

import { Constants, ProcessState } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { Cap } from "../handles.ts";
import { flatReceiver, numberFlatSend, serveAndHandOff } from "../ipc/fastpath.ts";
import { Message, type NarrowAnswer } from "../ipc/message.ts";
import { checkedTransition, countTransition } from "../ipc/states.ts";
import { writeKernelBody } from "../ipc/transfer.ts";
import { hintQueue } from "../fast/hints.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import type { DirObject, Mount } from "./objects.ts";
import { resolveIn } from "./path.ts";

const { RUNNING, REPLY_BLOCKED, SEND_BLOCKED } = ProcessState;
const { MSG_KIND_MESSAGE, IO_OPEN, IO_FORM_BUFFER } = Constants;

// openFlat's moves are fastCall's (kernel/ipc/fastpath.ts serveAndHandOff counts them).
// The moves startReceive and deliverMessage check when a receive takes a queued message.
const SERVER_TAKES = checkedTransition(RUNNING, "receive", RUNNING);
const CLIENT_DELIVERED = checkedTransition(SEND_BLOCKED, "deliver", REPLY_BLOCKED);

/** An open carries no handles (a shared empty list: the exchange never adds to a message's list). */
const NO_CAPS: Cap[] = [];
const NO_WORDS: readonly bigint[] = [];

/** Opens sent by openFlat and open messages reused (a test reads them to know a workload went through them). */
export const flatOpenCounts = { flat: 0, reused: 0, taken: 0 };

/** A step of openFlat dropped on purpose, for tests only (test/ns/flat-open.test.ts: the comparison must then fail). */
export type FlatOpenMutation = "no-body" | "keep-words" | "take-inherit" | "answer-unclean";
let mutation: FlatOpenMutation | null = null;

/** Tests only: drop one step (null: none). */
export function mutateFlatOpenForTest(m: FlatOpenMutation | null): void {
  mutation = m;
}

/** The step dropped (kernel/syscalls/namespace.ts reads "answer-unclean": an open's answer taken flat when it may post a close). */
export function flatOpenMutation(): FlatOpenMutation | null {
  return mutation;
}

/** The answer hook every open message carries (kernel/syscalls/namespace.ts: it makes the FILE). */
export type OpenAnswer = (this: Message, status: number, words: readonly bigint[], bodyLen: number, gone: boolean) => number;

/** An IO_OPEN connect message, with what its answer needs to make the FILE (no closure per open: onAnswer is one shared method). */
export class OpenRequest extends Message {
  readonly k: KernelCore;
  mount: Mount;
  abs: string;
  rights: number;
  /** What the answer hook needs of the kernel, looked up at the message's first answer (kernel/syscalls/namespace.ts). */
  kernelState: object | null = null;

  constructor(
    k: KernelCore,
    sender: Process,
    ep: Endpoint,
    words: readonly bigint[],
    bodyLen: number,
    mount: Mount,
    abs: string,
    rights: number,
  ) {
    super({ rcvid: 0, sender, endpoint: ep, words, bodyPtr: 0, bodyLen, caps: NO_CAPS, replyPtr: -1, replyCap: 0, seq: 0 });
    this.k = k;
    this.mount = mount;
    this.abs = abs;
    this.rights = rights;
  }
}

/** The fields of a Message an open message sets again for each open (readonly to everyone else). */
type Rearmable = { -readonly [K in "words" | "bodyLen"]: Message[K] };

/**
 * The message for p's open of `body` (the path relative to the mount) on ep with these flags: a new
 * OpenRequest with BigInt words (the general path; `words`, shared per resolution and flags), or, with
 * the kernel's fast IPC on, p's own open message rearmed with i32 words (made at its first open).
 * Numbered by startSend (or openFlat) once sent.
 */
export function openMessage(
  k: KernelCore,
  p: Process,
  ep: Endpoint,
  words: readonly bigint[],
  flags: number,
  body: Uint8Array,
  mount: Mount,
  abs: string,
  rights: number,
  onAnswer: OpenAnswer,
  narrowAnswer: NarrowAnswer,
): OpenRequest {
  let m: OpenRequest;
  if (!k.fastIpc) m = new OpenRequest(k, p, ep, words, body.length, mount, abs, rights);
  else {
    const own = p.openMessage as OpenRequest | null;
    if (own !== null && own.done) {
      flatOpenCounts.reused++;
      m = own;
      m.rearm(ep, 0, 0);
      (m as unknown as Rearmable).bodyLen = body.length;
      m.mount = mount;
      m.abs = abs;
      m.rights = rights;
    } else {
      // The first open, or the last one still held by a server whose client went away: a new message.
      m = new OpenRequest(k, p, ep, NO_WORDS, body.length, mount, abs, rights);
      m.narrow = new Int32Array(4);
      p.openMessage = m;
    }
    // word0(IO_OPEN, IO_FORM_BUFFER, flags, 0): flags are at most 16 bits, so word 0 fits in 31 bits.
    const w = m.narrow!;
    if (mutation !== "keep-words" || w[0] === 0) w[0] = (IO_OPEN & 0xff) | ((IO_FORM_BUFFER & 0xff) << 8) | ((flags & 0xffff) << 16);
    w[1] = 0;
    w[2] = 0;
    w[3] = body.length;
  }
  m.kernelBody = body;
  m.onAnswer = onAnswer;
  m.narrowAnswer = narrowAnswer;
  return m;
}

/** resolveIn(dir.scope, path), remembered per DIR for the last path (the same string: readPath keeps it). */
export function scopedPath(k: KernelCore, dir: DirObject, path: string): string {
  if (!k.fastIpc) return resolveIn(dir.scope, path);
  if (path === dir.lastPath) return dir.lastAbs;
  const abs = resolveIn(dir.scope, path);
  dir.lastPath = path;
  dir.lastAbs = abs;
  return abs;
}

/**
 * ns_open's send when ep's one receiver is blocked in receive with a buffer and nothing is queued
 * (fastCall's case, with a body): startSend's delivery (the body into the server's buffer, the words
 * into its registers) and the handoff, flat. False (nothing changed): take startSend.
 */
export function openFlat(k: KernelCore, p: Process, ep: Endpoint, m: OpenRequest): boolean {
  if (m.narrow === null) return false;
  const s = flatReceiver(k, ep);
  if (s === null) return false;
  const spec = s.receiving;
  if (spec === null) return false;
  flatOpenCounts.flat++;
  const rcvid = numberFlatSend(k, p, ep, m);
  // deliverMessage: the body, then the words.
  if (mutation !== "no-body") writeKernelBody(k, m.kernelBody!, s, spec.bufPtr, spec.bufLen);
  s.mr.setNarrow(MSG_KIND_MESSAGE, p.pid, m.narrow, 0, rcvid, m.bodyLen);
  serveAndHandOff(k, p, ep, s, m, rcvid);
  return true;
}

/**
 * receive(ep) into p's buffer (checked) when the only thing queued on ep is an open (i32 words and the
 * kernel's body), p holds no other message, ep is the endpoint p serves and p is its only server, and
 * nobody is billed: startReceive's take of a queued message (deliverMessage, the queue's head taken, the
 * hint, the servers' priorities), flat. Its rcvid, or 0 (nothing changed): take startReceive.
 *
 * What the preconditions make of the general steps: associate is a no-op (p already serves ep), rebill
 * moves nothing, and priority inheritance is one comparison: p holds m alone and m is ep's only entry, so
 * updatePriority gives max(p's base, m's client) (a queued message's client is waiting: a client that
 * goes is taken off the queue), and updateServers after the take gives p the same again (p is ep's only
 * server, nothing is left queued).
 */
export function takeOpenFlat(k: KernelCore, p: Process, ep: Endpoint, bufPtr: number, bufLen: number): number {
  if (!k.fastIpc || ep.queue.length !== 1) return 0;
  const m = ep.queue[0];
  if (
    !(m instanceof OpenRequest) ||
    m.narrow === null ||
    m.sender.state !== SEND_BLOCKED ||
    p.serving.size !== 0 ||
    p.lastEndpoint !== ep ||
    ep.servers.size !== 1 ||
    p.sched.billedTo !== null ||
    k.sched.partitioned
  )
    return 0;
  flatOpenCounts.taken++;
  countTransition(SERVER_TAKES);
  p.pulsePriority = -1; // p takes a message: a pulse's priority no longer holds
  // deliverMessage: the body, then the words.
  writeKernelBody(k, m.kernelBody!, p, bufPtr, bufLen);
  p.mr.setNarrow(MSG_KIND_MESSAGE, m.sender.pid, m.narrow, 0, m.rcvid, m.bodyLen);
  m.server = p;
  p.serving.add(m);
  countTransition(CLIENT_DELIVERED);
  k.setBlockedState(m.sender, REPLY_BLOCKED);
  const base = p.basePriority;
  const client = m.sender.priority;
  const prio = client > base && mutation !== "take-inherit" ? client : base;
  if (prio !== p.priority) k.setEffectivePriority(p, prio);
  // The queue's head taken (its only entry: pop), and the hint about it.
  ep.queue.pop();
  hintQueue(k.current, ep);
  return m.rcvid;
}
