// A small reference model of the kernel's IPC and capability semantics, and
// fast-check commands that drive the real kernel (fake processes, fake-host.ts)
// and the model side by side. After every step the two must agree (each
// process's state and pending result, each table's handles with their objects
// and rights, each endpoint's queue) and the kernel's own invariants hold
// (invariants.ts).
//
// The model follows the kernel's scheduling choice (who runs next is not what
// it checks) and learns of timeouts from the kernel, checking each was due;
// it also learns the numbers the kernel picks (rcvids, new handle values, the
// OCB ids the file server picks), checking they are new; everything else it
// predicts: every syscall's result, every wake-up's result, what each handle
// names after dup, close, revoke, a move or a copy in a message, a process
// dying in any state, and (files.ts) every file request's answer, the bytes
// it leaves in the client's buffer, and each close pulse. Process pulses
// (pulse, and pulse_wait's signal-and-wait) are predicted too: where each
// goes (a waiting receiver, or the queue, in order with the messages), the
// words its receiver gets, the per-sender bound (MAX_PENDING_PULSES, EAGAIN),
// their end with the endpoint, and every refusal pulse_wait makes before it
// pulses (one process starts without an IPC buffer: EINVAL; a caller whose
// table is full while a message with handles is next: EMFILE).

import fc from "fast-check";
import { Constants, Errno, ExitReason, Limits, ObjectType, ProcessState, Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import type { Cap } from "../../kernel/handles.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { BLOCK, SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { checkKernelInvariants } from "./invariants.ts";
import type { FakeHost } from "./fake-host.ts";
import type { FileServer, Node, TinyFs } from "./files.ts";

const INF = BigInt(Constants.DEADLINE_INFINITE);
/** Steps applied to a kernel, across runs (read by the bench figure). */
export const stepCount = { steps: 0 };
/** What the generic commands reached, across runs (the model test checks each kind happened). */
export const modelStats = {
  killedRunning: 0,
  killedSendBlocked: 0,
  killedReplyBlocked: 0,
  killedReceiveBlocked: 0,
  timeouts: 0,
  handlesLanded: 0,
  windowRevoked: 0,
  replied: 0,
  calls: 0,
  answeredByReplyWait: 0,
  /** Process pulses: taken at once by a waiting receiver, queued, received from the queue, dropped with their endpoint. */
  pulsesToWaiting: 0,
  pulsesQueued: 0,
  pulsesReceived: 0,
  pulsesDropped: 0,
  /** Pulses refused because the sender had MAX_PENDING_PULSES pending there. */
  pulseEagain: 0,
  /** pulse_wait: refusals before pulsing (no IPC buffer, the sender's bound, a next message whose handles do not fit) and its wait taking the caller's own pulse. */
  pulseWaitEinval: 0,
  pulseWaitEagain: 0,
  pulseWaitEmfile: 0,
  pulseWaitOwnPulse: 0,
  pulseWaitBlocked: 0,
  /** Derivation trees: an inner node (a parent and children) ended, its children adopted; a revoke that ended a grandchild or deeper; one that ended a capability outside the revoker's table. */
  innerNodeEnded: 0,
  revokedDeep: 0,
  revokedElsewhere: 0,
};

/** With modelTrace.on (MODEL_TRACE=1), traceLog has each step of the current run and what the model made of it. */
export const modelTrace = { on: Boolean(process.env.MODEL_TRACE) };
export const traceLog: string[] = [];
const ENDPOINT_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.SEND | Rights.RECEIVE;
const MEMORY_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.MAP;

// ---- the model ------------------------------------------------------------------

/** A capability: in a table (pid, handle), in flight in a message, or held by a window. */
export interface MCap {
  readonly id: number;
  readonly obj: number; // koid
  readonly type: number;
  readonly rights: number;
  parent: MCap | null;
  readonly children: Set<MCap>;
  live: boolean;
  pid: number | null;
  handle: number;
}

interface MMsg {
  readonly kind?: undefined;
  readonly rcvid: number;
  readonly sender: number;
  readonly ep: number;
  caps: MCap[];
  server: number | null;
  clientGone: boolean;
  readonly deadline: number;
  /** A request to the file server (ns_open, io_call): what the client asked, in the client's terms. */
  readonly io?: MIo;
  /** A call's words (from the caller's IPC buffer): the server must receive exactly these, the rest 0. */
  readonly words?: readonly number[];
}

/** A file request as the client made it (files.ts answers it from the model's own file system). */
export interface MIo {
  readonly op: number;
  /** io_call: the FILE object the handle named. */
  readonly koid: number;
  /** ns_open: the path relative to the mount, the flags, and the rights the FILE handle must get. */
  readonly rest: string;
  readonly flags: number;
  readonly rights: number;
  readonly form: number;
  /** The descriptor's offset: a file offset, a readdir cookie, a size (setsize), a time (settimes). */
  readonly offset: bigint;
  readonly len: number;
  readonly data: readonly number[];
}

/** An open file (a FILE object): the open's id its server chose, the name it opened, whether it ended. */
export interface MFile {
  readonly koid: number;
  readonly ocb: bigint;
  readonly name: string;
  /** What it names in the model's file system (a file lives on after an unlink while opens hold it). */
  readonly node: Node;
  /** The endpoint of the server that answered the open. */
  readonly ep: number;
  closed: boolean;
}

/** A pulse a process queued on an endpoint (the kernel's own, the file server's close pulses, are Model.pendingCloses). */
export interface MPulse {
  readonly kind: "pulse";
  readonly sender: number;
  readonly code: number;
  readonly value: bigint;
}

/** What an endpoint queues: messages and pulses, in the order they came (every process has one priority here). */
export type MQueued = MMsg | MPulse;

export const isPulse = (q: MQueued): q is MPulse => q.kind === "pulse";

type MState = "run" | "send" | "reply" | "recv" | "exited";

interface MProc {
  state: MState;
  /** The result the kernel must resume it with, once known. */
  expect: number | null;
  /** Absolute deadline of its blocking call (Infinity for none). */
  deadline: number;
  sending: MMsg | null;
  recvEp: number | null;
  readonly serving: Map<number, MMsg>;
  /** Every handle value it ever held (stale ones are tried too). */
  readonly known: number[];
  /** Results the kernel resumed it with that the model has accounted for. */
  resumed: number;
  readonly pid: number;
  /** When its blocking call set its timer, among all (timers with one deadline fire in the order they were set). */
  timerSeq: number;
  /** Handle values that ever named a FILE, and a DIR, here (file commands try these, stale ones too). */
  readonly files: number[];
  readonly dirs: number[];
  /** It declared an IPC buffer (ipc_buffer): call, reply_wait and pulse_wait need one. */
  buffer: boolean;
}

interface MEndpoint {
  readonly queue: MQueued[];
  readonly receivers: number[];
}

interface MWindow {
  readonly cap: MCap; // the held cap the window keeps (derived from the mapping handle's)
}

export class Model {
  readonly procs = new Map<number, MProc>();
  readonly endpoints = new Map<number, MEndpoint>();
  readonly windows = new Map<number, MWindow>(); // koid -> window
  private nextCap = 1;
  /** Timers set so far (MProc.timerSeq). */
  timerSeq = 0;
  /** The highest rcvid seen (a made-up one above it is unknown to the kernel). */
  rcvid = 0;
  steps = 0;

  addProc(pid: number): void {
    this.procs.set(pid, {
      state: "run",
      expect: null,
      deadline: Infinity,
      sending: null,
      recvEp: null,
      serving: new Map(),
      known: [],
      resumed: 0,
      pid,
      timerSeq: 0,
      files: [],
      dirs: [],
      buffer: false,
    });
  }

  newCap(obj: number, type: number, rights: number, parent: MCap | null): MCap {
    const c: MCap = { id: this.nextCap++, obj, type, rights, parent, children: new Set(), live: true, pid: null, handle: 0 };
    parent?.children.add(c);
    return c;
  }

  place(c: MCap, pid: number, handle: number): void {
    c.pid = pid;
    c.handle = handle;
    const mp = this.procs.get(pid)!;
    if (!mp.known.includes(handle)) mp.known.push(handle);
    const kind = c.type === ObjectType.FILE ? mp.files : c.type === ObjectType.DIR ? mp.dirs : null;
    if (kind !== null && !kind.includes(handle)) kind.push(handle);
  }

  // ---- the file server's side (files.ts) ----
  /** The file server's endpoint (koid) and pid; -1 when the run has none. */
  fsEp = -1;
  fsPid = -1;
  /** The model's copy of the file server's file system. */
  fs!: TinyFs;
  /** FILE objects by koid. */
  readonly files = new Map<number, MFile>();
  /** Close pulses posted to the file server and not yet received (their OCB ids). */
  pendingCloses: bigint[] = [];

  /** What is mounted at /f: the endpoint (koid), and whether a process mounted it (the mount then ends with it). */
  mount: { ep: number; owned: boolean } | null = null;
  /** Servers started after the first died (files.ts Restart). */
  restarts = 0;

  /** Whether the current server lives. */
  fsAlive(): boolean {
    return this.fsEp >= 0 && this.receiveCaps(this.fsEp) > 0;
  }

  /** Whether an open of the server behind endpoint ep still has its server. */
  served(ep: number): boolean {
    return this.receiveCaps(ep) > 0;
  }

  /** A FILE object's last capability ended: its server, if alive, gets a close pulse with the OCB. */
  private fileEnded(koid: number): void {
    const f = this.files.get(koid);
    if (f === undefined || f.closed) return;
    f.closed = true;
    if (this.served(f.ep)) this.postClose(f.ocb); // (f.ep is then the current server's: the others are dead)
  }

  /** A close pulse for ocb: taken at once by a server blocked in receive, else queued. */
  postClose(ocb: bigint): void {
    if (modelTrace.on) traceLog.push(`  close pulse for OCB ${ocb} (the server ${this.procs.get(this.fsPid)!.state})`);
    this.pendingCloses.push(ocb);
    const s = this.procs.get(this.fsPid)!;
    if (s.state === "recv" && s.recvEp === this.fsEp) this.wakeWith(this.fsPid, 0);
  }

  /** Every live cap in some table. */
  *tableCaps(): IterableIterator<MCap> {
    for (const c of this.allCaps) if (c.live && c.pid !== null) yield c;
  }

  readonly allCaps: MCap[] = [];
  track(c: MCap): MCap {
    this.allCaps.push(c);
    return c;
  }

  capOf(pid: number, handle: number): MCap | undefined {
    return this.allCaps.find((c) => c.live && c.pid === pid && c.handle === handle);
  }

  /** A cap leaves the tree (closed, dropped in flight, its process ended): children move up to its parent. */
  detach(c: MCap): void {
    for (const ch of c.children) {
      ch.parent = c.parent;
      c.parent?.children.add(ch);
    }
    c.children.clear();
    c.parent?.children.delete(c);
    c.parent = null;
  }

  /** The cap's capability ends. */
  end(c: MCap): void {
    if (c.parent !== null && c.children.size > 0) modelStats.innerNodeEnded++;
    this.detach(c);
    c.live = false;
    c.pid = null;
    this.capEnded(c);
  }

  /** Revoke: every descendant ends, wherever it is. */
  revoke(c: MCap): number {
    let n = 0;
    const stack = [...c.children];
    c.children.clear();
    const ended: MCap[] = [];
    const below = new Map<MCap, number>(stack.map((d) => [d, 1])); // levels below c (for modelStats)
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (below.get(d)! >= 2) modelStats.revokedDeep++;
      if (d.pid !== c.pid) modelStats.revokedElsewhere++;
      for (const dd of d.children) below.set(dd, below.get(d)! + 1);
      stack.push(...d.children);
      d.children.clear();
      d.parent = null;
      if (d.live && d.pid !== null) n++;
      d.live = false;
      d.pid = null;
      ended.push(d);
    }
    for (const d of ended) this.capEnded(d);
    return n;
  }

  /** Effects of a capability ending: an endpoint whose last RECEIVE cap went is closed. */
  private capEnded(c: MCap): void {
    if (c.type === ObjectType.ENDPOINT && c.rights & Rights.RECEIVE && this.receiveCaps(c.obj) === 0) this.endpointClosed(c.obj);
    if (c.type === ObjectType.FILE && !this.allCaps.some((x) => x.live && x.obj === c.obj)) this.fileEnded(c.obj);
  }

  receiveCaps(ep: number): number {
    return this.allCaps.filter((c) => c.live && c.obj === ep && c.rights & Rights.RECEIVE).length;
  }

  private endpointClosed(ep: number): void {
    const e = this.endpoints.get(ep)!;
    for (const q of e.queue.splice(0)) {
      if (isPulse(q))
        modelStats.pulsesDropped++; // dropped with the endpoint
      else this.wakeWith(q.sender, -Errno.ECLOSED); // sendEnded drops its caps
    }
    if (ep === this.fsEp) this.pendingCloses = []; // queued pulses are dropped with the endpoint
  }

  /** Pulses from `pid` queued on endpoint ep (the sender's count the kernel bounds by MAX_PENDING_PULSES). */
  pendingPulses(ep: number, pid: number): number {
    let n = 0;
    for (const q of this.endpoints.get(ep)!.queue) if (isPulse(q) && q.sender === pid) n++;
    return n;
  }

  /** p is woken with r; its blocking call is undone (queue, receivers, message). */
  wakeWith(pid: number, r: number): void {
    const p = this.procs.get(pid)!;
    if (p.state === "run" || p.state === "exited") return;
    this.unblock(pid);
    p.state = "run";
    p.expect = r;
    p.deadline = Infinity;
  }

  /** Undo p's blocking call (wake, timeout or death). */
  private unblock(pid: number): void {
    const p = this.procs.get(pid)!;
    if (p.state === "recv") {
      const e = this.endpoints.get(p.recvEp!)!;
      const i = e.receivers.indexOf(pid);
      if (i >= 0) e.receivers.splice(i, 1);
      p.recvEp = null;
    }
    const m = p.sending;
    if (m !== null) {
      p.sending = null;
      if (m.server === null) {
        const e = this.endpoints.get(m.ep)!;
        const i = e.queue.indexOf(m);
        if (i >= 0) e.queue.splice(i, 1);
        for (const c of m.caps) this.end(c);
        m.caps = [];
      } else m.clientGone = true;
    }
  }

  /** The kernel timed p out: it must have been blocked with a deadline that has passed. */
  timedOut(pid: number, now: number): string | null {
    if (modelTrace.on) traceLog.push(`  pid ${pid} timed out at ${now}`);
    modelStats.timeouts++;
    const p = this.procs.get(pid)!;
    if (p.state === "run" || p.state === "exited") return `pid ${pid} woke with ETIMEDOUT but the model has it ${p.state}`;
    if (!(p.deadline <= now)) return `pid ${pid} woke with ETIMEDOUT at ${now} before its deadline ${p.deadline}`;
    this.wakeWith(pid, -Errno.ETIMEDOUT);
    return null;
  }

  /** Deliver m to server (its receive returns the rcvid): caps land in its table (handles learned from the kernel). */
  deliver(m: MMsg, server: number): void {
    m.server = server;
    this.procs.get(server)!.serving.set(m.rcvid, m);
    const client = this.procs.get(m.sender)!;
    if (client.state === "send") client.state = "reply";
  }

  /** p ended (killed): its handles close, its messages' clients get ECLOSED, its own call is undone. */
  exited(pid: number): void {
    const p = this.procs.get(pid)!;
    if (p.state === "exited") return;
    this.unblock(pid);
    p.state = "exited";
    p.expect = null;
    for (const m of [...p.serving.values()]) {
      p.serving.delete(m.rcvid);
      if (!m.clientGone) this.wakeWith(m.sender, -Errno.ECLOSED);
    }
    for (const c of [...this.tableCaps()]) if (c.pid === pid) this.end(c);
    if (pid === this.fsPid && this.mount?.owned) this.mount = null; // a mount ends with the process that made it
  }
}

