// Files in the model-based tests: a fifth fake process is a resource manager
// (a small in-memory file system) mounted at /f; the four clients hold DIR
// handles (two with READ|WRITE|CREATE, two read-only) and ns_open files and
// the directory, read and write at offsets through io_call in the registers
// and buffer forms, stat, readdir, and close, dup, pass in messages and
// revoke their FILE handles with the generic commands of model.ts. Clients
// die with files open and in the middle of requests; the server dies too, and
// is restarted (a new process that mounts itself at /f in the dead one's
// place; its mount ends with it). The server is a fake process like the
// clients (fake-host.ts): the kernel schedules it, and it takes every turn the
// kernel gives it (serve) until it blocks in receive.
//
// The kernel is what is under test: the server and the model each keep their
// own copy of the file system (the same small semantics, TinyFs), the server
// fed only with what the kernel delivers (the path in the connect message's
// body, the OCB id the kernel stamps, the offset, the bytes in word 3 or the
// body), the model with what the client asked. After each answer the client's
// result and the bytes the kernel put in its buffer must be the model's; close
// pulses must arrive exactly for the FILE objects whose last capability ended
// (a dup'd, moved or copied handle keeps the open), and when the server is idle
// the opens it holds must be exactly the model's live files.

import fc from "fast-check";
import { Constants, Errno, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { writeIoDesc } from "../../abi/gen/abi.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import { BLOCK, SYSCALL_HANDLERS as S } from "../../kernel/syscalls/index.ts";
import {
  expectResult,
  fail,
  deliverOrQueue,
  landAndDeliver,
  learn,
  lookupError,
  type MFile,
  type MIo,
  type Model,
  OLDEST,
  pick,
  sentRcvid,
  isPulse,
  type Real,
  running,
  Step,
  modelTrace,
  traceLog,
} from "./model.ts";

const INF = BigInt(Constants.DEADLINE_INFINITE);
const { O_READ, O_WRITE, O_CREATE, O_TRUNC, O_EXCL, O_DIRECTORY, O_EXEC } = Constants;
const {
  IO_OPEN,
  IO_READ,
  IO_WRITE,
  IO_STAT,
  IO_READDIR,
  IO_UNLINK,
  IO_PSTAT,
  IO_PSETTIMES,
  IO_SETTIMES,
  IO_SETSIZE,
  IO_FORM_BUFFER,
  IO_FORM_REGS,
  IO_CLOSE_PULSE,
  STAT_SIZE,
  DIRENT_SIZE,
} = Constants;
const O_ALL = O_READ | O_WRITE | O_CREATE | O_TRUNC | O_EXCL | O_DIRECTORY | O_EXEC;

/** The mount point of the file server. */
export const MOUNT = "/f";
/** Rights of the two writing clients' DIR handles, and of the two read-only ones. */
export const DIR_RW = Rights.READ | Rights.WRITE | Rights.CREATE | Rights.DUPLICATE | Rights.TRANSFER;
export const DIR_RO = Rights.READ | Rights.DUPLICATE | Rights.TRANSFER;

// Client memory: the io descriptor, the path, the data buffer (the generic commands use 0..1280).
const DESC = 2048;
const PATH = 2200;
const BUF = 4096;
const FILL = 0xee;
/** A time (ns since 1970) past 2^53: it must travel as an i64, not a double. */
const TIME = 1_765_000_000_123_456_789n; // the client's buffer before each request: a byte the kernel did not write stays FILL
// Server memory: receive buffer and reply body.
const RBUF = 8192;
const RLEN = 4096;
const SBUF = 16384;

// ---- the file system both sides keep -------------------------------------------------

/** A file: its bytes and inode number (it outlives its name while opens hold it). */
export interface Inode {
  readonly ino: number;
  readonly data: number[];
  /** Modification time, ns (set by settimes; the model checks it travels as a whole i64). */
  mtime: bigint;
}
/** What an open names: a file, or the directory. */
export type Node = Inode | "dir";

/**
 * A flat directory of files ("" is the directory itself). Semantics of a
 * small tmpfs: open creates with O_CREATE, EEXIST with O_EXCL, truncates with
 * O_TRUNC; the directory opens for reading only (EISDIR), a file is not a
 * directory (ENOTDIR); reads stop at the end; a write past the end fills with
 * zeros; unlink removes the name, and an open file lives on (nlink 0) until closed.
 */
export class TinyFs {
  /** Two files to begin with: "a" with 13 bytes, "b" with 3. */
  readonly files = new Map<string, Inode>([
    ["a", { ino: 1, data: [...new TextEncoder().encode("hello, files\n")], mtime: 0n }],
    ["b", { ino: 2, data: [1, 2, 3], mtime: 0n }],
  ]);
  private nextIno = 3;
  private dirMtime = 0n;

  /** Open name: what it names, or -errno. */
  open(name: string, flags: number): Node | number {
    if (name === "") return flags & (O_WRITE | O_TRUNC | O_CREATE | O_EXCL) ? -Errno.EISDIR : "dir";
    if (name.includes("/")) return -Errno.ENOENT;
    let f = this.files.get(name);
    if (f !== undefined && flags & O_EXCL && flags & O_CREATE) return -Errno.EEXIST;
    if (f === undefined && !(flags & O_CREATE)) return -Errno.ENOENT;
    if (flags & O_DIRECTORY) return -Errno.ENOTDIR;
    if (f === undefined) this.files.set(name, (f = { ino: this.nextIno++, data: [], mtime: 0n }));
    if (flags & O_TRUNC) f.data.length = 0;
    return f;
  }

  private stat(node: Node): { status: number; out: number[] } {
    const out = new Array<number>(STAT_SIZE).fill(0);
    const linked = node === "dir" || [...this.files.values()].includes(node);
    put(out, 0, node === "dir" ? 2 : 1, 4);
    put(out, 4, linked ? 1 : 0, 4);
    put(out, 8, node === "dir" ? this.files.size : node.data.length, 8);
    put(out, 16, node === "dir" ? 0 : node.ino, 8);
    const mtime = BigInt.asUintN(64, node === "dir" ? this.dirMtime : node.mtime);
    for (let i = 0; i < 8; i++) out[24 + i] = Number((mtime >> BigInt(8 * i)) & 0xffn);
    return { status: STAT_SIZE, out };
  }

  private setTime(node: Node, t: bigint): { status: number; out: number[] } {
    if (node === "dir") this.dirMtime = t;
    else node.mtime = t;
    return { status: 0, out: [] };
  }

  /** A path operation (ns_call): unlink, stat by path, or set its time to `arg`. */
  path(op: number, name: string, arg: bigint): { status: number; out: number[] } {
    const node: Node | undefined = name === "" ? "dir" : this.files.get(name);
    if (node === undefined) return { status: -Errno.ENOENT, out: [] };
    if (op === IO_PSTAT) return this.stat(node);
    if (op === IO_PSETTIMES) return this.setTime(node, arg);
    if (node === "dir") return { status: -Errno.EISDIR, out: [] }; // IO_UNLINK
    this.files.delete(name);
    return { status: 0, out: [] };
  }

  /** The answer to an operation on an open node: the status and, for reads, the bytes. */
  io(node: Node, op: number, arg: bigint, len: number, data: readonly number[]): { status: number; out: number[] } {
    const none = { status: 0, out: [] as number[] };
    if (op === IO_STAT) return this.stat(node);
    if (op === IO_SETTIMES) return this.setTime(node, arg);
    const offset = Number(arg);
    if (op === IO_READDIR) {
      if (node !== "dir") return { ...none, status: -Errno.ENOTDIR };
      const names = [...this.files.keys()].sort();
      if (offset >= names.length) return none;
      const n = names[offset];
      const size = (DIRENT_SIZE + n.length + 7) & ~7;
      if (len < size) return { ...none, status: -Errno.EINVAL };
      const out = new Array<number>(size).fill(0);
      put(out, 0, this.files.get(n)!.ino, 8);
      put(out, 8, offset + 1, 8);
      put(out, 16, 1, 4);
      put(out, 20, n.length, 4);
      for (let i = 0; i < n.length; i++) out[DIRENT_SIZE + i] = n.charCodeAt(i);
      return { status: size, out };
    }
    if (node === "dir") return { ...none, status: -Errno.EISDIR };
    const f = node.data;
    if (op === IO_SETSIZE) {
      if (offset < 0) return { ...none, status: -Errno.EINVAL };
      while (f.length < offset) f.push(0);
      f.length = offset;
      return none;
    }
    if (op === IO_READ) {
      const out = f.slice(offset, offset + len);
      return { status: out.length, out };
    }
    // IO_WRITE
    while (f.length < offset) f.push(0);
    for (let i = 0; i < data.length; i++) f[offset + i] = data[i];
    return { status: data.length, out: [] };
  }
}

function put(a: number[], at: number, v: number, n: number): void {
  for (let i = 0; i < n; i++) a[at + i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
}

/** What the file commands reached, across runs (coverage: a test checks each is reached). */
export const fileStats = {
  requests: 0,
  opened: 0,
  refused: 0,
  bytesRead: 0,
  bytesWritten: 0,
  regsForm: 0,
  readdirs: 0,
  closePulses: 0,
  answeredGone: 0,
  idleChecks: 0,
  deadServer: 0,
  restartsMounted: 0,
  unlinked: 0,
  timesSet: 0,
  timesSeen: 0,
  mountGoneWithOwner: 0,
};

// ---- the server (a fake process the kernel schedules like any other) ---------------------

export interface FileServer {
  proc: Process;
  /** Its handle (RECEIVE) on the endpoint mounted at /f. */
  ep: number;
  /** A restarted server's DIR handle with MOUNT (it mounts itself at /f first thing), and whether it has. */
  dir: number;
  mounted: boolean;
  fs: TinyFs;
  /** Its opens: OCB id -> what it names. */
  opens: Map<bigint, Node>;
  nextOcb: number;
  /** Results the kernel resumed it with that it has acted on. */
  seen: number;
  /** Start a new server process (after the last one died): its process, endpoint and the handles it was given. */
  spawn(): { proc: Process; ep: Endpoint };
}

/** The server takes every turn the kernel gives it, until it blocks in receive (or is gone). */
export function serve(m: Model, r: Real, s: FileServer): void {
  const srv = s.proc;
  for (let turns = 0; r.k.current === srv; turns++) {
    if (turns > 200) fail(m, "the file server never blocks");
    learn(m, r);
    const rt = r.host.runtimes.get(srv.pid)!;
    let got: number | symbol;
    const mp = m.procs.get(srv.pid)!;
    if (!s.mounted) {
      // A restarted server mounts its endpoint at /f, replacing the dead server's mount (EEXIST were it alive).
      const path = new TextEncoder().encode(MOUNT);
      srv.memory!.write(PATH, path);
      const mounted = S.ns_mount(r.k, srv, s.dir, PATH, path.length, s.ep, 0);
      const want = m.mount !== null && m.served(m.mount.ep) ? -Errno.EEXIST : 0;
      expectResult(m, "the restarted file server's ns_mount", mounted, want);
      m.mount = { ep: m.fsEp, owned: true };
      s.mounted = true;
      fileStats.restartsMounted++;
      continue;
    }
    if (rt.resumed.length > s.seen) {
      got = rt.resumed[rt.resumed.length - 1]; // woken with a message or a pulse the model delivered
      s.seen = rt.resumed.length;
      // Accounted here, not at the end of the step: the server may be woken again before the step ends.
      if (mp.expect !== null && got !== mp.expect) fail(m, `the file server resumed with ${got}, the model expects ${mp.expect}`);
      mp.expect = null;
      mp.resumed = rt.resumed.length;
    } else {
      got = S.receive(r.k, srv, s.ep, RBUF, RLEN, INF);
      if (got === BLOCK) {
        if (modelTrace.on) traceLog.push(`  server blocks in receive`);
        const e = m.endpoints.get(m.fsEp)!;
        if (e.queue.length > 0 || m.pendingCloses.length > 0)
          fail(m, `the file server blocked in receive with ${e.queue.length} requests and ${m.pendingCloses.length} close pulses due`);
        mp.state = "recv";
        mp.recvEp = m.fsEp;
        mp.deadline = Infinity;
        mp.expect = null;
        e.receivers.push(srv.pid);
        checkOpens(m, s);
        continue; // (the kernel may already have woken it again: idle, a timer fired, a close pulse came)
      }
      if (typeof got === "number" && got > 0) {
        const head = m.endpoints.get(m.fsEp)!.queue.shift();
        if (head === undefined || isPulse(head) || head.rcvid !== got)
          fail(
            m,
            `the file server received rcvid ${got}, the model's next request is ${head === undefined || isPulse(head) ? "none" : head.rcvid}`,
          );
        landAndDeliver(m, r, head, srv.pid);
      }
    }
    if (modelTrace.on) traceLog.push(`  server got ${String(got)} (resumed ${rt.resumed.join(",")})`);
    if (typeof got !== "number" || got < 0) fail(m, `the file server's receive returned ${String(got)}`);
    if (got === 0) closePulse(m, s);
    else answer(m, r, s, got);
  }
}

/** The server took a pulse: a close pulse for an open it holds, that the model expects. */
function closePulse(m: Model, s: FileServer): void {
  const mr = s.proc.mr;
  const [code, value] = [mr.word(0), mr.word(1)];
  if (code !== BigInt(IO_CLOSE_PULSE)) fail(m, `the file server got pulse code ${code}, not IO_CLOSE_PULSE`);
  const i = m.pendingCloses.indexOf(value);
  if (i < 0) fail(m, `the file server got a close pulse for OCB ${value}, the model posted [${m.pendingCloses.join(" ")}]`);
  m.pendingCloses.splice(i, 1);
  fileStats.closePulses++;
  if (!s.opens.delete(value)) fail(m, `close pulse for OCB ${value}, which the server has no open for`);
}

/** Idle, the server's opens are exactly the model's live FILE objects. */
function checkOpens(m: Model, s: FileServer): void {
  const want = [...m.files.values()]
    .filter((f) => !f.closed && f.ep === m.fsEp) // opens of a dead server are no one's now
    .map((f) => String(f.ocb))
    .sort();
  const have = [...s.opens.keys()].map(String).sort();
  fileStats.idleChecks++;
  if (want.join(" ") !== have.join(" "))
    fail(m, `the file server holds opens [${have.join(" ")}], the model's live files are [${want.join(" ")}]`);
}

/** The server answers request rcvid from what the kernel delivered; the model predicts the client's side. */
function answer(m: Model, r: Real, s: FileServer, rcvid: number): void {
  const srv = s.proc;
  const msg = m.procs.get(srv.pid)!.serving.get(rcvid);
  if (msg === undefined || msg.io === undefined) fail(m, `the file server got rcvid ${rcvid}, which is no file request the model knows`);
  const io = msg.io;
  // The server's side: only what the kernel handed it.
  const [w0, ocb, w2, w3] = [0, 1, 2, 3].map((i) => srv.mr.word(i)); // as msg_word reports them
  const op = Number(w0 & 0xffn);
  const form = Number((w0 >> 8n) & 0xffn);
  const flags = Number((w0 >> 16n) & 0xffffn);
  const len = Number(w0 >> 32n);
  const mem = srv.memory!;
  let got: number;
  let ocbGiven = 0n;
  if (op === IO_OPEN) {
    const path = new TextDecoder().decode(mem.slice(RBUF, Number(w3 & 0xffffffffn))!);
    const node = s.fs.open(path, flags);
    if (typeof node === "number") got = S.reply_error(r.k, srv, rcvid, -node) as number;
    else {
      ocbGiven = (BigInt(++s.nextOcb) << 33n) | 5n; // high bits set: the whole 64-bit id must travel
      s.opens.set(ocbGiven, node);
      got = S.reply(r.k, srv, rcvid, 0, ocbGiven, 0n, 0, 0) as number;
    }
  } else if (op === IO_UNLINK || op === IO_PSTAT || op === IO_PSETTIMES) {
    const path = new TextDecoder().decode(mem.slice(RBUF, Number(w3 & 0xffffffffn))!);
    const res = s.fs.path(op, path, w2);
    if (res.status < 0) got = S.reply_error(r.k, srv, rcvid, -res.status) as number;
    else {
      res.out.forEach((b, i) => mem.setU8(SBUF + i, b));
      got = S.reply(r.k, srv, rcvid, res.status, 0n, 0n, SBUF, res.out.length) as number;
    }
  } else {
    const name = s.opens.get(ocb);
    let res: { status: number; out: number[] };
    if (name === undefined) res = { status: -Errno.EINVAL, out: [] };
    else {
      let data: number[] = [];
      if (op === IO_WRITE)
        data =
          form === IO_FORM_REGS
            ? Array.from({ length: len }, (_, i) => Number((w3 >> BigInt(8 * i)) & 0xffn))
            : [...mem.slice(RBUF, Math.min(len, srv.mr.bodyLen))!];
      res = s.fs.io(name, op, BigInt.asIntN(64, w2), len, data);
    }
    if (res.status < 0) got = S.reply_error(r.k, srv, rcvid, -res.status) as number;
    else if (form === IO_FORM_REGS && op === IO_READ) {
      const words = [0n, 0n];
      res.out.forEach((b, i) => (words[i >> 3] |= BigInt(b) << BigInt((i & 7) * 8)));
      got = S.reply(r.k, srv, rcvid, res.status, words[0], words[1], 0, 0) as number;
    } else {
      res.out.forEach((b, i) => mem.setU8(SBUF + i, b));
      got = S.reply(r.k, srv, rcvid, res.status, 0n, 0n, SBUF, res.out.length) as number;
    }
  }
  // The model's side: the client's request against the model's file system.
  const mp = m.procs.get(srv.pid)!;
  mp.serving.delete(rcvid);
  expectResult(m, `the file server's reply to ${opName(io.op)}`, got, msg.clientGone ? -Errno.EGONE : 0);
  let status: number;
  let out: number[] = [];
  let node: Node | null = null;
  if (io.op === IO_OPEN) {
    const n = m.fs.open(io.rest, io.flags);
    status = typeof n === "number" ? n : 0;
    node = typeof n === "number" ? null : n;
  } else if (io.op === IO_UNLINK || io.op === IO_PSTAT || io.op === IO_PSETTIMES) {
    ({ status, out } = m.fs.path(io.op, io.rest, io.offset));
    if (io.op === IO_PSTAT) status = Math.min(status, io.len); // the kernel passes at most the buffer's size
  } else {
    const f = m.files.get(io.koid)!;
    ({ status, out } = m.fs.io(f.node, io.op, io.offset, io.len, io.data));
  }
  if (io.op === IO_OPEN && status === 0) fileStats.opened++;
  if (io.op === IO_READ && status > 0) fileStats.bytesRead += status;
  if (io.op === IO_WRITE && status > 0) fileStats.bytesWritten += status;
  if (io.op === IO_READDIR && status > 0) fileStats.readdirs++;
  if (io.form === IO_FORM_REGS && status > 0) fileStats.regsForm++;
  if (msg.clientGone) {
    fileStats.answeredGone++;
    if (io.op === IO_OPEN && status === 0) m.postClose(ocbGiven); // the kernel closes an open nobody took
    return;
  }
  const client = r.procs.find((p) => p.pid === msg.sender)!;
  m.procs.get(msg.sender)!.sending = null;
  if (io.op === IO_OPEN && status === 0) {
    const h = client.resumeValue;
    const e = [...client.handles.entries()].find((x) => x.handle === h);
    if (e === undefined || e.object.type !== ObjectType.FILE)
      fail(m, `ns_open(${io.rest}) resumed pid ${client.pid} with ${h}, not a FILE handle`);
    if (e.rights !== io.rights)
      fail(m, `ns_open(${io.rest}) gave rights 0x${e.rights.toString(16)}, the model expects 0x${io.rights.toString(16)}`);
    const f: MFile = { koid: e.object.koid, ocb: ocbGiven, name: io.rest, node: node!, ep: m.fsEp, closed: false };
    m.files.set(f.koid, f);
    m.place(m.track(m.newCap(f.koid, ObjectType.FILE, io.rights, null)), client.pid, h);
    m.wakeWith(msg.sender, h);
    return;
  }
  m.wakeWith(msg.sender, status);
  // The bytes the kernel put into the client's buffer.
  if (io.op === IO_UNLINK && status === 0) fileStats.unlinked++;
  if ((io.op === IO_SETTIMES || io.op === IO_PSETTIMES) && status === 0) fileStats.timesSet++;
  if ((io.op === IO_STAT || io.op === IO_PSTAT) && status >= 32 && out.slice(24, 32).some((b) => b !== 0)) fileStats.timesSeen++; // a time set earlier, read back
  if (io.op === IO_READ || io.op === IO_STAT || io.op === IO_READDIR || io.op === IO_PSTAT) {
    const n = status > 0 ? Math.min(status, io.len) : 0;
    const dv = r.views.get(client.pid)!;
    for (let i = 0; i < io.len; i++) {
      const want = i < n ? out[i] : FILL;
      const b = dv.getUint8(BUF + i);
      if (b !== want) fail(m, `${opName(io.op)} left byte ${i} of pid ${client.pid}'s buffer ${b}, the model expects ${want}`);
    }
  }
}

function opName(op: number): string {
  return (
    {
      [IO_OPEN]: "ns_open",
      [IO_READ]: "read",
      [IO_WRITE]: "write",
      [IO_STAT]: "stat",
      [IO_READDIR]: "readdir",
      [IO_UNLINK]: "unlink",
      [IO_PSTAT]: "stat by path",
    }[op] ?? `op ${op}`
  );
}

// ---- the client commands ------------------------------------------------------------------

/**
 * A handle of the given kind: i < LIVE one it holds now (newest first), else
 * one it ever held (stale ones too), or any handle it held (OLDEST and up).
 */
const LIVE = 4;
function pickOf(m: Model, pid: number, kind: "files" | "dirs", i: number): number {
  const all = m.procs.get(pid)![kind];
  const live = all.filter((h) => m.capOf(pid, h) !== undefined);
  const list = i < LIVE && live.length > 0 ? live : all;
  if (i >= OLDEST || list.length === 0) return pick(m, pid, i);
  return list[list.length - 1 - (i % list.length)];
}

/** The request goes to the server: queued, or taken at once by a server blocked in receive. */
function request(m: Model, r: Real, p: Process, io: MIo, got: number | symbol, what: string): void {
  if (got !== BLOCK) return expectResult(m, what, got, BLOCK);
  fileStats.requests++;
  const pid = p.pid;
  const msg = { rcvid: sentRcvid(m, r, what), sender: pid, ep: m.fsEp, caps: [], server: null, clientGone: false, deadline: Infinity, io };
  const delivered = deliverOrQueue(m, r, msg, Infinity);
  if (modelTrace.on) traceLog.push(`  request ${msg.rcvid} from pid ${pid}: ${what} ${delivered ? "delivered" : "queued"}`);
  expectResult(m, what, got, BLOCK);
}

/**
 * A new file server once the last one died (at most MAX_RESTARTS a run), as a
 * supervisor restarts a resource manager: a fresh process with a fresh
 * endpoint and empty state, which mounts itself at /f when it first runs.
 * FILE handles opened on the dead server stay dead (ECLOSED) whatever serves /f now.
 */
const MAX_RESTARTS = 2;
class Restart extends Step {
  toString() {
    return "restart(the file server)";
  }
  act(m: Model, r: Real): void {
    const s = r.fileServer;
    if (s === undefined || m.fsAlive() || m.restarts >= MAX_RESTARTS) return;
    m.restarts++;
    const { proc, ep } = s.spawn();
    r.endpoints.set(ep.koid, ep);
    m.endpoints.set(ep.koid, { queue: [], receivers: [] });
    m.addProc(proc.pid);
    for (const e of proc.handles.entries()) m.place(m.track(m.newCap(e.object.koid, e.object.type, e.rights, null)), proc.pid, e.handle);
    m.fsEp = ep.koid;
    m.fsPid = proc.pid;
    m.pendingCloses = [];
    m.fs = new TinyFs();
    Object.assign(s, {
      proc,
      ep: proc.names.get("fs")!,
      dir: proc.names.get("root")!,
      mounted: false,
      fs: new TinyFs(),
      opens: new Map(),
      seen: 0,
    });
  }
}

/** Paths tried, each with what it resolves to under /f (null: no mount covers it). */
const PATHS: readonly { path: string; rest: string | null }[] = [
  { path: "/f/a", rest: "a" },
  { path: "f/b", rest: "b" }, // relative to the DIR's scope
  { path: "/f/./c", rest: "c" },
  { path: "/f/../f/a", rest: "a" },
  { path: "/f", rest: "" },
  { path: "/f/", rest: "" },
  { path: "/fa", rest: null }, // a prefix of the mount, not on a component boundary
  { path: "/nope/a", rest: null },
  { path: "/f/d/e", rest: "d/e" },
];
const FLAGS = [
  O_READ,
  O_READ | O_WRITE,
  O_WRITE | O_CREATE,
  O_READ | O_WRITE | O_CREATE | O_TRUNC,
  O_WRITE | O_CREATE | O_EXCL,
  O_READ | O_DIRECTORY,
  O_READ | O_CREATE,
  O_READ,
  O_READ | O_WRITE,
  O_READ | O_WRITE | O_CREATE,
  0, // EINVAL: no access mode
  0x4000 | O_READ, // EINVAL: an unknown flag
];

class Open extends Step {
  readonly dir: number;
  readonly path: number;
  readonly flags: number;
  constructor(dir: number, path: number, flags: number) {
    super();
    this.dir = dir;
    this.path = path;
    this.flags = flags;
  }
  toString() {
    return `ns_open(#${this.dir}, ${PATHS[this.path].path}, 0x${FLAGS[this.flags].toString(16)})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null || p.pid === m.fsPid) return;
    const pid = p.pid;
    const h = pickOf(m, pid, "dirs", this.dir);
    const { path, rest } = PATHS[this.path];
    const flags = FLAGS[this.flags];
    const bytes = new TextEncoder().encode(path);
    p.memory!.write(PATH, bytes);
    const got = S.ns_open(r.k, p, h, PATH, bytes.length, flags);
    let want = lookupError(m, pid, h, ObjectType.DIR, 0);
    if (want === null && (flags & ~O_ALL || (flags & (O_READ | O_WRITE | O_EXEC)) === 0)) want = -Errno.EINVAL;
    if (want === null) {
      let need = 0;
      if (flags & O_READ) need |= Rights.READ;
      if (flags & (O_WRITE | O_TRUNC)) need |= Rights.WRITE;
      if (flags & (O_CREATE | O_EXCL)) need |= Rights.CREATE;
      if ((m.capOf(pid, h)!.rights & need) !== need) want = -Errno.EACCES;
    }
    if (want === null && rest !== null && m.mount === null) fileStats.mountGoneWithOwner++;
    if (want === null && (rest === null || m.mount === null)) want = -Errno.ENOENT; // no mount covers it (a mount ends with its mounter)
    if (want === null && !m.served(m.mount!.ep)) want = -Errno.ECLOSED; // the mount's server is gone
    if (want === -Errno.ECLOSED) fileStats.deadServer++;
    if (want !== null) {
      fileStats.refused++;
      return expectResult(m, this.toString(), got, want);
    }
    const rights =
      Rights.DUPLICATE | Rights.TRANSFER | (flags & O_READ ? Rights.READ : 0) | (flags & (O_WRITE | O_TRUNC) ? Rights.WRITE : 0);
    request(m, r, p, { op: IO_OPEN, koid: 0, rest: rest!, flags, rights, form: 0, offset: 0n, len: 0, data: [] }, got, this.toString());
  }
}

/** ns_call by path on DIR handle #dir: unlink (needs CREATE), or stat by path (needs READ) into a buffer of len bytes. */
class PathOp extends Step {
  readonly dir: number;
  readonly path: number;
  readonly op: number;
  readonly len: number;
  constructor(dir: number, path: number, op: number, len: number) {
    super();
    this.dir = dir;
    this.path = path;
    this.op = op;
    this.len = len;
  }
  toString() {
    return `${opName(this.op)}(#${this.dir}, ${PATHS[this.path].path}${this.op === IO_PSTAT ? `, ${this.len} bytes` : ""})`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null || p.pid === m.fsPid) return;
    const pid = p.pid;
    const h = pickOf(m, pid, "dirs", this.dir);
    const { path, rest } = PATHS[this.path];
    const bytes = new TextEncoder().encode(path);
    const mem = p.memory!;
    mem.write(PATH, bytes);
    for (let i = 0; i < 128; i++) mem.setU8(BUF + i, FILL);
    const len = this.op === IO_PSTAT ? this.len : 0;
    writeIoDesc(mem, DESC, {
      op: this.op,
      form: 0,
      offset: TIME,
      buf: BUF,
      len,
      grant: 0,
      path: PATH,
      pathLen: bytes.length,
      path2: 0,
      path2Len: 0,
      reserved: 0,
    });
    const got = S.ns_call(r.k, p, h, DESC);
    let want = lookupError(m, pid, h, ObjectType.DIR, 0);
    const need = this.op === IO_PSTAT ? Rights.READ : this.op === IO_PSETTIMES ? Rights.WRITE : Rights.CREATE;
    if (want === null && (m.capOf(pid, h)!.rights & need) === 0) want = -Errno.EACCES;
    if (want === null && (rest === null || m.mount === null)) want = -Errno.ENOENT;
    if (want === null && !m.served(m.mount!.ep)) want = -Errno.ECLOSED;
    if (want !== null) {
      fileStats.refused++;
      return expectResult(m, this.toString(), got, want);
    }
    request(
      m,
      r,
      p,
      { op: this.op, koid: 0, rest: rest!, flags: 0, rights: 0, form: 0, offset: TIME, len, data: [] },
      got,
      this.toString(),
    );
  }
}

/** io_call on FILE handle #h: read, write (registers or buffer form), stat or readdir. */
class Io extends Step {
  readonly h: number;
  readonly op: number;
  readonly form: number;
  readonly offset: number;
  readonly len: number;
  readonly seed: number;
  constructor(h: number, op: number, form: number, offset: number, len: number, seed: number) {
    super();
    this.h = h;
    this.op = op;
    this.form = form;
    this.offset = offset;
    this.len = len;
    this.seed = seed;
  }
  /** The descriptor's offset: settimes sends a time that needs all 64 bits. */
  arg(): bigint {
    return this.op === IO_SETTIMES ? TIME + BigInt(this.seed) : BigInt(this.offset);
  }
  toString() {
    const f = this.form === IO_FORM_REGS ? "regs" : "buffer";
    return `${opName(this.op)}(#${this.h}, ${f}, at ${this.offset}, ${this.len} bytes; an open first if none)`;
  }
  act(m: Model, r: Real): void {
    const p = running(r);
    if (p === null || p.pid === m.fsPid) return;
    const pid = p.pid;
    if (this.h < LIVE && !m.procs.get(pid)!.files.some((x) => m.capOf(pid, x) !== undefined)) {
      // No file open here: open one first (so that sequences reach the I/O), as a writer where the DIR allows it.
      const d = pickOf(m, pid, "dirs", 0);
      const rw = ((m.capOf(pid, d)?.rights ?? 0) & Rights.WRITE) !== 0;
      return new Open(0, [0, 1, 2, 4][this.seed % 4], rw ? FLAGS.indexOf(O_READ | O_WRITE | O_CREATE) : 0).act(m, r);
    }
    const h = pickOf(m, pid, "files", this.h);
    const data = this.op === IO_WRITE ? Array.from({ length: this.len }, (_, i) => (this.seed + 31 * i) & 0xff) : [];
    const mem = p.memory!;
    for (let i = 0; i < 128; i++) mem.setU8(BUF + i, i < data.length ? data[i] : FILL);
    writeIoDesc(mem, DESC, {
      op: this.op,
      form: this.form,
      offset: this.arg(),
      buf: BUF,
      len: this.len,
      grant: 0,
      path: 0,
      pathLen: 0,
      path2: 0,
      path2Len: 0,
      reserved: 0,
    });
    const got = S.io_call(r.k, p, h, DESC);
    const need =
      this.op === IO_READ || this.op === IO_READDIR
        ? Rights.READ
        : this.op === IO_WRITE || this.op === IO_SETSIZE || this.op === IO_SETTIMES
          ? Rights.WRITE
          : 0;
    let want = lookupError(m, pid, h, ObjectType.FILE, need);
    const data2 = this.op === IO_READ || this.op === IO_WRITE;
    if (want === null && !data2 && this.form !== IO_FORM_BUFFER) want = -Errno.EINVAL;
    if (want === null && !m.served(m.files.get(m.capOf(pid, h)!.obj)!.ep)) want = -Errno.ECLOSED; // the open's server is gone
    if (want === null && this.form === IO_FORM_REGS && this.len > (this.op === IO_WRITE ? 8 : 16)) want = -Errno.EINVAL;
    if (want !== null) return expectResult(m, this.toString(), got, want);
    const koid = m.capOf(pid, h)!.obj;
    request(
      m,
      r,
      p,
      { op: this.op, koid, rest: "", flags: 0, rights: 0, form: this.form, offset: this.arg(), len: this.len, data },
      got,
      this.toString(),
    );
  }
}

const fileSlot = fc.oneof(
  { weight: 8, arbitrary: fc.nat(LIVE - 1) },
  { weight: 2, arbitrary: fc.nat(3).map((i) => LIVE + i) },
  { weight: 1, arbitrary: fc.nat(3).map((i) => OLDEST + i) },
);
const open = fc.tuple(fileSlot, fc.nat(PATHS.length - 1), fc.nat(FLAGS.length - 1)).map(([d, p, f]) => new Open(d, p, f));
const offset = fc.constantFrom(0, 0, 1, 3, 7, 8, 12, 40);
const read = fc
  .tuple(fileSlot, fc.boolean(), offset, fc.constantFrom(1, 4, 8, 16, 17, 32, 64), fc.nat(255))
  .map(([h, regs, o, n, seed]) => new Io(h, IO_READ, regs ? IO_FORM_REGS : IO_FORM_BUFFER, o, n, seed));
const write = fc
  .tuple(fileSlot, fc.boolean(), offset, fc.constantFrom(1, 3, 8, 9, 20, 64), fc.nat(255))
  .map(([h, regs, o, n, seed]) => new Io(h, IO_WRITE, regs ? IO_FORM_REGS : IO_FORM_BUFFER, o, n, seed));
const other = fc
  .tuple(fileSlot, fc.constantFrom(IO_STAT, IO_STAT, IO_READDIR, IO_READDIR, IO_SETTIMES, IO_SETSIZE), fc.nat(3), fc.boolean(), fc.nat(255))
  .map(
    ([h, op, cookie, regs, seed]) =>
      new Io(
        h,
        op,
        regs && op === IO_STAT ? IO_FORM_REGS : IO_FORM_BUFFER,
        op === IO_READDIR ? cookie : op === IO_SETSIZE ? cookie * 5 : 0, // a cookie, a size
        op === IO_STAT ? STAT_SIZE : 64,
        seed,
      ),
  );

const pathOp = fc
  .tuple(
    fileSlot,
    fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat(PATHS.length - 1) }), // /f/a often: times set, then read back
    fc.constantFrom(IO_PSTAT, IO_PSTAT, IO_UNLINK, IO_PSETTIMES),
    fc.constantFrom(STAT_SIZE, STAT_SIZE, 8),
  )
  .map(([d, p, op, len]) => new PathOp(d, p, op, len));

/** File commands (weighted by repetition, like COMMANDS). */
export const FILE_COMMANDS: fc.Arbitrary<Step>[] = [
  pathOp,
  pathOp,
  fc.constant(new Restart()),
  fc.constant(new Restart()),
  open,
  open,
  open,
  open,
  read,
  read,
  read,
  write,
  write,
  write,
  other,
  other,
];
