// The path namespace and the I/O transport: ns_open, ns_mount, ns_unmount,
// ns_scope, ns_call, io_call, unveil (docs/namespace.md). The kernel resolves
// paths to mounted endpoints and moves requests as ordinary IPC messages
// (so receive, reply, priority inheritance, billing and server death all
// behave as for any message); it keeps no file system state. Each call
// decodes and checks everything first and changes nothing on an error.

import { Constants, Errno, Limits, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { type IoDesc, readIoDesc, readUnveilRule, writeStat } from "../../abi/gen/abi.ts";
import { Cap, holdCap } from "../handles.ts";
import { ENDPOINT_CLIENT_RIGHTS } from "../ns/host.ts";
import { Message, type NarrowAnswer } from "../ipc/message.ts";
import type { KernelCore as Kernel } from "../core.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { DEFAULT_PRIORITY } from "../sched/run-queues.ts";
import { DirObject, FileObject, type Mount, mountDead, mountLive } from "../ns/objects.ts";
import { checkPath, encodePath, readPath, resolveIn, StructView } from "../ns/path.ts";
import { type NsState, nsOf, permsAt, UNVEIL_ALL } from "../ns/state.ts";
import { BLOCK } from "../control.ts";
import { postPulse, startSend } from "../ipc/exchange.ts";
import { fastPulse, fastPulseNarrow } from "../ipc/fastpath.ts";
import { flatOpenMutation, openFlat, openMessage, type OpenRequest, scopedPath } from "../ns/flat-open.ts";

const {
  O_READ,
  O_WRITE,
  O_CREATE,
  O_TRUNC,
  O_EXCL,
  O_DIRECTORY,
  O_EXEC,
  O_NOFOLLOW,
  MOUNT_ENDPOINT,
  IO_FORM_BUFFER,
  IO_FORM_REGS,
  IO_FORM_GRANT,
  IO_REGS_READ_MAX,
  IO_REGS_WRITE_MAX,
  IO_OPEN,
  IO_READ,
  IO_WRITE,
  IO_STAT,
  IO_SETSIZE,
  IO_SETTIMES,
  IO_READDIR,
  IO_SYNC,
  IO_MKDIR,
  IO_UNLINK,
  IO_RENAME,
  IO_LINK,
  IO_SYMLINK,
  IO_READLINK,
  IO_PSTAT,
  IO_PSETTIMES,
  IO_CLOSE_PULSE,
  IO_DESC_SIZE,
  STAT_SIZE,
  FILE_TYPE_ENDPOINT,
  UNVEIL_READ,
  UNVEIL_WRITE,
  UNVEIL_CREATE,
  UNVEIL_EXEC,
  UNVEIL_RULE_SIZE,
} = Constants;

const O_ALL = O_READ | O_WRITE | O_CREATE | O_TRUNC | O_EXCL | O_DIRECTORY | O_EXEC | O_NOFOLLOW;
/** Rights an open's FILE handle always has (READ and WRITE come from the open flags). */
const FILE_BASE_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER;
/** How unveil's refusals name a path operation of ns_call. */
const PATH_OP_NAMES: Readonly<Record<number, string>> = {
  [IO_MKDIR]: "mkdir",
  [IO_UNLINK]: "unlink",
  [IO_RENAME]: "rename",
  [IO_LINK]: "link",
  [IO_SYMLINK]: "symlink",
  [IO_READLINK]: "readlink",
  [IO_PSTAT]: "stat",
  [IO_PSETTIMES]: "settimes",
};

// ---- helpers --------------------------------------------------------------------------

/** The rights of a live DIR handle (already resolved), and the object. */
function dirOf(p: Process, h: number, need: number): { dir: DirObject; rights: number } | number {
  const obj = p.handles.get(h, DirObject, need);
  if (typeof obj === "number") return obj;
  return { dir: obj, rights: p.handles.rightsOf(h) };
}

/** Whether p's unveil view gives `need` on abs; a refusal is counted and logged. */
function unveiled(k: Kernel, p: Process, abs: string, need: number, what: string): boolean {
  const ns = nsOf(k);
  const view = ns.view(p);
  if (view.length === 0 || (permsAt(view, abs) & need) === need) return true;
  ns.violation(k, p, abs, what);
  return false;
}

const closers = new WeakMap<Kernel, (ep: Endpoint, ocb: bigint | number) => void>();

/**
 * Post IO_CLOSE_PULSE for an open (one function per kernel, shared by its FILE objects), at the priority
 * of the process running as the last handle goes (its handle_close, its exit: the closer), so the server
 * handles it at the closer's priority (pulse priority, kernel/ipc/priority.ts) and a close does not
 * preempt a client below its server. With no process running (the host released it) it is queued at
 * DEFAULT_PRIORITY and wakes the server at its own priority.
 */
function closePulse(k: Kernel): (ep: Endpoint, ocb: bigint | number) => void {
  let close = closers.get(k);
  if (close === undefined) {
    const ns = nsOf(k);
    close = (ep, ocb) => {
      ns.closes++;
      const closer = k.current;
      const runAt = closer === null ? -1 : closer.basePriority;
      // The id as the server's word gave it (a number): no BigInt unless the pulse is queued.
      const fast =
        typeof ocb === "number" ? fastPulseNarrow(k, 0, ep, IO_CLOSE_PULSE, ocb, runAt) : fastPulse(k, 0, ep, IO_CLOSE_PULSE, ocb, runAt);
      if (!fast) postPulse(k, ep, 0, closer === null ? DEFAULT_PRIORITY : runAt, IO_CLOSE_PULSE, BigInt(ocb), runAt);
    };
    closers.set(k, close);
  }
  return close;
}

/** Message word 0: op, form, flags, length. */
function word0(op: number, form: number, flags: number, len: number): bigint {
  return BigInt((op & 0xff) | ((form & 0xff) << 8) | ((flags & 0xffff) << 16)) | (BigInt(len >>> 0) << 32n);
}

function request(
  k: Kernel,
  p: Process,
  ep: Endpoint,
  words: bigint[],
  bodyPtr: number,
  bodyLen: number,
  replyPtr: number,
  replyCap: number,
) {
  return new Message({
    rcvid: 0, // numbered by startSend
    sender: p,
    endpoint: ep,
    words,
    bodyPtr,
    bodyLen,
    caps: [],
    replyPtr,
    replyCap,
    seq: 0,
  });
}

/** Read and check the bounds of an IO descriptor: the fields, or -EFAULT. */
function readDesc(mem: GuestMemory, ptr: number): IoDesc | number {
  if (!mem.inBounds(ptr, IO_DESC_SIZE)) return -Errno.EFAULT;
  return readIoDesc(mem, ptr >>> 0);
}

// ---- ns_open ------------------------------------------------------------------------------

export function sysNsOpen(k: Kernel, p: Process, dir: number, pathPtr: number, pathLen: number, flags: number): number | typeof BLOCK {
  const d = dirOf(p, dir, 0);
  if (typeof d === "number") return d;
  const perms = openPerms(d.rights, flags);
  if (perms < 0) return perms;
  const path = readPath(p.memory!, pathPtr, pathLen);
  if (typeof path === "number") return path;
  return openChecked(k, p, d, path, flags, perms);
}

/** ns_open's flags checked against the DIR's rights: the unveil permissions they need, or -EINVAL / -EACCES. */
function openPerms(rights: number, flags: number): number {
  if (flags & ~O_ALL || (flags & (O_READ | O_WRITE | O_EXEC)) === 0) return -Errno.EINVAL;
  let need = 0;
  let perms = 0;
  if (flags & O_READ) ((need |= Rights.READ), (perms |= UNVEIL_READ));
  if (flags & (O_WRITE | O_TRUNC)) ((need |= Rights.WRITE), (perms |= UNVEIL_WRITE));
  if (flags & (O_CREATE | O_EXCL)) ((need |= Rights.CREATE), (perms |= UNVEIL_CREATE));
  if (flags & O_EXEC) ((need |= Rights.EXEC), (perms |= UNVEIL_EXEC));
  return (rights & need) !== need ? -Errno.EACCES : perms;
}

/**
 * ns_open with the path given by the host (a personality acting as process p,
 * host/personality/): the same checks and the same request as the syscall.
 */
export function nsOpenPath(k: Kernel, p: Process, dir: number, path: string, flags: number): number | typeof BLOCK {
  const d = dirOf(p, dir, 0);
  if (typeof d === "number") return d;
  const perms = openPerms(d.rights, flags);
  if (perms < 0) return perms;
  const checked = checkPath(path);
  if (typeof checked === "number") return checked;
  return openChecked(k, p, d, path, flags, perms);
}

function openChecked(
  k: Kernel,
  p: Process,
  d: { dir: DirObject; rights: number },
  path: string,
  flags: number,
  perms: number,
): number | typeof BLOCK {
  const abs = scopedPath(k, d.dir, path);
  if (!unveiled(k, p, abs, perms, "open")) return -Errno.EUNVEIL;
  const r = d.dir.table.resolve(abs);
  if (r === null) return -Errno.ENOENT;
  const mount = r.mount;
  if (mount.flags & MOUNT_ENDPOINT) {
    if (r.rest !== "") return -Errno.ENOTDIR;
    if (p.handles.full) return -Errno.EMFILE;
    return p.handles.insertCap(mount.cap.derive(ENDPOINT_CLIENT_RIGHTS));
  }
  if (mountDead(mount)) return -Errno.ECLOSED;
  if (p.handles.full) return -Errno.EMFILE;
  const body = (r.restBytes ??= encodePath(r.rest));
  const ep = mount.cap.object as Endpoint;
  // The words depend only on the path and the flags: made once per resolution and flags, shared (messages never change them).
  const words = ((r.openWords ??= [])[flags] ??= [word0(IO_OPEN, IO_FORM_BUFFER, flags, 0), 0n, 0n, BigInt(body.length)]);
  const m = openMessage(k, p, ep, words, flags, body, mount, abs, openRights(flags), answerOpenRequest, OPEN_NARROW);
  if (openFlat(k, p, ep, m)) return BLOCK; // a server waiting with a buffer: kernel/ns/flat-open.ts
  const sent = startSend(k, p, ep, m, Infinity);
  if (sent !== BLOCK) m.done = true; // refused (ECLOSED): never sent, free for the next open
  return sent;
}

/** The rights of the FILE handle an open with these flags gives. */
const openRights = (flags: number): number =>
  FILE_BASE_RIGHTS | (flags & O_READ ? Rights.READ : 0) | (flags & (O_WRITE | O_TRUNC) ? Rights.WRITE : 0);

/** OpenRequest's onAnswer (the exchange calls it as a method of the message). */
function answerOpenRequest(this: Message, status: number, words: readonly bigint[], _bodyLen: number, gone: boolean): number {
  const m = this as OpenRequest;
  return answerOpen(m.k, m.sender, m, m.mount, m.abs, m.rights, status, words[0], gone);
}

/**
 * OpenRequest's narrowAnswer: the OCB id as the server's i32 word gave it (sign-extended, the same id), so
 * an open answered by reply_wait or io_reply_wait makes no BigInt, and fastReplyWait can answer it flat
 * when the answer cannot fail into a close pulse (the mount's capability live, room in the client's table).
 */
const OPEN_NARROW: NarrowAnswer = {
  clean: (m) => (!(m as OpenRequest).mount.cap.revoked && !m.sender.handles.full) || flatOpenMutation() === "answer-unclean",
  answer: (m, status, word0) => {
    const o = m as OpenRequest;
    return answerOpen(o.k, o.sender, o, o.mount, o.abs, o.rights, status, word0, false);
  },
};

/** The kernel's namespace state and close-pulse function, kept on the open message (one lookup per process, not per open). */
type OpenKernelState = { ns: NsState; close: (ep: Endpoint, ocb: bigint | number) => void };
function kernelOf(m: OpenRequest): OpenKernelState {
  return (m.kernelState ??= { ns: nsOf(m.k), close: closePulse(m.k) }) as OpenKernelState;
}

/** The server answered an open: make the FILE (or undo the server's open if the client cannot take it). */
function answerOpen(
  k: Kernel,
  p: Process,
  m: Message,
  mount: Mount,
  abs: string,
  rights: number,
  status: number,
  ocb: bigint | number,
  gone: boolean,
): number {
  if (status < 0) return status;
  const ep = mount.cap.object as Endpoint;
  const { ns, close } = kernelOf(m as OpenRequest);
  if (gone || mount.cap.revoked || p.handles.full) {
    if (!ep.closed) close(ep, ocb); // the server's open would otherwise never be closed
    return mount.cap.revoked ? -Errno.ECLOSED : -Errno.EMFILE;
  }
  const file = new FileObject(k.objects, { mount, ocb, server: m.server!, path: abs, closePulse: close });
  ns.opens++;
  return p.handles.insert(file, rights);
}

// ---- mounts ---------------------------------------------------------------------------------

export function sysNsMount(k: Kernel, p: Process, dir: number, pathPtr: number, pathLen: number, endpoint: number, flags: number): number {
  const d = dirOf(p, dir, Rights.MOUNT);
  if (typeof d === "number") return d;
  const ep = p.handles.cap(endpoint);
  if (typeof ep === "number") return ep;
  if (ep.object.type !== ObjectType.ENDPOINT) return -Errno.EWRONGTYPE;
  if ((ep.rights & (Rights.SEND | Rights.DUPLICATE)) !== (Rights.SEND | Rights.DUPLICATE)) return -Errno.EACCES;
  const path = readPath(p.memory!, pathPtr, pathLen);
  if (typeof path === "number") return path;
  if (flags & ~MOUNT_ENDPOINT) return -Errno.EINVAL;
  const abs = resolveIn(d.dir.scope, path);
  if (!unveiled(k, p, abs, UNVEIL_CREATE, "mount")) return -Errno.EUNVEIL;
  const table = d.dir.table;
  const old = table.at(abs);
  if (old !== null && mountLive(old)) return -Errno.EEXIST;
  const mount: Mount = { table, path: abs, cap: holdCap(ep.derive(ENDPOINT_CLIENT_RIGHTS)), flags, owner: p };
  table.add(mount); // replaces a dead mount (a restarted server)
  nsOf(k).addMount(mount);
  return 0;
}

export function sysNsUnmount(k: Kernel, p: Process, dir: number, pathPtr: number, pathLen: number): number {
  const d = dirOf(p, dir, Rights.MOUNT);
  if (typeof d === "number") return d;
  const path = readPath(p.memory!, pathPtr, pathLen);
  if (typeof path === "number") return path;
  const abs = resolveIn(d.dir.scope, path);
  if (!unveiled(k, p, abs, UNVEIL_CREATE, "unmount")) return -Errno.EUNVEIL;
  const m = d.dir.table.at(abs);
  if (m === null) return -Errno.ENOENT;
  d.dir.table.remove(m);
  return 0;
}

export function sysNsScope(k: Kernel, p: Process, dir: number, pathPtr: number, pathLen: number, rights: number): number {
  const d = dirOf(p, dir, 0);
  if (typeof d === "number") return d;
  const path = readPath(p.memory!, pathPtr, pathLen);
  if (typeof path === "number") return path;
  return scopeChecked(k, p, dir, d, path, rights);
}

function scopeChecked(k: Kernel, p: Process, dir: number, d: { dir: DirObject; rights: number }, path: string, rights: number): number {
  if (p.handles.full) return -Errno.EMFILE;
  const parent = p.handles.cap(dir) as Cap;
  const scoped = new DirObject(k.objects, d.dir.table, resolveIn(d.dir.scope, path));
  // A child of the parent's cap: revoking the parent DIR handle reaches the scoped one.
  return p.handles.insertCap(new Cap(scoped, rights & parent.rights, parent));
}

// ---- ns_call: path operations ------------------------------------------------------------

const PATH_OPS = new Set<number>([IO_MKDIR, IO_UNLINK, IO_RENAME, IO_LINK, IO_SYMLINK, IO_READLINK, IO_PSTAT, IO_PSETTIMES]);
/** The DIR right a path operation needs: READ to look, WRITE to set times, CREATE to change names. */
const pathRight = (op: number, reads: boolean) => (reads ? Rights.READ : op === IO_PSETTIMES ? Rights.WRITE : Rights.CREATE);
const TWO_PATHS = new Set<number>([IO_RENAME, IO_LINK, IO_SYMLINK]);

export function sysNsCall(k: Kernel, p: Process, dir: number, descPtr: number): number | typeof BLOCK {
  const d = dirOf(p, dir, 0);
  if (typeof d === "number") return d;
  const mem = p.memory!;
  const desc = readDesc(mem, descPtr);
  if (typeof desc === "number") return desc;
  if (!PATH_OPS.has(desc.op) || desc.reserved !== 0) return -Errno.EINVAL;
  const reads = desc.op === IO_READLINK || desc.op === IO_PSTAT;
  if ((d.rights & pathRight(desc.op, reads)) === 0) return -Errno.EACCES;
  const path = readPath(mem, desc.path, desc.pathLen | 0);
  if (typeof path === "number") return path;
  let path2 = "";
  if (TWO_PATHS.has(desc.op)) {
    const p2 = readPath(mem, desc.path2, desc.path2Len | 0);
    if (typeof p2 === "number") return p2;
    path2 = p2;
  }
  const outLen = reads ? Math.min(desc.len, Limits.MAX_MSG_BYTES) : 0;
  if (reads && !mem.inBounds(desc.buf, outLen)) return -Errno.EFAULT;
  return pathOp(k, p, d, desc.op, desc.offset, path, path2, outLen, desc.buf, null);
}

/**
 * A request the host makes as process p (a personality, host/personality/):
 * the descriptor's fields given directly, paths as strings and the output (stat,
 * readlink, readdir) into a buffer the host holds, so the personality needs no
 * scratch memory in the program's. Everything else is the syscall's: the same
 * handle, rights, unveil and path checks, the same message to the same server.
 */
export interface HostRequest {
  op: number;
  /** The descriptor's offset field (file offset, size, time, cookie, mkdir flags). */
  offset: bigint;
  /** ns_call: the paths (relative to the DIR). */
  path?: string;
  path2?: string;
  /** io_call read/write: the data, in the process's own memory (buffer form). */
  buf?: number;
  len?: number;
  /** stat, readdir, readlink: where the reply body goes (at most its length). */
  out?: Uint8Array;
}

/** ns_call with a host-side descriptor (HostRequest). */
export function nsCallHost(k: Kernel, p: Process, dir: number, req: HostRequest): number | typeof BLOCK {
  const d = dirOf(p, dir, 0);
  if (typeof d === "number") return d;
  if (!PATH_OPS.has(req.op)) return -Errno.EINVAL;
  const reads = req.op === IO_READLINK || req.op === IO_PSTAT;
  if ((d.rights & pathRight(req.op, reads)) === 0) return -Errno.EACCES;
  const path = checkPath(req.path ?? "");
  if (typeof path === "number") return path;
  let path2 = "";
  if (TWO_PATHS.has(req.op)) {
    const p2 = checkPath(req.path2 ?? "");
    if (typeof p2 === "number") return p2;
    path2 = p2;
  }
  const out = reads ? (req.out ?? new Uint8Array(0)) : null;
  const outLen = out === null ? 0 : Math.min(out.length, Limits.MAX_MSG_BYTES);
  return pathOp(k, p, d, req.op, req.offset, path, path2, outLen, -1, out);
}

function pathOp(
  k: Kernel,
  p: Process,
  d: { dir: DirObject; rights: number },
  op: number,
  offset: bigint,
  path: string,
  path2: string,
  outLen: number,
  outPtr: number,
  out: Uint8Array | null,
): number | typeof BLOCK {
  const mem = p.memory!;
  const reads = op === IO_READLINK || op === IO_PSTAT;
  const desc = { op, offset, buf: outPtr };
  const abs = resolveIn(d.dir.scope, path);
  const what = PATH_OP_NAMES[op];
  if (!unveiled(k, p, abs, reads ? UNVEIL_READ : op === IO_PSETTIMES ? UNVEIL_WRITE : UNVEIL_CREATE, what)) return -Errno.EUNVEIL;
  const r = d.dir.table.resolve(abs);
  if (r === null) return -Errno.ENOENT;
  let rest2 = path2; // a symlink's target is stored as given
  if (desc.op === IO_RENAME || desc.op === IO_LINK) {
    const abs2 = resolveIn(d.dir.scope, path2);
    if (!unveiled(k, p, abs2, UNVEIL_CREATE, what)) return -Errno.EUNVEIL;
    const r2 = d.dir.table.resolve(abs2);
    if (r2 === null) return -Errno.ENOENT;
    if (r2.mount !== r.mount) return -Errno.EXDEV;
    rest2 = r2.rest;
  }
  const mount = r.mount;
  if (mount.flags & MOUNT_ENDPOINT) {
    if (r.rest !== "") return -Errno.ENOTDIR;
    if (desc.op !== IO_PSTAT) return -Errno.ENOTSUP;
    // The kernel answers for a plain endpoint: its type, nothing else.
    if (outLen < STAT_SIZE) return -Errno.EINVAL;
    const st = { type: FILE_TYPE_ENDPOINT, nlink: 1, size: 0n, ino: 0n, mtime: 0n };
    if (out !== null) writeStat(new StructView(out), 0, st);
    else writeStat(mem, desc.buf, st);
    return STAT_SIZE;
  }
  if (mountDead(mount)) return -Errno.ECLOSED;
  const b1 = (r.restBytes ??= encodePath(r.rest));
  let body = b1; // shared with later requests for the path: the exchange only reads it
  if (rest2 !== "") {
    const b2 = encodePath(rest2);
    body = new Uint8Array(b1.length + b2.length);
    body.set(b1);
    body.set(b2, b1.length);
  }
  const ep = mount.cap.object as Endpoint;
  const words = [word0(desc.op, IO_FORM_BUFFER, 0, outLen), 0n, desc.offset, BigInt(b1.length) | (BigInt(body.length - b1.length) << 32n)];
  const m = request(k, p, ep, words, 0, body.length, reads && out === null ? desc.buf : -1, outLen);
  m.kernelBody = body;
  m.kernelReply = out;
  m.onAnswer = (status, _w, bodyLen) => (status < 0 ? status : reads ? Math.min(status, bodyLen, outLen) : 0);
  return startSend(k, p, ep, m, Infinity);
}

// ---- io_call: operations on an open file ----------------------------------------------------

const FILE_OPS = new Set<number>([IO_READ, IO_WRITE, IO_STAT, IO_SETSIZE, IO_SETTIMES, IO_READDIR, IO_SYNC]);

export function sysIoCall(k: Kernel, p: Process, file: number, descPtr: number): number | typeof BLOCK {
  const obj = p.handles.get(file, FileObject, 0);
  if (typeof obj === "number") return obj;
  const desc = readDesc(p.memory!, descPtr);
  if (typeof desc === "number") return desc;
  return fileOp(k, p, file, obj, desc, null);
}

/** io_call with a host-side descriptor (HostRequest): data in the buffer form, output into req.out. */
export function ioCallHost(k: Kernel, p: Process, file: number, req: HostRequest): number | typeof BLOCK {
  const obj = p.handles.get(file, FileObject, 0);
  if (typeof obj === "number") return obj;
  const output = req.op === IO_STAT || req.op === IO_READDIR;
  const out = output ? (req.out ?? new Uint8Array(0)) : null;
  const desc: IoDesc = {
    op: req.op,
    form: IO_FORM_BUFFER,
    offset: req.offset,
    buf: output ? 0 : (req.buf ?? 0),
    len: output ? Math.min(out!.length, Limits.MAX_MSG_BYTES) : (req.len ?? 0),
    grant: 0,
    path: 0,
    pathLen: 0,
    path2: 0,
    path2Len: 0,
    reserved: 0,
  };
  return fileOp(k, p, file, obj, desc, out);
}

function fileOp(k: Kernel, p: Process, file: number, f: FileObject, desc: IoDesc, out: Uint8Array | null): number | typeof BLOCK {
  const mem = p.memory!;
  const { op, form, len, buf } = desc;
  if (!FILE_OPS.has(op) || desc.reserved !== 0 || form > IO_FORM_GRANT) return -Errno.EINVAL;
  const data = op === IO_READ || op === IO_WRITE;
  if (!data && form !== IO_FORM_BUFFER) return -Errno.EINVAL;
  const need =
    op === IO_READ || op === IO_READDIR ? Rights.READ : op === IO_WRITE || op === IO_SETSIZE || op === IO_SETTIMES ? Rights.WRITE : 0;
  if ((p.handles.rightsOf(file) & need) !== need) return -Errno.EACCES;
  if (len > Limits.MAX_MSG_BYTES) return -Errno.E2BIG;
  if (f.dead) return -Errno.ECLOSED; // before the grant checks: a dead server binds nothing any more
  const writes = op === IO_WRITE;
  const output = op === IO_READ || op === IO_STAT || op === IO_READDIR;
  let w3 = 0n;
  if (form === IO_FORM_REGS) {
    if (len > (writes ? IO_REGS_WRITE_MAX : IO_REGS_READ_MAX)) return -Errno.EINVAL;
    if (!mem.inBounds(buf, len)) return -Errno.EFAULT;
    if (writes) for (let i = len - 1; i >= 0; i--) w3 = (w3 << 8n) | BigInt(mem.u8(buf + i));
  } else if (form === IO_FORM_GRANT) {
    const index = grantIndex(p, f, desc.grant, writes);
    if (index < 0) return index;
    const size = f.server.mm.grants[index].memory.size;
    if (buf + len > size) return -Errno.EFAULT;
    w3 = BigInt(buf) | (BigInt(index) << 32n);
  } else if (out === null && !mem.inBounds(buf, len)) return -Errno.EFAULT;
  const words = [word0(op, form, 0, len), f.ocb, desc.offset, w3];
  const buffered = form === IO_FORM_BUFFER;
  const m = request(
    k,
    p,
    f.endpoint,
    words,
    buffered && writes ? buf : 0,
    buffered && writes ? len : 0,
    buffered && output && out === null ? buf : -1,
    len,
  );
  m.kernelReply = out;
  m.onAnswer = (status, w, bodyLen, gone) => {
    if (status < 0 || gone) return status;
    if (form === IO_FORM_REGS && !writes) {
      const n = Math.min(status, len, IO_REGS_READ_MAX);
      const m2 = p.memory;
      if (m2 === null) return n;
      for (let i = 0; i < n; i++) m2.setU8(buf + i, Number((w[i >> 3] >> BigInt((i & 7) * 8)) & 0xffn));
      return n;
    }
    if (buffered && output) return Math.min(status, bodyLen, len);
    if (data) return Math.min(status, len);
    return 0;
  };
  return startSend(k, p, f.endpoint, m, Infinity);
}

/**
 * The grant form's memory: `grant` must be a MEMORY handle of p with the right
 * the transfer needs, bound by p and by the file's server. Returns the index
 * of the server's binding (in its import order), or -ENOTBOUND.
 */
function grantIndex(p: Process, f: FileObject, grant: number, writes: boolean): number {
  const cap = p.handles.cap(grant);
  if (typeof cap === "number" || cap.object.type !== ObjectType.MEMORY) return -Errno.ENOTBOUND;
  if ((cap.rights & (writes ? Rights.READ : Rights.WRITE)) === 0) return -Errno.ENOTBOUND;
  const mine = p.mm.grants.find((b) => b.memory === cap.object && !b.ended);
  if (mine === undefined || (!writes && mine.readOnly)) return -Errno.ENOTBOUND;
  const i = f.server.mm.grants.findIndex((b) => b.memory === cap.object && !b.ended && (writes || !b.readOnly));
  return i < 0 ? -Errno.ENOTBOUND : i;
}

// ---- unveil ----------------------------------------------------------------------------------

export function sysUnveil(k: Kernel, p: Process, rulesPtr: number, count: number): number {
  if (count < 0) return -Errno.EINVAL;
  if (count > Limits.MAX_UNVEIL_RULES) return -Errno.E2BIG;
  const mem = p.memory!;
  if (!mem.inBounds(rulesPtr, count * UNVEIL_RULE_SIZE)) return -Errno.EFAULT;
  const ns = nsOf(k);
  const view = ns.view(p);
  if (view.length >= Limits.MAX_UNVEIL_CALLS) return -Errno.E2BIG;
  const rules: { path: string; perms: number }[] = [];
  for (let i = 0; i < count; i++) {
    const rule = readUnveilRule(mem, (rulesPtr >>> 0) + i * UNVEIL_RULE_SIZE);
    const path = readPath(mem, rule.path, rule.pathLen | 0);
    if (typeof path === "number") return path;
    const perms = rule.perms;
    if (perms & ~UNVEIL_ALL) return -Errno.EINVAL;
    rules.push({ path: resolveIn("/", path), perms });
  }
  rules.sort((a, b) => b.path.length - a.path.length);
  ns.views.set(p, [...view, rules]);
  return 0;
}
