// IPC for AssemblyScript guests: endpoints (send/receive/reply, pulses),
// message descriptors for long messages and handle transfer, the name
// registry, event ports, and capability management (dup, revoke, pledge).
// Raw results keep the ABI convention: negative means -errno.

import {
  sys_endpoint_create, sys_handle_dup, sys_handle_revoke, sys_msg_handle, sys_msg_info, sys_msg_word_get, sys_name_lookup,
  sys_name_register, sys_name_unregister, sys_pledge, sys_port_bind, sys_port_create, sys_port_send, sys_pulse, sys_receive,
  sys_reply, sys_reply_error, sys_replymsg, sys_send, sys_sendmsg, sys_call, sys_ipc_buffer, sys_reply_wait, sys_pulse_wait, sys_io_reply_wait,
  DEADLINE_INFINITE, MSG_DESC_SIZE, MSG_INFO_SIZE, MSG_MOVE_HANDLES, MsgDescLayout, MsgInfoLayout,
} from "./bindings/abi";

// ---- the fast path: call and replyWait with words in the IPC buffer ---------------
//
//   setIpcWord(0, x); const status = call(ep, 1); const answer = ipcWord(0);   // client
//   let r = replyWait(ep, 0, 0);                                                 // server: wait
//   for (;;) { ...ipcWord(0)...; setIpcWord(0, y); r = replyWait(ep, r, 0, 1); } // answer, wait
//   for (;;) { r = pulseWait(peer, code, value, ep); ... }                      // signal, wait
//
// One crossing into the kernel per side of a round trip, i32 words, nothing
// allocated: the cheapest exchange, and the standard shape of a client and a
// server whose requests and answers fit in four words (docs/fastpath.md: the
// kernel hands the CPU straight to the peer). Messages and answers
// interoperate with send/receive/reply (their words, low 32 bits): use those
// for bodies, handles and deadlines.

/** This process's IPC buffer: MAX_MSG_WORDS i32 words, declared to the kernel at first use. */
const ipcWords = new StaticArray<i32>(4);
let ipcDeclared = false;

/**
 * Declare the IPC buffer now (call and replyWait do it at first use): from then
 * on every delivery (receive's messages and pulses too) writes its words' low
 * 32 bits there, readable with ipcWord without a crossing. 0, or -errno when
 * the kernel refused the buffer (EPLEDGE after a pledge without the IPC class).
 */
export function declareIpcBuffer(): i32 {
  if (ipcDeclared) return 0;
  const r = sys_ipc_buffer(changetype<i32>(ipcWords));
  if (r < 0) return r;
  ipcDeclared = true;
  return 0;
}

/** Word i (0..3) of the IPC buffer: what the last delivery (a message, a pulse, an answer) carried. */
// @ts-ignore: decorator
@inline
export function ipcWord(i: i32): i32 {
  return unchecked(ipcWords[i]);
}

/** Set word i (0..3) of the IPC buffer: what the next call or replyWait sends. */
// @ts-ignore: decorator
@inline
export function setIpcWord(i: i32, v: i32): void {
  unchecked((ipcWords[i] = v));
}

/** Send words 0..words-1 of the IPC buffer on ep and wait for the answer (its words then in the buffer). The status, or -errno. */
export function call(ep: i32, words: i32 = 0): i32 {
  const d = declareIpcBuffer();
  return d < 0 ? d : sys_call(ep, words);
}

/**
 * Answer rcvid (0: nothing to answer) with status and words 0..words-1 of the
 * IPC buffer, then wait on ep for the next message (its rcvid) or pulse (0),
 * its words in the buffer. -errno on failure.
 */
export function replyWait(ep: i32, rcvid: i32, status: i32, words: i32 = 0): i32 {
  const d = declareIpcBuffer();
  return d < 0 ? d : sys_reply_wait(ep, rcvid, status, words);
}

/**
 * replyWait with a body buffer (a resource manager's loop): answer rcvid (0:
 * nothing to answer) with status and words 0..words-1 of the IPC buffer, then
 * wait on ep for the next message, its body into buf (at most buf.byteLength
 * bytes; null: none), its words in the IPC buffer. The next rcvid, 0 for a
 * pulse, or -errno (then nothing was answered, except EMFILE for a message that
 * arrived while waiting: guests/sdk/resmgr.ts's Server.run uses it).
 */