// ---- the system under test -------------------------------------------------------

export interface Real {
  k: KernelCore;
  host: FakeHost;
  procs: Process[];
  /** Each fake process's memory, for descriptors. */
  views: Map<number, DataView>;
  /** The shared endpoint (looked up by koid while no table names it any more). */
  endpoints: Map<number, Endpoint>;
  /** Run after each command: the file server takes its turns (files.ts). */
  serve?: (m: Model, r: Real) => void;
  fileServer?: FileServer;
  /** Objects the host keeps a reference to (outside any table). */
  hostRefs?: readonly KernelObject[];
}

/** A failed agreement: the message says which step and what differed. */
export class Divergence extends Error {
  override readonly name = "Divergence";
}

export function fail(m: Model, what: string): never {
  throw new Divergence(`step ${m.steps}: ${what}`);
}

const STATE_OF: Record<number, MState> = {
  [ProcessState.READY]: "run",
  [ProcessState.RUNNING]: "run",
  [ProcessState.SEND_BLOCKED]: "send",
  [ProcessState.REPLY_BLOCKED]: "reply",
  [ProcessState.RECEIVE_BLOCKED]: "recv",
  [ProcessState.EXITED]: "exited",
};

/**
 * Bring in what happened in the kernel that the model learns rather than
 * predicts (timeouts), then compare everything.
 */
