// What travels through an endpoint, and what a process last received.

import type { Cap } from "../handles.ts";
import type { Timer } from "../timers.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";

const NO_WORDS: readonly bigint[] = [];
/** Pulse codes 0..255 as BigInts, made once (a BigInt is immutable: which one a register holds cannot be told). */
const SMALL_CODES: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));
/** A 64-bit word and its low 32 bits (little-endian, as wasm memory): a BigInt's low half without a BigInt. */
const LOW_SCRATCH = new ArrayBuffer(8);
const LOW64 = new BigInt64Array(LOW_SCRATCH);
const LOW32 = new Int32Array(LOW_SCRATCH);
const NO_CAPS: Cap[] = [];

/** A kernel hook's answer in i32 words (Message.narrowAnswer): one shared object per kind of request, no closure per message. */
export interface NarrowAnswer {
  /** Whether answer(m, status, word0) changes nothing but the sender's result and what its success makes (fastReplyWait's precondition). */
  clean(m: Message): boolean;
  /** onAnswer(status, [word0 sign-extended, 0, 0, 0], 0, false). */
  answer(m: Message, status: number, word0: number): number;
}

/** A message from a client blocked in send/sendmsg until the reply. */
export class Message {
  readonly kind = "message";
  rcvid: number;
  readonly sender: Process;
  endpoint: Endpoint;
  readonly words: readonly bigint[];
  /** A call's words (i32, from the sender's IPC buffer) or an open's (kernel/ns/flat-open.ts), delivered instead of `words`; null for other sends. */
  narrow: Int32Array | null = null;
  /** The body stays in the sender's memory (it is blocked) and is copied once, at delivery. */
  readonly bodyPtr: number;
  readonly bodyLen: number;
  /** Capabilities in flight to the server (moved out of, or derived from, the sender's). */
  caps: Cap[];
  /** sendmsg's reply buffer; -1 for a short send (no reply body). */
  readonly replyPtr: number;
  readonly replyCap: number;
  seq: number;
  server: Process | null = null;
  /** The client ended or timed out: the reply will get EGONE. */
  clientGone = false;
  /** The exchange is over (answered, dropped, or its server ended). */
  done = false;
  /** When its server took it (Serving's order: the order servers took their messages). */
  taken = 0;
  timer: Timer | null = null;
  /** A body made by the kernel (a namespace connect message's path), delivered instead of the sender's bytes at bodyPtr. */
  kernelBody: Uint8Array | null = null;
  /**
   * A reply buffer the kernel holds (a personality's host-side request,
   * host/personality/): the reply body lands here instead of at replyPtr in the sender's memory.
   */
  kernelReply: Uint8Array | null = null;
  /**
   * Turns the server's answer into the sender's result (namespace requests:
   * an open's reply becomes a FILE handle, registers-form data lands in the
   * sender's buffer). `gone`: the sender is no longer waiting (its result is
   * dropped; the hook undoes what the answer created, e.g. a server's open).
   */
  onAnswer: ((status: number, words: readonly bigint[], bodyLen: number, gone: boolean) => number) | null = null;
  /**
   * onAnswer for an answer given in i32 words (reply_wait, io_reply_wait: answeredNarrow, fastReplyWait)
   * to a sender still waiting, reading word 0 only: the same result and effects as onAnswer with the
   * words sign-extended, without a BigInt (an open's OCB id). Null: onAnswer takes every answer.
   */
  narrowAnswer: NarrowAnswer | null = null;

  constructor(init: {
    rcvid: number;
    sender: Process;
    endpoint: Endpoint;
    words: readonly bigint[];
    bodyPtr: number;
    bodyLen: number;
    caps: Cap[];
    replyPtr: number;
    replyCap: number;
    seq: number;
  }) {
    this.rcvid = init.rcvid;
    this.sender = init.sender;
    this.endpoint = init.endpoint;
    this.words = init.words;
    this.bodyPtr = init.bodyPtr;
    this.bodyLen = init.bodyLen;
    this.caps = init.caps;
    this.replyPtr = init.replyPtr;
    this.replyCap = init.replyCap;
    this.seq = init.seq;
  }

  /**
   * A call's message, made once per process and reused for each call once
   * the last exchange is over (done): a process has at most one outstanding
   * call, and nothing holds a message after it is done.
   */
  static forCall(sender: Process, endpoint: Endpoint, rcvid: number, seq: number): Message {
    const m = new Message({
      rcvid,
      sender,
      endpoint,
      words: NO_WORDS,
      bodyPtr: 0,
      bodyLen: 0,
      caps: NO_CAPS,
      replyPtr: -1,
      replyCap: 0,
      seq,
    });
    m.narrow = new Int32Array(4);
    return m;
  }

  /** Make a done call message new again for the next call (see forCall). */
  rearm(endpoint: Endpoint, rcvid: number, seq: number): void {
    this.rcvid = rcvid;
    this.endpoint = endpoint;
    this.seq = seq;
    this.server = null;
    this.clientGone = false;
    this.done = false;
    this.timer = null;
  }

