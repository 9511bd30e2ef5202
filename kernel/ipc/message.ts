// What travels through an endpoint, and what a process last received.

import type { Cap } from "../handles.ts";
import type { Timer } from "../timers.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";

/** A message from a client blocked in send/sendmsg until the reply. */
export class Message {
  readonly kind = "message";
  readonly rcvid: number;
  readonly sender: Process;
  readonly endpoint: Endpoint;
  readonly words: readonly bigint[];
  /** The body stays in the sender's memory (it is blocked) and is copied once, at delivery. */
  readonly bodyPtr: number;
  readonly bodyLen: number;
  /** Capabilities in flight to the server (moved out of, or derived from, the sender's). */
  caps: Cap[];
  /** sendmsg's reply buffer; -1 for a short send (no reply body). */
  readonly replyPtr: number;
  readonly replyCap: number;
  readonly seq: number;
  server: Process | null = null;
  /** The client ended or timed out: the reply will get EGONE. */
  clientGone = false;
  /** The exchange is over (answered, dropped, or its server ended). */
  done = false;
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

  /** Queue order: the sender's current (effective) priority. */
  get priority(): number {
    return this.sender.priority;
  }
}

/** A fixed-size notification; never blocks its sender. */
export interface Pulse {
  readonly kind: "pulse";
  readonly senderPid: number;
  readonly priority: number;
  readonly code: number;
  readonly value: bigint;
  readonly seq: number;
}

export type Queued = Message | Pulse;

/** Where a process's IPC buffer is (ipc_buffer): MAX_MSG_WORDS i32 words in its own memory. */
export interface IpcBuffer {
  readonly memory: { setI32(ptr: number, v: number): void; i32(ptr: number): number };
  readonly ptr: number;
}

/**
 * The message registers: what was last delivered to a process (msg_word,
 * msg_info, msg_handle). Once the process has declared an IPC buffer, every
 * delivery also writes each word's low 32 bits there (call, reply_wait).
 */
export class MessageRegisters {
  kind = 0;
  senderPid = 0;
  bodyLen = 0;
  status = 0;
  rcvid = 0;
  readonly words = [0n, 0n, 0n, 0n];
  handles: number[] = [];
  buffer: IpcBuffer | null = null;

  set(kind: number, senderPid: number, words: readonly bigint[], bodyLen: number, handles: number[], status: number, rcvid: number): void {
    this.kind = kind;
    this.senderPid = senderPid;
    for (let i = 0; i < 4; i++) this.words[i] = words[i] ?? 0n;
    const b = this.buffer;
    if (b !== null) for (let i = 0; i < 4; i++) b.memory.setI32(b.ptr + 4 * i, Number(BigInt.asIntN(32, this.words[i])));
    this.bodyLen = bodyLen;
    this.handles = handles;
    this.status = status;
    this.rcvid = rcvid;
  }
}