export function reconcile(m: Model, r: Real): void {
  learn(m, r);
  compare(m, r);
}

/**
 * Learn the timeouts the kernel fired since the last look (before the file
 * server takes its turn: a timed-out send drops the FILE handles it carried,
 * and the close pulses that follow must be the model's). Processes are looked
 * at in pid order, the file server last.
 */
export function learn(m: Model, r: Real): void {
  const now = r.k.clock.now();
  const woken = (p: Process) => {
    const mp = m.procs.get(p.pid)!;
    const rt = r.host.runtimes.get(p.pid)!;
    const blocked = mp.state === "send" || mp.state === "reply" || mp.state === "recv";
    if (!blocked || STATE_OF[p.state] !== "run") return null;
    return rt.resumed.length > mp.resumed ? rt.resumed[rt.resumed.length - 1] : p.resumeValue;
  };
  // Timeouts first, in the order the kernel fires timers (deadline, then the order they were set): one
  // timeout's effects (a timed-out send drops a handle it carried, an endpoint closes) may wake others.
  const timedOut = r.procs
    .filter((p) => woken(p) === -Errno.ETIMEDOUT)
    .map((p) => m.procs.get(p.pid)!)
    .sort((a, b) => a.deadline - b.deadline || a.timerSeq - b.timerSeq);
  for (const mp of timedOut) {
    const why = m.timedOut(mp.pid, now);
    if (why) fail(m, why);
  }
  // Then anything else the kernel woke and the model did not.
  for (const p of r.procs) {
    const got = woken(p);
    if (got !== null)
      fail(
        m,
        `pid ${p.pid} woke with ${got}; the model has it ${m.procs.get(p.pid)!.state} (deadline ${m.procs.get(p.pid)!.deadline}, now ${now})`,
      );
  }
}

function compare(m: Model, r: Real): void {
  const now = r.k.clock.now();
  const tables = new Map<number, string[]>(); // the model's tables, pid -> "handle:koid:rights"
  for (const c of m.tableCaps()) {
    let t = tables.get(c.pid!);
    if (t === undefined) tables.set(c.pid!, (t = []));
    t.push(`${c.handle}:${c.obj}:${c.rights}`);
  }
  for (const p of r.procs) {
    const mp = m.procs.get(p.pid)!;
    const ks = STATE_OF[p.state];
    if (ks !== mp.state) fail(m, `pid ${p.pid}: kernel state ${p.state} (${ks}), model ${mp.state}`);
    if (mp.state !== "run" && mp.state !== "exited" && mp.deadline < now && r.k.current === null) {
      fail(m, `pid ${p.pid} is still ${mp.state} at ${now}, past its deadline ${mp.deadline}, with nothing running`);
    }
    // A woken process: the value the kernel resumed it with (or will, once dispatched).
    const rt = r.host.runtimes.get(p.pid)!;
    if (rt.resumed.length > mp.resumed) {
      const got = rt.resumed[rt.resumed.length - 1];
      if (mp.expect !== null && got !== mp.expect) fail(m, `pid ${p.pid} resumed with ${got}, the model expects ${mp.expect}`);
      mp.expect = null;
      mp.resumed = rt.resumed.length;
    } else if (p.state === ProcessState.READY && mp.expect !== null && p.resumeValue !== mp.expect) {
      fail(m, `pid ${p.pid} resumes with ${p.resumeValue}, the model expects ${mp.expect}`);
    }
    // Its table.
    if (p.state !== ProcessState.EXITED) {
      const kt = [...p.handles.entries()].map((e) => `${e.handle}:${e.object.koid}:${e.rights}`).sort();
      const mt = (tables.get(p.pid) ?? []).sort();
      if (kt.join(" ") !== mt.join(" ")) fail(m, `pid ${p.pid} table: kernel [${kt.join(" ")}], model [${mt.join(" ")}]`);
    }
    // Messages it serves.
    const ks2 = [...p.serving.keys()].sort((a, b) => a - b).join(",");
    const ms2 = [...mp.serving.keys()].sort((a, b) => a - b).join(",");
    if (ks2 !== ms2) fail(m, `pid ${p.pid} serves rcvids [${ks2}] in the kernel, [${ms2}] in the model`);
  }
  for (const [koid, e] of m.endpoints) {
    const ep = endpointOf(r, koid);
    if (ep === null) continue;
    // Messages by rcvid, process pulses by sender and words (the kernel's own pulses are the file server's: files.ts).
    const kq = ep.queue
      .filter((q) => q.kind === "message" || q.senderPid !== 0)
      .map((q) => (q.kind === "message" ? String(q.rcvid) : `pulse:${q.senderPid}:${q.code}:${q.value}`))
      .join(",");
    const mq = e.queue.map((q) => (isPulse(q) ? `pulse:${q.sender}:${q.code}:${q.value}` : String(q.rcvid))).join(",");
    if (kq !== mq) fail(m, `endpoint ${koid} queue: kernel [${kq}], model [${mq}]`);
    const kp = [...ep.pendingPulses].filter(([pid]) => pid !== 0).sort((a, b) => a[0] - b[0]);
    const mp2 = [...new Set(e.queue.filter(isPulse).map((q) => q.sender))]
      .sort((a, b) => a - b)
      .map((pid) => [pid, m.pendingPulses(koid, pid)]);
    if (JSON.stringify(kp) !== JSON.stringify(mp2))
      fail(m, `endpoint ${koid} pending pulses per sender: kernel ${JSON.stringify(kp)}, model ${JSON.stringify(mp2)}`);
    const kr = ep.receivers.map((p) => p.pid).join(",");
    if (kr !== e.receivers.join(",")) fail(m, `endpoint ${koid} receivers: kernel [${kr}], model [${e.receivers.join(",")}]`);
  }
  compareTrees(m, r);
  const bug = checkKernelInvariants(r.k, r.procs, r.hostRefs);
  if (bug !== null) fail(m, `kernel invariant: ${bug}`);
}

/**
 * The derivation tree, between capabilities in tables: where the model says a
 * table's cap derives from a cap in a table, the kernel's cap has that parent,
 * and the other way round. Caps outside tables (in flight, a window's or a
 * FILE's own, the host's) are not compared: the model does not place them. A
 * bug that loses or misplaces a link (an exit that orphans children, a move
 * that leaves its tree) shows here at the step that does it, not only when a
 * later revoke happens to miss a capability.
 */