export function ioReplyWait(ep: i32, rcvid: i32, status: i32, words: i32, buf: Uint8Array | null): i32 {
  const d = declareIpcBuffer();
  if (d < 0) return d;
  return buf === null ? sys_io_reply_wait(ep, rcvid, status, words, 0, 0) : sys_io_reply_wait(ep, rcvid, status, words, <i32>buf.dataStart, buf.byteLength);
}

/**
 * Signal and wait in one step (an event loop's turn, one side of a ping-pong):
 * pulse (code, value) on ep as pulse() does, then wait on waitEp as
 * replyWait(waitEp, 0, 0) does: the next message's rcvid, or 0 for a pulse, its
 * words in the IPC buffer (ipcWord). value is 32 bits (the receiver's word 1,
 * sign-extended): for a 64-bit value, pulse() then receive(). -errno on failure,
 * and then nothing was pulsed (ECLOSED, EAGAIN: ep's refusals, as pulse's).
 */
export function pulseWait(ep: i32, code: i32, value: i32, waitEp: i32): i32 {
  const d = declareIpcBuffer();
  return d < 0 ? d : sys_pulse_wait(ep, code, value, waitEp);
}

// ---- endpoints ------------------------------------------------------------------

/** A new endpoint (DUPLICATE|TRANSFER|SEND|RECEIVE), or -errno. */
export function endpointCreate(): i32 {
  return sys_endpoint_create();
}

/** Send four words and wait for the reply. Returns the reply status or -errno; reply words via word(i). */
export function send(ep: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, deadline: i64 = DEADLINE_INFINITE): i32 {
  return sys_send(ep, w0, w1, w2, w3, deadline);
}

/** A long message: words, a body, a reply buffer and handles to pass. */
export class Message {
  words: StaticArray<i64> = new StaticArray<i64>(4);
  body: Uint8Array | null = null;
  reply: Uint8Array | null = null;
  handles: i32[] = [];
  /** Move the handles (they leave this process) instead of copying them. */
  move: bool = false;

  /** Encode into a descriptor the kernel reads (valid until the next call). */
  descriptor(): usize {
    const d = new ArrayBuffer(MSG_DESC_SIZE);
    const p = changetype<usize>(d);
    for (let i = 0; i < 4; i++) MsgDescLayout.setWords(p, i, this.words[i]);
    const body = this.body;
    if (body !== null) {
      MsgDescLayout.setSendPtr(p, <u32>body.dataStart);
      MsgDescLayout.setSendLen(p, <u32>body.byteLength);
    }
    const reply = this.reply;
    if (reply !== null) {
      MsgDescLayout.setReplyPtr(p, <u32>reply.dataStart);
      MsgDescLayout.setReplyCap(p, <u32>reply.byteLength);
    }
    const hs = new StaticArray<i32>(this.handles.length);
    for (let i = 0; i < this.handles.length; i++) hs[i] = this.handles[i];
    MsgDescLayout.setHandlesPtr(p, changetype<u32>(hs));
    MsgDescLayout.setHandlesCount(p, <u16>this.handles.length);
    MsgDescLayout.setFlags(p, this.move ? <u16>MSG_MOVE_HANDLES : 0);
    this.keep = d;
    this.keepHandles = hs;
    return p;
  }
  private keep: ArrayBuffer | null = null;
  private keepHandles: StaticArray<i32> | null = null;
}

/** Send a long message and wait for the reply. Returns the reply status or -errno. */
export function sendMessage(ep: i32, m: Message, deadline: i64 = DEADLINE_INFINITE): i32 {
  return sys_sendmsg(ep, <i32>m.descriptor(), deadline);
}

/** Wait for a message (returns its receive id > 0) or a pulse (returns 0); the body goes into buf. */
export function receive(ep: i32, buf: Uint8Array | null = null, deadline: i64 = DEADLINE_INFINITE): i32 {
  return buf === null ? sys_receive(ep, 0, 0, deadline) : sys_receive(ep, <i32>buf.dataStart, buf.byteLength, deadline);
}

/** Answer a message: status, two words, and a body for the client's reply buffer. */
export function reply(rcvid: i32, status: i32, w0: i64 = 0, w1: i64 = 0, body: Uint8Array | null = null): i32 {
  return body === null ? sys_reply(rcvid, status, w0, w1, 0, 0) : sys_reply(rcvid, status, w0, w1, <i32>body.dataStart, body.byteLength);
}