  /** Queue order: the sender's current (effective) priority. */
  get priority(): number {
    return this.sender.priority;
  }
}

/**
 * The messages a server has taken and not yet answered, by rcvid: what
 * priority inheritance, billing and answers read on every exchange. The
 * common case, one message at a time, is a field: no Map set and delete per
 * exchange; further ones go to a Map. Iteration is in the order taken.
 */
export class Serving {
  private one: Message | null = null;
  private more: Map<number, Message> | null = null;
  private takenCount = 0;

  get size(): number {
    return (this.one !== null ? 1 : 0) + (this.more === null ? 0 : this.more.size);
  }

  get(rcvid: number): Message | undefined {
    const one = this.one;
    if (one !== null && one.rcvid === rcvid) return one;
    return this.more === null ? undefined : this.more.get(rcvid);
  }

  add(m: Message): void {
    m.taken = ++this.takenCount;
    if (this.one === null) this.one = m;
    else (this.more ??= new Map()).set(m.rcvid, m);
  }

  delete(m: Message): void {
    if (this.one === m) this.one = null;
    else this.more?.delete(m.rcvid);
  }

  /**
   * A call pair's sync (kernel/ipc/fastpath.ts callPairServed): n messages were taken in wasm (each add's count),
   * the count after them.
   */
  counted(n: number): number {
    return (this.takenCount += n);
  }

  /** A call pair's sync: m held again as the only message, its count already given (counted). */
  hold(m: Message): void {
    this.one = m;
  }

  /** The message held when it is the only one, else null (the common case, read without a fold). */
  get only(): Message | null {
    return this.more === null || this.more.size === 0 ? this.one : null;
  }

  /** The message taken last, or null; `pred` filters (no allocation: no iterator when there is one message). */
  last(pred: (m: Message) => boolean): Message | null {
    let best: Message | null = null;
    const one = this.one;
    if (one !== null && pred(one)) best = one;
    if (this.more !== null) for (const m of this.more.values()) if (pred(m) && (best === null || m.taken > best.taken)) best = m;
    return best;
  }

  /** Fold f over the messages (any order), from `init`. */
  fold(init: number, f: (acc: number, m: Message) => number): number {
    let acc = init;
    if (this.one !== null) acc = f(acc, this.one);
    if (this.more !== null) for (const m of this.more.values()) acc = f(acc, m);
    return acc;
  }

  /** The messages, in the order taken (a new array). */
  values(): Message[] {
    const all: Message[] = this.more === null ? [] : [...this.more.values()];
    if (this.one !== null) all.push(this.one);
    return all.sort((a, b) => a.taken - b.taken);
  }

  keys(): number[] {
    return this.values().map((m) => m.rcvid);
  }
}

/**
 * The endpoint one handle of a process resolved to for call or reply_wait (HandleTable.get with the
 * call's rights), kept with the capability epoch it was resolved under (kernel/fast/epoch.ts) and
 * trusted only while the epoch is unchanged: every way a handle can stop meaning what it meant (a
 * close, a move, a revoke, an exit) changes the epoch. See kernel/ipc/fastpath.ts cachedEndpoint.
 */
export class EndpointCache {
  handle = 0;
  epoch = 0;
  endpoint: Endpoint | null = null;
}

/** A fixed-size notification; never blocks its sender. */
export interface Pulse {
  readonly kind: "pulse";
  readonly senderPid: number;
  readonly priority: number;
  /** The priority its receiver runs at once it takes it (kernel/ipc/priority.ts, pulse priority), or -1: its own. */
  readonly runAt: number;
  readonly code: number;
  readonly value: bigint;
  readonly seq: number;
}

export type Queued = Message | Pulse;

/** Where a process's IPC buffer is (ipc_buffer): MAX_MSG_WORDS i32 words in its own memory. */
export interface IpcBuffer {
  readonly memory: {
    setI32(ptr: number, v: number): void;
    i32(ptr: number): number;
    /** Four i32 at ptr (checked when the buffer was declared; memory never shrinks). */
    setI32x4(ptr: number, words: Int32Array): void;
    /** Words 0..n-1 of the four at ptr into out, the rest 0. */
    readI32x4(ptr: number, n: number, out: Int32Array): void;
  };
  readonly ptr: number;
}

/** No handles (a shared empty list: registers and messages never add to a list they were given). */
export const NO_HANDLES: number[] = [];

/**
 * The message registers: what was last delivered to a process (msg_word,
 * msg_info, msg_handle). Once the process has declared an IPC buffer, every
 * delivery also writes each word's low 32 bits there (call, reply_wait).
 * Words that came as i32 (call, reply_wait) are kept as i32 and widened
 * (sign-extended) only when msg_word asks: no BigInt on the fast path.
 */