function compareTrees(m: Model, r: Real): void {
  const kernelAt = new Map<string, Cap>(); // "pid:handle" -> the kernel's cap
  const placeOf = new Map<Cap, string>();
  for (const p of r.procs) {
    if (p.state === ProcessState.EXITED) continue;
    for (const e of p.handles.entries()) {
      kernelAt.set(`${p.pid}:${e.handle}`, e.cap);
      placeOf.set(e.cap, `${p.pid}:${e.handle}`);
    }
  }
  for (const c of m.tableCaps()) {
    const at = `${c.pid}:${c.handle}`;
    const kc = kernelAt.get(at);
    if (kc === undefined) continue; // the table comparison above reports it
    const mParent = c.parent !== null && c.parent.live && c.parent.pid !== null ? `${c.parent.pid}:${c.parent.handle}` : null;
    const kParent = kc.parent === null ? null : (placeOf.get(kc.parent) ?? null);
    if (mParent !== null && kc.parent !== kernelAt.get(mParent))
      fail(
        m,
        `pid ${c.pid} handle ${c.handle} derives from ${kParent ?? (kc.parent === null ? "nothing" : "a cap in no table")} in the kernel's table, from ${mParent} in the model`,
      );
    if (mParent === null && kParent !== null)
      fail(m, `pid ${c.pid} handle ${c.handle} derives from ${kParent} in the kernel, from no cap in a table in the model`);
  }
}

function endpointOf(r: Real, koid: number): Endpoint | null {
  return r.endpoints.get(koid) ?? null;
}

// ---- commands -------------------------------------------------------------------------

/** The process the kernel is running (the one a command acts as), if any. */
export function running(r: Real): Process | null {
  return r.k.current;
}

/** A handle value the running process may try: one of those it ever held (live or stale), or 0. */
export function pick(m: Model, pid: number, i: number): number {
  if (i >= TREE) return pickInTree(m, pid, i);
  const known = m.procs.get(pid)!.known;
  if (known.length === 0) return 0;
  return i >= OLDEST ? known[(i - OLDEST) % known.length] : known[known.length - 1 - (i % known.length)]; // 0: the newest
}

/**
 * Slots that pick a live handle of the running process by its place in the
 * model's derivation tree, so that sequences build trees several levels deep
 * and then act on their inner nodes: the shapes where a kernel that loses
 * track of a derivation (a close, a move, a death or a revoke that cuts a
 * subtree off, or ends too little or too much of it) shows it. The tree is
 * the model's; the kernel must agree with what follows, whatever was picked.
 */
export const TREE = 200;
/** The deepest handle holding DUPLICATE (a dup or a copy of it grows its tree a level). */
export const DEEPEST = TREE;
/** A handle with both a parent and children (close or move it: its children stay under its parent). */
export const MIDDLE = TREE + 1;
/** The handle with the tallest subtree below it (revoke it: every level below ends, wherever it is). */
export const ANCESTOR = TREE + 2;
/** The handle with the most descendants outside its own table (in other tables, in flight, held by windows). */
export const SPANNING = TREE + 3;
/** Kill's process: one holding an inner node (Kill). */
const INNER = -1;

function depth(c: MCap): number {
  let d = 0;
  for (let a = c.parent; a !== null; a = a.parent) d++;
  return d;
}

function height(c: MCap): number {
  let h = 0;
  for (const ch of c.children) h = Math.max(h, 1 + height(ch));
  return h;
}

/** Descendants of c that are not in the table of pid. */
function elsewhere(c: MCap, pid: number): number {
  let n = 0;
  for (const ch of c.children) n += (ch.pid === pid ? 0 : 1) + elsewhere(ch, pid);
  return n;
}

/** The handle a tree slot names (the newest among equals); with no such handle, the newest the process knows. */
function pickInTree(m: Model, pid: number, i: number): number {
  let best: MCap | null = null;
  let score = -1;
  for (const c of m.tableCaps()) {
    if (c.pid !== pid) continue;
    const s =
      i === DEEPEST
        ? c.rights & Rights.DUPLICATE
          ? depth(c)
          : -1
        : i === MIDDLE
          ? c.parent !== null && c.children.size > 0
            ? height(c)
            : -1
          : i === ANCESTOR
            ? c.children.size > 0
              ? height(c)
              : -1
            : c.children.size > 0
              ? elsewhere(c, pid)
              : -1;
    if (s >= 0 && s >= score) {
      best = c;
      score = s;
    }
  }
  return best !== null ? best.handle : pick(m, pid, 0);
}

/** The errno a handle lookup must fail with, or null if it resolves with type and rights. */
export function lookupError(m: Model, pid: number, h: number, type: number, need: number): number | null {
  const c = m.capOf(pid, h);
  if (c === undefined) return m.procs.get(pid)!.known.includes(h) ? -Errno.ESTALE : -Errno.EBADH;
  if (c.type !== type) return -Errno.EWRONGTYPE;
  if ((c.rights & need) !== need) return -Errno.EACCES;
  return null;
}

export function expectResult(m: Model, what: string, got: number | bigint | symbol, want: number | bigint | symbol): void {
  if (got !== want) fail(m, `${what} returned ${String(got)}, the model expects ${String(want)}`);
}

type Cmd = fc.Command<Model, Real>;

export abstract class Step implements Cmd {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.steps++;
    stepCount.steps++;
    reconcile(m, r);
    if (modelTrace.on)
      traceLog.push(
        `step ${m.steps}: pid ${r.k.current?.pid} ${this} files ${JSON.stringify([...m.files.values()].map((f) => [f.koid, String(f.ocb), f.name, f.closed]))} closes ${m.pendingCloses}`,
      );
    this.act(m, r);
    learn(m, r);
    r.serve?.(m, r);
    reconcile(m, r);
  }
  abstract act(m: Model, r: Real): void;
  abstract toString(): string;
}

/** The running process sends on handle #h (sendmsg when it passes handle #pass, moved or copied). */
export class Send extends Step {
  readonly h: number;
  readonly timeout: number | null;
  readonly pass: { h: number; move: boolean } | null;
  constructor(h: number, timeout: number | null, pass: { h: number; move: boolean } | null) {
    super();
    this.h = h;
    this.timeout = timeout;
    this.pass = pass;
  }
  toString() {
    return `send(#${this.h}${this.timeout === null ? "" : `, +${this.timeout}us`}${this.pass ? `, ${this.pass.move ? "move" : "copy"} #${this.pass.h}` : ""})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const pid = p.pid;
    const h = pick(m, pid, this.h);
    const now = r.k.clock.now();
    const deadline = this.timeout === null ? Infinity : now + this.timeout * 1000;
    const dl = this.timeout === null ? INF : BigInt(deadline);
    let want: number | null = lookupError(m, pid, h, ObjectType.ENDPOINT, Rights.SEND);
    let pass: MCap | undefined;
    let got: number | symbol;
    if (this.pass === null) {
      got = SYSCALL_HANDLERS.send(r.k, p, h, 0n, 0n, 0n, 0n, dl);
    } else {
      const h2 = pick(m, pid, this.pass.h);
      // Descriptor at 0 (transfer.ts readDesc): no body, no reply buffer, one handle, at 64.
      const dv = r.views.get(pid)!;
      for (let i = 0; i < 56; i += 4) dv.setUint32(i, 0, true);
      dv.setUint32(48, 64, true);
      dv.setUint16(52, 1, true);
      dv.setUint16(54, this.pass.move ? Constants.MSG_MOVE_HANDLES : 0, true);
      dv.setUint32(64, h2, true);
      if (want === null) {
        pass = m.capOf(pid, h2);
        const need = this.pass.move ? Rights.TRANSFER : Rights.TRANSFER | Rights.DUPLICATE;
        if (pass === undefined) want = m.procs.get(pid)!.known.includes(h2) ? -Errno.ESTALE : -Errno.EBADH;
        else if ((pass.rights & need) !== need) want = -Errno.EACCES;
      }
      got = SYSCALL_HANDLERS.sendmsg(r.k, p, h, 0, dl);
    }
    const ep = want === null ? m.capOf(pid, h)!.obj : -1;
    if (want === null && m.receiveCaps(ep) === 0) want = -Errno.ECLOSED;
    if (want !== null) return expectResult(m, this.toString(), got, want);
    if (got !== BLOCK) return expectResult(m, this.toString(), got, BLOCK);
    // It goes: the handle travels (moved out of the table, or a derived copy), then the message queues or is delivered.
    let caps: MCap[] = [];
    if (pass !== undefined) {
      if (this.pass!.move) {
        pass.pid = null;
        caps = [pass];
      } else caps = [m.track(m.newCap(pass.obj, pass.type, pass.rights, pass))];
    }
    const msg: MMsg = { rcvid: sentRcvid(m, r, this.toString()), sender: pid, ep, caps, server: null, clientGone: false, deadline };
    m.procs.get(pid)!.timerSeq = m.timerSeq++;
    deliverOrQueue(m, r, msg, deadline);
    expectResult(m, this.toString(), got, BLOCK);
  }
}