/** Answer a message with a descriptor (four words, body, handles). */
export function replyMessage(rcvid: i32, status: i32, m: Message): i32 {
  return sys_replymsg(rcvid, status, <i32>m.descriptor());
}

/** Answer a message with an error: the client's send returns -errno. */
export function replyError(rcvid: i32, errno: i32): i32 {
  return sys_reply_error(rcvid, errno);
}

/** A non-blocking notification (code, value) to an endpoint. */
export function pulse(ep: i32, code: i32, value: i64 = 0): i32 {
  return sys_pulse(ep, code, value);
}

const wordBuf = new StaticArray<i64>(1);

/**
 * Message register i of the last message, pulse or reply delivered to this
 * process; 0 when i is out of range (0 <= i < MAX_MSG_WORDS). Through
 * msg_word_get, whose status cannot be mistaken for a word.
 */
export function word(i: i32): i64 {
  wordBuf[0] = 0;
  sys_msg_word_get(i, changetype<i32>(wordBuf));
  return wordBuf[0];
}

/** The index-th handle that came with the last message or reply. */
export function receivedHandle(i: i32): i32 {
  return sys_msg_handle(i);
}

/** What msg_info reports about the last delivery. */
export class MessageInfo {
  kind: u32 = 0;
  senderPid: u32 = 0;
  bodyLength: u32 = 0;
  handles: u32 = 0;
  status: i32 = 0;
  rcvid: i32 = 0;
}

export function messageInfo(): MessageInfo {
  const buf = new ArrayBuffer(MSG_INFO_SIZE);
  const p = changetype<usize>(buf);
  sys_msg_info(<i32>p);
  const info = new MessageInfo();
  info.kind = MsgInfoLayout.kind(p);
  info.senderPid = MsgInfoLayout.senderPid(p);
  info.bodyLength = MsgInfoLayout.bodyLen(p);
  info.handles = MsgInfoLayout.handles(p);
  info.status = MsgInfoLayout.status(p);
  info.rcvid = MsgInfoLayout.rcvid(p);
  return info;
}

// ---- names ------------------------------------------------------------------------

export function nameRegister(ns: i32, name: string, ep: i32): i32 {
  const b = String.UTF8.encode(name);
  return sys_name_register(ns, changetype<i32>(b), b.byteLength, ep);
}

/** A send handle to the endpoint registered under name, or -errno (-ENOENT if none). */
export function nameLookup(ns: i32, name: string): i32 {
  const b = String.UTF8.encode(name);
  return sys_name_lookup(ns, changetype<i32>(b), b.byteLength);
}

export function nameUnregister(ns: i32, name: string): i32 {
  const b = String.UTF8.encode(name);
  return sys_name_unregister(ns, changetype<i32>(b), b.byteLength);
}

// ---- event ports ---------------------------------------------------------------------

export function portCreate(): i32 {
  return sys_port_create();
}

/**
 * Bind a port to an exported handler `(key: i32, code: i32, value: i64) => void`.
 * After _start returns the kernel calls it once per packet. flags: PORT_BIND_IDLE
 * (also an idle packet when nothing else runs) and/or PORT_BIND_DIRECT (a packet
 * sent while this process is idle runs the handler at once, inside the sender's
 * port_send: for short handlers that never block; see port_bind in docs/abi.md).
 */
export function portBind(port: i32, handler: string, key: i32 = 0, flags: i32 = 0): i32 {
  const b = String.UTF8.encode(handler);
  return sys_port_bind(port, changetype<i32>(b), b.byteLength, key, flags);
}

export function portSend(port: i32, code: i32, value: i64 = 0): i32 {
  return sys_port_send(port, code, value);
}

// ---- capabilities ---------------------------------------------------------------------

/** A new handle to the same object with a subset of the rights. */
export function dup(h: i32, rights: i32): i32 {
  return sys_handle_dup(h, rights);
}

/** Invalidate every handle derived from h, everywhere. Returns how many. */
export function revoke(h: i32): i32 {
  return sys_handle_revoke(h);
}

/** Keep only these pledge classes (1 << PLEDGE_*), for good. */
export function pledge(promises: i32): i32 {
  return sys_pledge(promises);
}