export class MessageRegisters {
  kind = 0;
  senderPid = 0;
  bodyLen = 0;
  status = 0;
  rcvid = 0;
  private readonly wide = [0n, 0n, 0n, 0n];
  private readonly narrow = new Int32Array(4);
  /** The words are in `narrow` (sign-extend), not `wide`. */
  private isNarrow = false;
  handles: number[] = NO_HANDLES;
  buffer: IpcBuffer | null = null;

  /** Word i (0..3) as msg_word reports it. */
  word(i: number): bigint {
    return this.isNarrow ? BigInt(this.narrow[i]) : this.wide[i];
  }

  set(kind: number, senderPid: number, words: readonly bigint[], bodyLen: number, handles: number[], status: number, rcvid: number): void {
    this.kind = kind;
    this.senderPid = senderPid;
    this.isNarrow = false;
    for (let i = 0; i < 4; i++) this.wide[i] = words[i] ?? 0n;
    const b = this.buffer;
    if (b !== null) {
      // Each word's low 32 bits (BigInt.asIntN(32, w)) through a 64-bit view, without a BigInt each, as setPulse.
      const n = this.narrow;
      for (let i = 0; i < 4; i++) {
        LOW64[0] = this.wide[i];
        n[i] = LOW32[0];
      }
      b.memory.setI32x4(b.ptr, n);
    }
    this.bodyLen = bodyLen;
    this.handles = handles;
    this.status = status;
    this.rcvid = rcvid;
  }

  /** set(MSG_KIND_PULSE, senderPid, [code, value], 0, no handles, 0, 0) without the words array (the pulse fast path). */
  setPulse(kind: number, senderPid: number, code: number, value: bigint): void {
    this.kind = kind;
    this.senderPid = senderPid;
    this.isNarrow = false;
    const w = this.wide;
    w[0] = code >= 0 && code < SMALL_CODES.length ? SMALL_CODES[code] : BigInt(code);
    w[1] = value;
    w[2] = 0n;
    w[3] = 0n;
    const b = this.buffer;
    if (b !== null) {
      // The words' low 32 bits without a BigInt each (an interrupt a period takes this path): `narrow` is
      // free while isNarrow is false, and the value's low half comes through a 64-bit view.
      const n = this.narrow;
      n[0] = code;
      LOW64[0] = value;
      n[1] = LOW32[0];
      n[2] = 0;
      n[3] = 0;
      b.memory.setI32x4(b.ptr, n);
    }
    this.bodyLen = 0;
    this.handles = NO_HANDLES;
    this.status = 0;
    this.rcvid = 0;
  }

  /**
   * setPulse() for an i32 value (pulse_wait's): the same registers (msg_word sign-extends, as
   * setPulse(code, BigInt(value)) would give) and the same IPC buffer words, without a BigInt.
   */
  setPulseNarrow(kind: number, senderPid: number, code: number, value: number): void {
    this.setPulseNarrowRegisters(kind, senderPid, code, value);
    const b = this.buffer;
    if (b !== null) b.memory.setI32x4(b.ptr, this.narrow);
  }

  /**
   * setPulseNarrow() without the IPC buffer's words: a pulse pair's sync (KernelCore.syncYields), whose vDSO
   * wrote the buffer at the delivery itself (host/runtime/fast-yield.ts pulseTo). The guest may have written
   * its buffer since: it is not touched.
   */
  setPulseNarrowRegisters(kind: number, senderPid: number, code: number, value: number): void {
    this.kind = kind;
    this.senderPid = senderPid;
    this.isNarrow = true;
    const w = this.narrow;
    w[0] = code;
    w[1] = value;
    w[2] = 0;
    w[3] = 0;
    this.bodyLen = 0;
    this.handles = NO_HANDLES;
    this.status = 0;
    this.rcvid = 0;
  }

  /**
   * set() for i32 words (all four: the sender's unused ones are 0), no handles; a body of bodyLen bytes (an open's
   * path) or none; without the IPC buffer's write (a call pair's sync: the vDSO wrote the buffer at the delivery).
   */
  setNarrowRegisters(kind: number, senderPid: number, words: Int32Array, status: number, rcvid: number, bodyLen = 0): void {
    this.kind = kind;
    this.senderPid = senderPid;
    this.isNarrow = true;
    const w = this.narrow;
    w[0] = words[0];
    w[1] = words[1];
    w[2] = words[2];
    w[3] = words[3];
    this.bodyLen = bodyLen;
    this.handles = NO_HANDLES;
    this.status = status;
    this.rcvid = rcvid;
  }

  /** A narrow delivery: setNarrowRegisters, and the four words into the IPC buffer when one is declared. */
  setNarrow(kind: number, senderPid: number, words: Int32Array, status: number, rcvid: number, bodyLen = 0): void {
    this.setNarrowRegisters(kind, senderPid, words, status, rcvid, bodyLen);
    const b = this.buffer;
    if (b !== null) b.memory.setI32x4(b.ptr, this.narrow);
  }
}