/**
 * The rcvid the kernel gave p's message (learned, not predicted: which refused
 * sends still use up a number is the kernel's business; that rcvids are unique
 * and name the right message is what the queue and serving comparisons check).
 */
export function sentRcvid(m: Model, r: Real, what: string): number {
  const rcvid = r.k["rcvidCounter"]; // the number the kernel allocated last: this message's (it may already have timed out)
  if (rcvid <= m.rcvid) fail(m, `${what}: rcvid ${rcvid} is not new (the last was ${m.rcvid})`);
  m.rcvid = rcvid;
  return rcvid;
}

/**
 * msg's sender blocks on it with `deadline`: a receiver blocked on msg.ep takes
 * it at once (the sender then waits for the answer), or it queues (the sender
 * waits to send). Whether a receiver took it.
 */
export function deliverOrQueue(m: Model, r: Real, msg: MMsg, deadline: number): boolean {
  const mp = m.procs.get(msg.sender)!;
  mp.sending = msg;
  mp.deadline = deadline;
  mp.expect = null;
  const e = m.endpoints.get(msg.ep)!;
  const server = e.receivers.shift();
  if (server === undefined) {
    mp.state = "send";
    e.queue.push(msg);
    return false;
  }
  mp.state = "reply";
  landAndDeliver(m, r, msg, server);
  m.wakeWith(server, msg.rcvid);
  return true;
}

/** Caps in flight land in the server's table: their handle values are the kernel's (its message registers). */
export function landAndDeliver(m: Model, r: Real, msg: MMsg, server: number): void {
  const sp = r.procs.find((p) => p.pid === server)!;
  const handles = sp.mr.handles;
  if (handles.length !== msg.caps.length) fail(m, `pid ${server} received ${handles.length} handles, the model sent ${msg.caps.length}`);
  msg.caps.forEach((c, i) => {
    if (c.live) {
      m.place(c, server, handles[i]);
      modelStats.handlesLanded++;
    } else if (handles[i] !== 0) fail(m, `pid ${server} received handle ${handles[i]} for a capability revoked in flight (expected 0)`);
  });
  msg.caps = [];
  if (msg.words !== undefined) {
    const got = [0, 1, 2, 3].map((i) => sp.mr.word(i));
    const want = [0, 1, 2, 3].map((i) => BigInt(msg.words![i] ?? 0));
    if (got.join(",") !== want.join(","))
      fail(m, `pid ${server} received the words [${got.join(" ")}] of a call that sent [${want.join(" ")}]`);
  }
  m.deliver(msg, server);
}

/**
 * pid's receive takes q, the head of an endpoint's queue: a message (its handles land, it is served) or a
 * pulse (its words in pid's registers). The result the receive returns: the rcvid, or 0 for a pulse.
 */
function takeQueued(m: Model, r: Real, q: MQueued, pid: number): number {
  if (isPulse(q)) {
    takePulse(m, r, q, pid);
    modelStats.pulsesReceived++;
    return 0;
  }
  landAndDeliver(m, r, q, pid);
  return q.rcvid;
}

/**
 * A process pulse reaches endpoint ep (pulse, pulse_wait; every check passed): the first receiver waiting
 * there takes it (woken with 0), or it joins the back of the queue, behind what is already there.
 */
function postPulse(m: Model, r: Real, ep: number, pulse: MPulse): void {
  const e = m.endpoints.get(ep)!;
  const server = e.receivers[0];
  if (server === undefined) {
    e.queue.push(pulse);
    modelStats.pulsesQueued++;
    return;
  }
  m.wakeWith(server, 0);
  takePulse(m, r, pulse, server);
  modelStats.pulsesToWaiting++;
}

/** pid took pulse: its message registers say so, and its IPC buffer (if it declared one) holds the words' low halves. */
function takePulse(m: Model, r: Real, pulse: MPulse, pid: number): void {
  const mr = r.procs.find((p) => p.pid === pid)!.mr;
  const words = [0, 1, 2, 3].map((i) => mr.word(i));
  const want = [BigInt(pulse.code), pulse.value, 0n, 0n];
  if (
    mr.kind !== Constants.MSG_KIND_PULSE ||
    mr.senderPid !== pulse.sender ||
    words.join(",") !== want.join(",") ||
    mr.handles.length !== 0
  )
    fail(
      m,
      `pid ${pid} took pid ${pulse.sender}'s pulse (${pulse.code}, ${pulse.value}); its registers hold kind ${mr.kind} from pid ${mr.senderPid}, words [${words.join(" ")}], ${mr.handles.length} handles`,
    );
  if (!m.procs.get(pid)!.buffer) return;
  const dv = r.views.get(pid)!;
  const seen = [0, 1, 2, 3].map((i) => dv.getInt32(IPC_BUFFER + 4 * i, true));
  const low = [pulse.code | 0, Number(BigInt.asIntN(32, pulse.value)), 0, 0];
  if (seen.join(",") !== low.join(","))
    fail(m, `pid ${pid} took a pulse; its IPC buffer holds [${seen.join(" ")}], the model expects [${low.join(" ")}]`);
}

/** A server waits where it receives: slots 0-2 take a handle it holds with RECEIVE, if any (else as pick). */
function pickReceiving(m: Model, pid: number, i: number): number {
  return pickWith(m, pid, i, Rights.RECEIVE);
}

/** Slots 0-2 take a handle the process holds with `right` (an endpoint to pulse on, one to wait on), if any; else as pick. */
function pickWith(m: Model, pid: number, i: number, right: number): number {
  const holding = m.procs.get(pid)!.known.filter((x) => ((m.capOf(pid, x)?.rights ?? 0) & right) !== 0);
  return i < 3 && holding.length > 0 ? holding[i % holding.length] : pick(m, pid, i);
}

export class Receive extends Step {
  readonly h: number;
  readonly timeout: number | null;
  constructor(h: number, timeout: number | null) {
    super();
    this.h = h;
    this.timeout = timeout;
  }
  toString() {
    return `receive(#${this.h}${this.timeout === null ? "" : `, +${this.timeout}us`})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const pid = p.pid;
    const h = pickReceiving(m, pid, this.h);
    const now = r.k.clock.now();
    const deadline = this.timeout === null ? Infinity : now + this.timeout * 1000;
    const got = SYSCALL_HANDLERS.receive(r.k, p, h, 1024, 256, this.timeout === null ? INF : BigInt(deadline));
    const want = lookupError(m, pid, h, ObjectType.ENDPOINT, Rights.RECEIVE);
    if (want !== null) return expectResult(m, this.toString(), got, want);
    const ep = m.capOf(pid, h)!.obj;
    const e = m.endpoints.get(ep)!;
    const head = e.queue.shift();
    if (head !== undefined) return expectResult(m, this.toString(), got, takeQueued(m, r, head, pid));
    const mp = m.procs.get(pid)!;
    mp.state = "recv";
    mp.recvEp = ep;
    mp.deadline = deadline;
    mp.timerSeq = m.timerSeq++;
    mp.expect = null;
    e.receivers.push(pid);
    expectResult(m, this.toString(), got, BLOCK);
  }
}

/** The running process replies to the i-th message it holds (or a made-up rcvid). */
class Reply extends Step {
  readonly i: number;
  readonly status: number;
  constructor(i: number, status: number) {
    super();
    this.i = i;
    this.status = status;
  }
  toString() {
    return `reply(#${this.i}, ${this.status})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const mp = m.procs.get(p.pid)!;
    const held = [...mp.serving.keys()].sort((a, b) => a - b);
    const rcvid = held.length === 0 ? m.rcvid + 100 : held[this.i % held.length];
    const got = SYSCALL_HANDLERS.reply(r.k, p, rcvid, this.status, 0n, 0n, 0, 0);
    const msg = mp.serving.get(rcvid);
    if (msg === undefined) return expectResult(m, this.toString(), got, -Errno.EINVAL);
    mp.serving.delete(rcvid);
    if (msg.clientGone) return expectResult(m, this.toString(), got, -Errno.EGONE);
    const client = m.procs.get(msg.sender)!;
    client.sending = null;
    m.wakeWith(msg.sender, this.status);
    modelStats.replied++;
    expectResult(m, this.toString(), got, 0);
  }
}

/** Where each fake process's IPC buffer is (ipc_buffer, set up for every process): 4 i32 words. */
export const IPC_BUFFER = 1280;

/** The running process calls on handle #h with `words` words of its IPC buffer (call: no deadline, no body, no handles). */
class Call extends Step {
  readonly h: number;
  readonly words: number;
  constructor(h: number, words: number) {
    super();
    this.h = h;
    this.words = words;
  }
  toString() {
    return `call(#${this.h}, ${this.words} words)`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const pid = p.pid;
    const h = pick(m, pid, this.h);
    // Words that need all 32 bits, one negative (sign-extended on the way), the count after them never sent.
    const words = [pid * 0x01010101, -pid, 0x7fffffff, m.steps].slice(0, this.words);
    const dv = r.views.get(pid)!;
    for (let i = 0; i < 4; i++) dv.setInt32(IPC_BUFFER + 4 * i, i < words.length ? words[i] : 0x5a5a5a5a, true);
    const got = SYSCALL_HANDLERS.call(r.k, p, h, this.words);
    let want: number | null = lookupError(m, pid, h, ObjectType.ENDPOINT, Rights.SEND);
    if (want === null && !m.procs.get(pid)!.buffer) want = -Errno.EINVAL; // no IPC buffer to take the words from
    if (want === null && m.receiveCaps(m.capOf(pid, h)!.obj) === 0) want = -Errno.ECLOSED;
    if (want !== null) return expectResult(m, this.toString(), got, want);
    if (got !== BLOCK) return expectResult(m, this.toString(), got, BLOCK);
    modelStats.calls++;
    const ep = m.capOf(pid, h)!.obj;
    const msg: MMsg = {
      rcvid: sentRcvid(m, r, this.toString()),
      sender: pid,
      ep,
      caps: [],
      server: null,
      clientGone: false,
      deadline: Infinity,
      words,
    };
    deliverOrQueue(m, r, msg, Infinity);
  }
}

/**
 * reply_wait on handle #h: answer the i-th message the running process holds
 * (0: none, only wait; a made-up rcvid when it holds none) with status and 2
 * words of its IPC buffer, then receive (no deadline). The client gets the
 * words in its own IPC buffer.
 */
class ReplyWait extends Step {
  readonly h: number;
  readonly i: number;
  readonly status: number;
  constructor(h: number, i: number, status: number) {
    super();
    this.h = h;
    this.i = i;
    this.status = status;
  }
  toString() {
    return `reply_wait(#${this.h}, ${this.i === 0 ? "no answer" : `answer #${this.i}`}, ${this.status})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const pid = p.pid;
    const mp = m.procs.get(pid)!;
    const h = pickReceiving(m, pid, this.h);
    const held = [...mp.serving.keys()].sort((a, b) => a - b);
    const rcvid = this.i === 0 ? 0 : held.length === 0 ? 0x7ffffff0 : held[this.i % held.length];
    const words = [this.status * 0x10001, -this.status - 1];
    const dv = r.views.get(pid)!;
    for (let i = 0; i < 4; i++) dv.setInt32(IPC_BUFFER + 4 * i, i < 2 ? words[i] : 0x5a5a5a5a, true);
    const got = SYSCALL_HANDLERS.reply_wait(r.k, p, h, rcvid, this.status, 2);
    let want: number | null = lookupError(m, pid, h, ObjectType.ENDPOINT, Rights.RECEIVE);
    if (want === null && !mp.buffer) want = -Errno.EINVAL; // no IPC buffer to read the answer's words from
    if (want === null && rcvid !== 0 && !mp.serving.has(rcvid)) want = -Errno.EINVAL;
    if (want !== null) return expectResult(m, this.toString(), got, want);
    if (rcvid !== 0) {
      const msg = mp.serving.get(rcvid)!;
      mp.serving.delete(rcvid);
      if (!msg.clientGone) {
        m.procs.get(msg.sender)!.sending = null;
        m.wakeWith(msg.sender, this.status);
        // The answer's words, in the client's IPC buffer (the rest 0), when it has one (a sender may have none).
        const cv = r.views.get(msg.sender)!;
        const seen = [0, 1, 2, 3].map((i) => cv.getInt32(IPC_BUFFER + 4 * i, true));
        if (m.procs.get(msg.sender)!.buffer && seen.join(",") !== [...words, 0, 0].join(","))
          fail(m, `${this}: pid ${msg.sender}'s IPC buffer holds [${seen.join(" ")}], the model expects [${words.join(" ")} 0 0]`);
        modelStats.answeredByReplyWait++;
      }
    }
    // Then it receives, as receive does with no deadline.
    const ep = m.capOf(pid, h)!.obj;
    const e = m.endpoints.get(ep)!;
    const head = e.queue.shift();
    if (head !== undefined) return expectResult(m, this.toString(), got, takeQueued(m, r, head, pid));
    mp.state = "recv";
    mp.recvEp = ep;
    mp.deadline = Infinity;
    mp.expect = null;
    e.receivers.push(pid);
    expectResult(m, this.toString(), got, BLOCK);
  }
}

/**
 * The running process pulses (code, value) on handle #h, `times` times in a row (a loop in a guest: enough
 * to reach MAX_PENDING_PULSES with nobody receiving; the i-th pulse's value is value + i).
 */
export class Pulse extends Step {
  readonly h: number;
  readonly code: number;
  readonly value: bigint;
  readonly times: number;
  /** What the loop ends with, if anything: a pulse_wait (an event loop's signal and wait, past the bound or not). */
  readonly then: PulseWait | null;
  constructor(h: number, code: number, value: bigint, times = 1, then: PulseWait | null = null) {
    super();
    this.h = h;
    this.code = code;
    this.value = value;
    this.times = times;
    this.then = then;
  }
  toString() {
    return `pulse(#${this.h}, ${this.code}, ${this.value})${this.times > 1 ? ` x${this.times}` : ""}${this.then ? ` then ${this.then}` : ""}`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const pid = p.pid;
    const h = pickWith(m, pid, this.h, Rights.SEND);
    for (let i = 0; i < this.times; i++) {
      const value = this.value + BigInt(i);
      const got = SYSCALL_HANDLERS.pulse(r.k, p, h, this.code, value);
      let want: number | null = lookupError(m, pid, h, ObjectType.ENDPOINT, Rights.SEND);
      const ep = want === null ? m.capOf(pid, h)!.obj : -1;
      if (want === null && m.receiveCaps(ep) === 0) want = -Errno.ECLOSED;
      if (want === null && m.pendingPulses(ep, pid) >= Limits.MAX_PENDING_PULSES) {
        want = -Errno.EAGAIN;
        modelStats.pulseEagain++;
      }
      expectResult(m, `${this} (pulse ${i + 1})`, got, want ?? 0);
      if (want === null) postPulse(m, r, ep, { kind: "pulse", sender: pid, code: this.code, value });
    }
    if (this.then !== null && running(r) === p) this.then.act(m, r);
  }
}

/**
 * pulse_wait: pulse (code, value) on handle #h, then wait on handle #wh as receive does with no deadline.
 * `full`: the caller's table has no room for this call (its handle limit lowered to what it holds, then
 * put back): a next message on #wh that carries handles must refuse the call before anything is pulsed.
 */
export class PulseWait extends Step {
  readonly h: number;
  readonly code: number;
  readonly value: number;
  readonly wh: number;
  readonly full: boolean;
  constructor(h: number, code: number, value: number, wh: number, full: boolean) {
    super();
    this.h = h;
    this.code = code;
    this.value = value;
    this.wh = wh;
    this.full = full;
  }
  toString() {
    return `pulse_wait(#${this.h}, ${this.code}, ${this.value}, wait #${this.wh}${this.full ? ", table full" : ""})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const pid = p.pid;
    const mp = m.procs.get(pid)!;
    const h = pickWith(m, pid, this.h, Rights.SEND);
    const wh = pickReceiving(m, pid, this.wh);
    const limit = p.handles.limit;
    if (this.full) p.handles.limit = p.handles.count;
    let got: number | symbol;
    try {
      got = SYSCALL_HANDLERS.pulse_wait(r.k, p, h, this.code, this.value, wh);
    } finally {
      p.handles.limit = limit;
    }
    // Every refusal comes before the pulse, in the kernel's order: both handles, the IPC buffer, the pulse's own, the next message's handles.
    let want = lookupError(m, pid, h, ObjectType.ENDPOINT, Rights.SEND) ?? lookupError(m, pid, wh, ObjectType.ENDPOINT, Rights.RECEIVE);
    const ep = want === null ? m.capOf(pid, h)!.obj : -1;
    const wep = want === null ? m.capOf(pid, wh)!.obj : -1;
    if (want === null && !mp.buffer) {
      want = -Errno.EINVAL;
      modelStats.pulseWaitEinval++;
    }
    if (want === null && m.receiveCaps(ep) === 0) want = -Errno.ECLOSED;
    if (want === null && m.pendingPulses(ep, pid) >= Limits.MAX_PENDING_PULSES) {
      want = -Errno.EAGAIN;
      modelStats.pulseWaitEagain++;
    }
    const next = want === null ? m.endpoints.get(wep)!.queue[0] : undefined;
    if (want === null && this.full && next !== undefined && !isPulse(next) && next.caps.length > 0) {
      want = -Errno.EMFILE;
      modelStats.pulseWaitEmfile++;
    }
    if (want !== null) return expectResult(m, this.toString(), got, want);
    postPulse(m, r, ep, { kind: "pulse", sender: pid, code: this.code, value: BigInt(this.value) });
    // Then it waits on wep, as receive does with no deadline (it may take its own pulse, when nobody else waits there).
    const e = m.endpoints.get(wep)!;
    const head = e.queue.shift();
    if (head !== undefined) {
      if (isPulse(head) && head.sender === pid) modelStats.pulseWaitOwnPulse++;
      return expectResult(m, this.toString(), got, takeQueued(m, r, head, pid));
    }
    mp.state = "recv";
    mp.recvEp = wep;
    mp.deadline = Infinity;
    mp.expect = null;
    e.receivers.push(pid);
    modelStats.pulseWaitBlocked++;
    expectResult(m, this.toString(), got, BLOCK);
  }
}

/** ipc_buffer: declared at IPC_BUFFER (0), misaligned (1: EINVAL), or past the process's memory (2: EFAULT). */
export class IpcBuffer extends Step {
  readonly how: number;
  constructor(how: number) {
    super();
    this.how = how;
  }
  toString() {
    return `ipc_buffer(${["declared", "misaligned", "past the memory"][this.how]})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const got = SYSCALL_HANDLERS.ipc_buffer(r.k, p, [IPC_BUFFER, IPC_BUFFER + 2, 65536 - 8][this.how]);
    const want = [0, -Errno.EINVAL, -Errno.EFAULT][this.how];
    expectResult(m, this.toString(), got, want);
    if (want === 0) m.procs.get(p.pid)!.buffer = true;
  }
}

export class Yield extends Step {
  toString() {
    return "yield";
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    m.procs.get(p.pid)!.expect = 0;
    r.k.yieldCurrent(p);
  }
}

/**
 * The host kills process #i, whatever state it is in; i = INNER: the first live client holding an inner node
 * of a derivation tree (a handle with a parent and children: its exit must hand them to its parent), if any.
 */
class Kill extends Step {
  readonly i: number;
  constructor(i: number) {
    super();
    this.i = i;
  }
  toString() {
    return this.i === 4 ? "kill(the file server)" : this.i === INNER ? "kill(a holder of an inner node)" : `kill(p${this.i})`;
  }
  act(m: Model, r: Real): void {
    let i = this.i;
    if (i === INNER) {
      i = -1;
      for (const c of m.tableCaps())
        if (c.parent !== null && c.children.size > 0 && c.pid !== m.fsPid) {
          i = r.procs.findIndex((q) => q.pid === c.pid);
          break;
        }
      if (i < 0) return; // no such process: nobody is killed
    }
    const p = i === 4 && m.fsPid >= 0 ? r.procs.find((q) => q.pid === m.fsPid)! : r.procs[i % r.procs.length];
    const st = m.procs.get(p.pid)!.state;
    if (st === "run") modelStats.killedRunning++;
    else if (st === "send") modelStats.killedSendBlocked++;
    else if (st === "reply") modelStats.killedReplyBlocked++;
    else if (st === "recv") modelStats.killedReceiveBlocked++;
    r.k.terminate(p, -1, ExitReason.KILLED, "killed by the model test");
    m.exited(p.pid);
  }
}

/** handle_dup of handle #h, `times` times in a row (a guest deriving handle from handle: with DEEPEST, a chain). */
class Dup extends Step {
  readonly h: number;
  readonly rights: number;
  readonly times: number;
  constructor(h: number, rights: number, times = 1) {
    super();
    this.h = h;
    this.rights = rights;
    this.times = times;
  }
  toString() {
    return `dup(#${this.h}, ${this.rights < 0 ? ["all", "all-TRANSFER", "all-DUPLICATE"][-this.rights - 1] : `0x${this.rights.toString(16)}`})${this.times > 1 ? ` x${this.times}` : ""}`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    for (let i = 0; i < this.times; i++) this.once(m, r, p);
  }
  private once(m: Model, r: Real, p: Process): void {
    const h = pick(m, p.pid, this.h);
    const c = m.capOf(p.pid, h);
    // rights < 0: relative to what the handle holds (-1 all of it, -2 all but TRANSFER, -3 all but DUPLICATE).
    const held = c?.rights ?? 0;
    const asked =
      this.rights === -1
        ? held
        : this.rights === -2
          ? held & ~Rights.TRANSFER
          : this.rights === -3
            ? held & ~Rights.DUPLICATE
            : this.rights;
    const got = SYSCALL_HANDLERS.handle_dup(r.k, p, h, asked);
    if (c === undefined) return expectResult(m, this.toString(), got, m.procs.get(p.pid)!.known.includes(h) ? -Errno.ESTALE : -Errno.EBADH);
    if ((c.rights & Rights.DUPLICATE) === 0) return expectResult(m, this.toString(), got, -Errno.EACCES);
    if ((asked & ~c.rights) !== 0) return expectResult(m, this.toString(), got, -Errno.EINVAL);
    if (typeof got !== "number" || got <= 0) fail(m, `${this} returned ${String(got)}, the model expects a new handle`);
    m.place(m.track(m.newCap(c.obj, c.type, asked & c.rights, c)), p.pid, got);
  }
}

class Close extends Step {
  readonly h: number;
  constructor(h: number) {
    super();
    this.h = h;
  }
  toString() {
    return `close(#${this.h})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const h = pick(m, p.pid, this.h);
    const c = m.capOf(p.pid, h);
    const want = c === undefined ? (m.procs.get(p.pid)!.known.includes(h) ? -Errno.ESTALE : -Errno.EBADH) : 0;
    const got = SYSCALL_HANDLERS.handle_close(r.k, p, h);
    if (c !== undefined) m.end(c);
    expectResult(m, this.toString(), got, want);
  }
}

class Revoke extends Step {
  readonly h: number;
  constructor(h: number) {
    super();
    this.h = h;
  }
  toString() {
    return `revoke(#${this.h})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const h = pick(m, p.pid, this.h);
    const c = m.capOf(p.pid, h);
    const got = SYSCALL_HANDLERS.handle_revoke(r.k, p, h);
    if (c === undefined) return expectResult(m, this.toString(), got, m.procs.get(p.pid)!.known.includes(h) ? -Errno.ESTALE : -Errno.EBADH);
    expectResult(m, this.toString(), got, m.revoke(c));
  }
}

/** memory_map of handle #h (4 words at offset 0): a window, whose held cap derives from the handle's. */
class MapWindow extends Step {
  readonly h: number;
  constructor(h: number) {
    super();
    this.h = h;
  }
  toString() {
    return `map(#${this.h})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const h = pick(m, p.pid, this.h);
    const got = SYSCALL_HANDLERS.memory_map(r.k, p, h, 0, 4, 4, 4);
    const want = lookupError(m, p.pid, h, ObjectType.MEMORY, Rights.MAP);
    if (want !== null) return expectResult(m, this.toString(), got, want);
    if (typeof got !== "number" || got <= 0) fail(m, `${this} returned ${String(got)}, the model expects a window handle`);
    const c = m.capOf(p.pid, h)!;
    const held = m.track(m.newCap(c.obj, c.type, c.rights & (Rights.READ | Rights.WRITE), c));
    const w = [...p.handles.entries()].find((e) => e.handle === got)!.object;
    void w;
    m.windows.set(w.koid, { cap: held });
    m.place(
      m.track(m.newCap(w.koid, ObjectType.WINDOW, Rights.DUPLICATE | Rights.TRANSFER | (c.rights & (Rights.READ | Rights.WRITE)), null)),
      p.pid,
      got,
    );
  }
}

/** window_get through handle #h: a value, or EREVOKED once the mapping's capability was revoked. */
class WindowGet extends Step {
  readonly h: number;
  constructor(h: number) {
    super();
    this.h = h;
  }
  toString() {
    return `window_get(#${this.h})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null) return;
    const h = pick(m, p.pid, this.h);
    const got = SYSCALL_HANDLERS.window_get(r.k, p, h, 0);
    const want = lookupError(m, p.pid, h, ObjectType.WINDOW, Rights.READ);
    if (want !== null) return expectResult(m, this.toString(), got, BigInt(want));
    const w = m.windows.get(m.capOf(p.pid, h)!.obj)!;
    if (!w.cap.live) modelStats.windowRevoked++;
    expectResult(m, this.toString(), got, w.cap.live ? 0n : BigInt(-Errno.EREVOKED));
  }
}

/** Which handle: one of the newest (so sequences build on what they made) or one of the oldest (the startup handles). */
export const OLDEST = 100;
export const slot = fc.oneof(
  { weight: 3, arbitrary: fc.nat(2) },
  { weight: 2, arbitrary: fc.nat(3).map((i) => OLDEST + i) },
  { weight: 1, arbitrary: fc.nat(15) },
);
const timeout = fc.option(fc.integer({ min: 1, max: 8 }), { freq: 2 });

const send = fc
  .tuple(slot, timeout, fc.option(fc.record({ h: slot, move: fc.boolean() }), { freq: 2 }))
  .map(([h, t, pass]) => new Send(h, t, pass));
const receive = fc.tuple(slot, timeout).map(([h, t]) => new Receive(h, t));
const reply = fc.tuple(fc.nat(7), fc.integer({ min: 0, max: 99 })).map(([i, s]) => new Reply(i, s));
const dup = fc
  .tuple(
    slot,
    fc.constantFrom(-1, -1, -1, -2, -3, 0, Rights.SEND | Rights.DUPLICATE, Rights.MAP | Rights.READ | Rights.DUPLICATE, 0x7fffffff),
  )
  .map(([h, rr]) => new Dup(h, rr));

const call = fc.tuple(slot, fc.nat(4)).map(([h, w]) => new Call(h, w));
const replyWait = fc.tuple(slot, fc.nat(3), fc.integer({ min: 0, max: 99 })).map(([h, i, st]) => new ReplyWait(h, i, st));

const pulseCode = fc.constantFrom(0, 1, 7, 300, 0x7fffffff, -3);
const pulse = fc
  .tuple(slot, pulseCode, fc.constantFrom(0n, 5n, -1n, 0x123456789abcdefn, -(2n ** 63n)))
  .map(([h, c, v]) => new Pulse(h, c, v));
/** A sender pulsing in a loop with nobody receiving reaches its bound: MAX_PENDING_PULSES pulses are queued, the next refused. */
const pulseWait = fc
  .tuple(slot, pulseCode, fc.constantFrom(0, 2, -1, 0x7fffffff, -0x80000000), slot, fc.boolean())
  .map(([h, c, v, wh, full]) => new PulseWait(h, c, v, wh, full));
/**
 * A sender pulsing in a loop with nobody receiving reaches its bound: MAX_PENDING_PULSES - 1 or + 1 pulses
 * (the last refused), the loop ending now and then in a pulse_wait on the same handle (one more: admitted, or EAGAIN).
 */
const pulseBurst = fc
  .tuple(slot, fc.constantFrom(Limits.MAX_PENDING_PULSES - 1, Limits.MAX_PENDING_PULSES + 1), fc.option(pulseWait, { freq: 2 }))
  .map(([h, n, then]) => new Pulse(h, 9, 100n, n, then === null ? null : new PulseWait(h, then.code, then.value, then.wh, then.full)));

/** Commands on derivation trees: each grows a tree, or acts on an inner node or an ancestor of one. */
const DERIVATIONS: fc.Arbitrary<Cmd>[] = [
  fc.tuple(fc.constantFrom(-1, -1, -2), fc.integer({ min: 1, max: 3 })).map(([rr, n]) => new Dup(DEEPEST, rr, n)),
  fc.tuple(fc.constantFrom(-1, -1, -2), fc.integer({ min: 1, max: 3 })).map(([rr, n]) => new Dup(DEEPEST, rr, n)),
  // Sent on the startup endpoint (a tree node moved or copied into whichever process receives there).
  fc.tuple(timeout, fc.boolean()).map(([t, move]) => new Send(OLDEST, t, { h: DEEPEST, move })),
  fc.tuple(timeout, fc.boolean()).map(([t, move]) => new Send(OLDEST, t, { h: MIDDLE, move })),
  fc.constant(new Close(MIDDLE)),
  fc.constant(new Close(MIDDLE)),
  fc.constant(new Revoke(ANCESTOR)),
  fc.constant(new Revoke(ANCESTOR)),
  fc.constant(new Kill(INNER)),
  fc.constant(new Revoke(SPANNING)),
];

/** The commands, listed more than once where they should come more often (fc.commands picks uniformly). */
export const COMMANDS: fc.Arbitrary<Cmd>[] = [
  send,
  send,
  call,
  replyWait,
  replyWait,
  receive,
  receive,
  reply,
  reply,
  reply,
  reply,
  fc.constant(new Yield()),
  fc.nat(11).map((i) => new Kill(i < 10 ? i % 4 : 4)), // p4, the file server (when there is one), now and then
  dup,
  dup,
  dup,
  slot.map((h) => new Close(h)),
  slot.map((h) => new Close(h)),
  slot.map((h) => new Revoke(h)),
  slot.map((h) => new Revoke(h)),
  slot.map((h) => new MapWindow(h)),
  slot.map((h) => new WindowGet(h)),
  // The startup memory handle (the second the process held) mapped and revoked: windows whose capability ends.
  fc.constant(new MapWindow(OLDEST + 1)),
  fc.constant(new Revoke(OLDEST + 1)),
  slot.map((h) => new WindowGet(h)),
  fc.oneof({ weight: 3, arbitrary: pulse }, { weight: 1, arbitrary: pulseBurst }),
  pulseWait,
  pulseWait,
  fc.nat(5).map((i) => new IpcBuffer(i < 4 ? 0 : i - 3)), // mostly declared; misaligned or out of bounds now and then
  // Derivation trees: grown a level at a time (a dup, or a copy sent to another process), then an inner node
  // closed or moved away and an ancestor revoked (the slots of the tree: pickInTree).
  ...DERIVATIONS,
];

export { ENDPOINT_RIGHTS, MEMORY_RIGHTS };
