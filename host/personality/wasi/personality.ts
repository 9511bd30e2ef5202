// The WASI preview 1 personality: the 46 wasi_snapshot_preview1 functions, as
// the imports of one process. A WASI program is an ordinary wasmos process
// (fuel-metered, memory-budgeted, scheduled, killable); these functions are
// its system-call layer, and they act only with what the process holds:
//  - the CPU, the clock, randomness, exit: through the kernel's own syscalls
//    (invokeSyscall: sleep, yield, clock_now, random_get, exit), with the
//    process's pledges applying; blocking ones suspend the stack through JSPI;
//  - stdio: the process's console streams (what the spawner gave);
//  - files: only through the DIR handles the spawner gave the process as its
//    preopens (startup handles), by the namespace's own calls (ns_open,
//    ns_call, io_call, handle_close through invokeNamespace, made as this
//    process): the resource managers serving those paths (hostfs for a host
//    directory, tmpfs for /tmp, devfs for /dev) do the work and the
//    namespace and the servers enforce confinement. No host file is touched here.
// Every pointer is bounds-checked; a bad one answers FAULT. Nothing a guest
// passes makes the host throw: an unexpected failure here ends only this
// process (KERNEL_FAULT), as a kernel bug in a syscall does.

import { Constants, Errno as KErrno, ExitReason, Limits, Rights } from "../../../abi/gen/abi.ts";
import type { KernelCore } from "../../../kernel/core.ts";
import type { Process } from "../../../kernel/objects/process.ts";
import { invokeNamespace, invokeSyscall, UNWIND } from "../../runtime/bridge.ts";
import { markSplit, mustWait } from "../../runtime/split-imports.ts";
import {
  Clockid,
  DIRENT_SIZE,
  E,
  EVENT_FD_READWRITE_HANGUP,
  EVENT_SIZE,
  EventType,
  FDSTAT_SIZE,
  Fdflags,
  FILESTAT_SIZE,
  Filetype,
  Fstflags,
  LOOKUP_SYMLINK_FOLLOW,
  Oflags,
  R,
  RIGHTS_DIR,
  RIGHTS_FILE,
  RIGHTS_TTY,
  SUBCLOCK_ABSTIME,
  SUBSCRIPTION_SIZE,
  Whence,
} from "./constants.ts";

export const WASI_MODULE = "wasi_snapshot_preview1";

const C = Constants;

/** Where a process's standard input comes from: bytes now, null at end of input. */
export interface WasiStdin {
  read(max: number): Uint8Array | null | Promise<Uint8Array | null>;
  /** For poll_oneoff: bytes buffered now (0: none yet), or null at the end of input. Without it, stdin always polls ready. */
  buffered?(): number | null;
  /** For poll_oneoff: resolves once buffered() is no longer 0 (input, or its end). */
  wait?(): Promise<void>;
}

export interface WasiPreopen {
  /** The name the program sees (fd_prestat_dir_name), e.g. "." or "/data". */
  guest: string;
  /** The startup handle (a DIR, its rights deciding read-only or not) the spawner gave the process for it. */
  handle: string;
}

/** What the spawner gives a WASI process beyond its arguments. */
export interface WasiOptions {
  /** Environment, "KEY=VALUE" each (default: the process's own, env_get's; empty unless its spawner set one). */
  env?: readonly string[];
  /** Preopened directories: fds 3, 4, ... in this order. */
  preopens?: readonly WasiPreopen[];
  /** Standard input (default: empty). */
  stdin?: WasiStdin;
  /** Standard error (default: the process's stdout stream is not used; stderr is discarded). */
  stderr?: (bytes: Uint8Array) => void;
}

/** realtime in deterministic mode: a fixed epoch (2026-01-01T00:00:00Z) plus the virtual clock, so runs reproduce. */
export const DETERMINISTIC_EPOCH_NS = 1767225600n * 1_000_000_000n;

/** A preopened directory: the DIR handle the process holds for it. */
interface Pre {
  /** The DIR handle in the process's table (-1: the spawner named a handle the process does not have). */
  dir: number;
  /** Its rights lack WRITE/CREATE: changes answer ROFS before anything is sent. */
  readOnly: boolean;
  /** The filestat dev of everything below it (the namespace has no device numbers: one per preopen). */
  dev: bigint;
}

interface Fd {
  type: Filetype;
  base: bigint;
  inheriting: bigint;
  flags: number;
  /** stdio */
  write?: (b: Uint8Array) => void;
  stdin?: WasiStdin;
  /** files and directories: the preopen they are below, and their path below it ("" = the preopen itself). */
  pre?: Pre;
  rel?: string;
  /** A FILE handle: the open file, or a directory opened for readdir (made at the first fd_readdir). */
  file?: number;
  pos: bigint;
  /** A preopen's guest name. */
  preopen?: string;
}

/** Host I/O a WASI process is blocked on (stdin), by process: the kernel sees it BLOCKED with no timer, i.e. quiescent. */
const hostWaits = new WeakMap<Process, Promise<unknown>>();

/**
 * The host I/O process p is blocked on, if any: a runner that finds the
 * kernel quiescent while this is pending must wait for it, not declare a
 * deadlock (the process is woken when the input arrives).
 */
export function pendingHostWait(p: Process): Promise<unknown> | null {
  return hostWaits.get(p) ?? null;
}

/**
 * A host wait's hold on its process and kernel, cut when the personality is disposed (the process ended).
 * The host's input source may outlive the process (process.stdin keeps a read's resolver until input comes),
 * and it keeps the reactions of the waits made on it: were those to hold the process or the kernel, a
 * process ended while it waited for input nobody types would keep its whole kernel reachable for as long.
 * The reactions are made by the functions below, whose closures hold the link and nothing else.
 */
interface HostLink {
  k: KernelCore | null;
  p: Process | null;
}

/** What a wait on host I/O got: set by the reactions, read once the process resumes. */
interface HostWaitState<T> {
  done: boolean;
  value: T | undefined;
  failure: unknown;
}

/** Wake the linked process (once it is still there) when `work` settles; recorded as its pending host wait. */
function wakeWhenSettled<T>(work: Promise<T>, link: HostLink, st: HostWaitState<T>): void {
  const wake = (): void => {
    st.done = true;
    if (link.p !== null) link.k!.wake(link.p, 0);
  };
  const settled = work.then(
    (v) => {
      st.value = v;
      wake();
    },
    (e) => {
      st.failure = e ?? new Error("host read failed");
      wake();
    },
  );
  recordHostWait(link, settled);
}

/** Wake the linked process when any of `waits` resolves, unless `woken` says the wait is over (poll_oneoff). */
function wakeOnInput(waits: Promise<void>[], link: HostLink, woken: { value: boolean }): Promise<unknown> {
  const input = Promise.race(waits).then(() => woken.value || (link.p !== null && link.k!.wake(link.p, 0)));
  recordHostWait(link, input);
  return input;
}

function recordHostWait(link: HostLink, wait: Promise<unknown>): void {
  hostWaits.set(link.p!, wait);
  void wait.finally(() => link.p !== null && hostWaits.get(link.p) === wait && hostWaits.delete(link.p));
}

class Fault extends Error {}
const FAULT = new Fault("fault");
const utf8 = new TextDecoder("utf-8", { fatal: true });
const enc = new TextEncoder();

/** A view of the guest's memory, refreshed when growth detaches the old buffer. */
class Mem {
  private memory: WebAssembly.Memory | null = null;
  u8 = new Uint8Array(0);
  dv = new DataView(new ArrayBuffer(0));
  bind(m: WebAssembly.Memory): void {
    this.memory = m;
    this.refresh();
  }
  /** Growth detaches the old buffer (a non-shared memory), which then reads as length 0: only then re-read `buffer`. */
  refresh(): void {
    if (this.u8.byteLength === 0 && this.memory !== null) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.dv = new DataView(this.memory.buffer);
    }
  }
  check(ptr: number, len: number): number {
    const p = ptr >>> 0;
    if (p + len > this.u8.byteLength) throw FAULT;
    return p;
  }
  view(ptr: number, len: number): Uint8Array {
    const p = this.check(ptr, len);
    return this.u8.subarray(p, p + len);
  }
  u32(ptr: number): number {
    return this.dv.getUint32(this.check(ptr, 4), true);
  }
  setU32(ptr: number, v: number): void {
    this.dv.setUint32(this.check(ptr, 4), v >>> 0, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.dv.setBigUint64(this.check(ptr, 8), BigInt.asUintN(64, v), true);
  }
  u64(ptr: number): bigint {
    return this.dv.getBigUint64(this.check(ptr, 8), true);
  }
  u16(ptr: number): number {
    return this.dv.getUint16(this.check(ptr, 2), true);
  }
  setU16(ptr: number, v: number): void {
    this.dv.setUint16(this.check(ptr, 2), v, true);
  }
  u8at(ptr: number): number {
    return this.u8[this.check(ptr, 1)];
  }
  setU8(ptr: number, v: number): void {
    this.u8[this.check(ptr, 1)] = v;
  }
  string(ptr: number, len: number): string {
    try {
      return utf8.decode(this.view(ptr, len));
    } catch (e) {
      if (e === FAULT) throw e;
      throw new Errno(E.INVAL);
    }
  }
}

/** Thrown inside a call to answer an errno. */
class Errno {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

/** A wasmos errno (a namespace call's -result) as the WASI errno a careful host answers. */
const WASI_ERRNO: Record<number, number> = {
  [KErrno.EFAULT]: E.FAULT,
  [KErrno.EINVAL]: E.INVAL,
  [KErrno.EBADH]: E.BADF,
  [KErrno.ESTALE]: E.BADF,
  [KErrno.EWRONGTYPE]: E.BADF,
  // Refused by policy (a DIR's rights, a symbolic link or a path leading out of a host directory, a device file): PERM, as wasmtime answers an escape.
  [KErrno.EACCES]: E.PERM,
  [KErrno.ENOMEM]: E.NOMEM,
  [KErrno.ENOENT]: E.NOENT,
  [KErrno.ETIMEDOUT]: E.TIMEDOUT,
  [KErrno.E2BIG]: E.TOOBIG,
  [KErrno.EMFILE]: E.MFILE,
  [KErrno.ECLOSED]: E.IO,
  [KErrno.EAGAIN]: E.AGAIN,
  [KErrno.EPLEDGE]: E.NOTCAPABLE,
  [KErrno.EEXIST]: E.EXIST,
  [KErrno.EIO]: E.IO,
  [KErrno.EBUSY]: E.BUSY,
  [KErrno.ENOTDIR]: E.NOTDIR,
  [KErrno.EISDIR]: E.ISDIR,
  [KErrno.ENOTEMPTY]: E.NOTEMPTY,
  [KErrno.EXDEV]: E.XDEV,
  [KErrno.EUNVEIL]: E.NOTCAPABLE,
  [KErrno.ENOSPC]: E.NOSPC,
  [KErrno.ENOTSUP]: E.NOTSUP,
  [KErrno.ENAMETOOLONG]: E.NAMETOOLONG,
  [KErrno.ENOTBOUND]: E.IO,
  [KErrno.ELOOP]: E.LOOP,
};

/** A namespace call's result: itself when >= 0, else thrown as its WASI errno. */
function ok(r: number): number {
  if (r >= 0) return r;
  throw new Errno(WASI_ERRNO[-r] ?? E.IO);
}

/** The namespace's stat record (STAT_SIZE bytes) as fields. */
interface NsStat {
  type: number;
  nlink: number;
  size: bigint;
  ino: bigint;
  mtime: bigint;
}

function filetypeOfNs(t: number): Filetype {
  switch (t) {
    case C.FILE_TYPE_REG:
      return Filetype.REGULAR_FILE;
    case C.FILE_TYPE_DIR:
      return Filetype.DIRECTORY;
    case C.FILE_TYPE_SYMLINK:
      return Filetype.SYMBOLIC_LINK;
    case C.FILE_TYPE_DEV:
      return Filetype.CHARACTER_DEVICE;
    default:
      return Filetype.UNKNOWN;
  }
}

/** A path a WASI program names, checked the way a preview 1 host answers before anything is sent. */
interface Walked {
  /** The path below the preopen ("" = the preopen itself), "/"-joined, without ".", ".." or empty components. */
  rel: string;
  /** The name ended in "/" (or "." / ".."): it must be a directory. */
  mustBeDir: boolean;
}

/**
 * Resolve `path` lexically from the directory `base` (a path below the
 * preopen). An absolute path, or ".." above `base`, answers PERM (each
 * directory fd is a capability to its own subtree, as in wasmtime). This is
 * errno fidelity, not the sandbox: the DIR handle is a chroot in the kernel
 * and the server confines symbolic links.
 */
function walk(base: string, path: string): Walked {
  if (path.length === 0) throw new Errno(E.NOENT);
  if (path.includes("\0")) throw new Errno(E.INVAL);
  if (path.startsWith("/")) throw new Errno(E.PERM);
  const out = base === "" ? [] : base.split("/");
  const floor = out.length;
  let mustBeDir = path.endsWith("/");
  const comps = path.split("/");
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i];
    const last = i === comps.length - 1 || comps.slice(i + 1).every((x) => x === "");
    if (c === "" || c === ".") {
      if (c === "." && last) mustBeDir = true;
      continue;
    }
    if (c === "..") {
      if (out.length <= floor) throw new Errno(E.PERM);
      out.pop();
      if (last) mustBeDir = true;
      continue;
    }
    if (enc.encode(c).length > 255) throw new Errno(E.NAMETOOLONG);
    out.push(c);
  }
  return { rel: out.join("/"), mustBeDir };
}

/** The path to name `rel` by with the preopen's DIR handle ("." for the preopen itself). */
const nsPath = (rel: string) => (rel === "" ? "." : rel);

const MAX_FDS = 4096;
/** The largest read or write one io_call moves (the transport's message limit). */
const IO_CHUNK = 1 << 20;

/** One process's WASI state and imports. */
export class WasiPersonality {
  private readonly k: KernelCore;
  private readonly p: Process;
  private readonly env: Uint8Array[];
  private readonly fds: (Fd | undefined)[] = [];
  private readonly mem = new Mem();
  /** A reply buffer for stat records (the kernel copies the server's reply into it: no scratch in the program's memory). */
  private readonly statBuf = new Uint8Array(C.STAT_SIZE);
  private readonly statView = new DataView(this.statBuf.buffer);
  /** Times the program set, exact to the nanosecond, by (dev, ino): a server may keep less precision. */
  private readonly setTimes = new Map<string, { atim: bigint; mtim: bigint; reported: bigint }>();
  /** Whether the spawner gave any directory (else no fd can ever be a file). */
  private readonly hasPreopens: boolean;
  /** The host waits' hold on the process and kernel (HostLink), cut by dispose(). */
  private readonly link: HostLink;

  constructor(k: KernelCore, p: Process, options: WasiOptions = {}) {
    this.k = k;
    this.p = p;
    this.link = { k, p };
    // The process's own environment (env_get's, set by its spawner) unless the spawner gave the personality one.
    this.env = options.env !== undefined ? options.env.map((s) => enc.encode(s)) : [...p.env];
    const stderr = options.stderr ?? (() => {});
    const empty: WasiStdin = { read: () => null };
    this.fds[0] = {
      type: Filetype.CHARACTER_DEVICE,
      base: RIGHTS_TTY & ~R.FD_WRITE,
      inheriting: 0n,
      flags: 0,
      stdin: options.stdin ?? empty,
      pos: 0n,
    };
    this.fds[1] = {
      type: Filetype.CHARACTER_DEVICE,
      base: RIGHTS_TTY & ~R.FD_READ,
      inheriting: 0n,
      flags: 0,
      write: (b) => p.stdout(b),
      pos: 0n,
    };
    this.fds[2] = { type: Filetype.CHARACTER_DEVICE, base: RIGHTS_TTY & ~R.FD_READ, inheriting: 0n, flags: 0, write: stderr, pos: 0n };
    this.hasPreopens = (options.preopens ?? []).length > 0;
    let dev = 1n;
    for (const pre of options.preopens ?? []) {
      const h = p.names.get(pre.handle) ?? -1;
      const rights = h >= 0 ? p.handles.rightsOf(h) : 0;
      const readOnly = (rights & (Rights.WRITE | Rights.CREATE)) !== (Rights.WRITE | Rights.CREATE);
      this.fds.push({
        type: Filetype.DIRECTORY,
        base: RIGHTS_DIR,
        inheriting: RIGHTS_DIR | RIGHTS_FILE,
        flags: 0,
        pre: { dir: h, readOnly, dev: dev++ },
        rel: "",
        pos: 0n,
        preopen: pre.guest,
      });
    }
  }

  /** The instance's memory, once it exists (before _start runs). */
  bind(memory: WebAssembly.Memory): void {
    this.mem.bind(memory);
  }

  /** The process has ended: its handles (the preopens' DIRs, the open FILEs) went with it. */
  dispose(): void {
    this.fds.length = 0;
    this.link.k = null;
    this.link.p = null;
  }

  // ---- plumbing ----

  /** A synchronous import: errno results, FAULT for bad pointers, a kernel fault for anything unexpected. */
  private sync<A extends unknown[]>(name: string, fn: (...a: A) => number): (...a: A) => number {
    const mem = this.mem;
    const f = fn as (...a: unknown[]) => number;
    // Fixed arities for the common calls: a rest-and-spread wrapper allocates on every call.
    switch (fn.length) {
      case 1:
        return ((a: unknown) => {
          mem.refresh();
          try {
            return f(a);
          } catch (e) {
            return this.failed(name, e);
          }
        }) as unknown as (...a: A) => number;
      case 2:
        return ((a: unknown, b: unknown) => {
          mem.refresh();
          try {
            return f(a, b);
          } catch (e) {
            return this.failed(name, e);
          }
        }) as unknown as (...a: A) => number;
      case 4:
        return ((a: unknown, b: unknown, c: unknown, d: unknown) => {
          mem.refresh();
          try {
            return f(a, b, c, d);
          } catch (e) {
            return this.failed(name, e);
          }
        }) as unknown as (...a: A) => number;
      default:
        return (...a: A) => {
          mem.refresh();
          try {
            return fn(...a);
          } catch (e) {
            return this.failed(name, e);
          }
        };
    }
  }

  /**
   * An import that may block: a Suspending function whose result may be a
   * promise; or, with split (imports(true)), a split import's plain entry
   * (host/runtime/split-imports.ts): a number is the result, a promise means
   * "must wait" (handed to mustWait(); the guard in front then suspends on it).
   */
  private blocking<A extends unknown[]>(name: string, fn: (...a: A) => number | Promise<number>): unknown {
    const f = fn as (...a: unknown[]) => number | Promise<number>;
    const done = (r: number | Promise<number>) => (typeof r === "number" ? r : r.catch((e: unknown) => this.failed(name, e)));
    if (this.split) {
      const out = (r: number | Promise<number>): number => {
        if (typeof r === "number") return r;
        mustWait(r.catch((e: unknown) => this.failed(name, e)));
        return 0;
      };
      if (fn.length === 4) {
        return markSplit((a: unknown, b: unknown, c: unknown, d: unknown) => {
          this.mem.refresh();
          try {
            return out(f(a, b, c, d));
          } catch (e) {
            return this.failed(name, e);
          }
        });
      }
      return markSplit((...a: A) => {
        this.mem.refresh();
        try {
          return out(fn(...a));
        } catch (e) {
          return this.failed(name, e);
        }
      });
    }
    // Fixed arities for the common calls (fd_write, fd_read): no rest array per call.
    if (fn.length === 4) {
      return new WebAssembly.Suspending((a: unknown, b: unknown, c: unknown, d: unknown) => {
        this.mem.refresh();
        try {
          return done(f(a, b, c, d));
        } catch (e) {
          return this.failed(name, e);
        }
      });
    }
    return new WebAssembly.Suspending((...a: A) => {
      this.mem.refresh();
      try {
        return done(fn(...a));
      } catch (e) {
        return this.failed(name, e);
      }
    });
  }

  private failed(name: string, e: unknown): number {
    if (e instanceof Errno) return e.code;
    if (e === FAULT) return E.FAULT;
    if (e === UNWIND) throw e;
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.k.terminate(this.p, -1, ExitReason.KERNEL_FAULT, `kernel fault in wasi ${name}: ${detail}`);
    throw UNWIND;
  }

  private fd(n: number, rights: bigint = 0n): Fd {
    const f = n >= 0 ? this.fds[n] : undefined;
    if (f === undefined) throw new Errno(E.BADF);
    if ((f.base & rights) !== rights) throw new Errno(E.NOTCAPABLE);
    return f;
  }

  private dirFd(n: number, rights: bigint): Fd & { pre: Pre; rel: string } {
    const f = this.fd(n);
    if (f.type !== Filetype.DIRECTORY || f.pre === undefined) throw new Errno(E.NOTDIR);
    if ((f.base & rights) !== rights) throw new Errno(E.NOTCAPABLE);
    return f as Fd & { pre: Pre; rel: string };
  }

  private allocFd(f: Fd): number {
    for (let i = 0; i < MAX_FDS; i++) {
      if (this.fds[i] === undefined) {
        this.fds[i] = f;
        return i;
      }
    }
    throw new Errno(E.MFILE);
  }

  /** The path the program names at (ptr, len), walked from directory fd d. */
  private path(d: { rel: string }, ptr: number, len: number): Walked {
    return walk(d.rel, this.mem.string(ptr, len));
  }

  // ---- the namespace, as this process ----

  /** A namespace call made as this process (invokeNamespace); its result once the server answered. */
  private async ns(name: "ns_open" | "ns_call" | "io_call", h: number, x: unknown, y?: unknown): Promise<number> {
    const r = invokeNamespace(this.k, name, h, x, y);
    const v = typeof r === "object" ? await r : Number(r);
    this.mem.refresh();
    return v;
  }

  private close(h: number): void {
    invokeSyscall(this.k, "handle_close", [h]);
  }

  /** Stat rel below pre: following a final symbolic link, or describing it (lstat). */
  private pstat(pre: Pre, rel: string, follow = true): Promise<number> {
    const offset = BigInt(follow ? C.IO_STAT_FOLLOW : C.IO_STAT_NOFOLLOW);
    return this.ns("ns_call", pre.dir, { op: C.IO_PSTAT, offset, path: nsPath(rel), out: this.statBuf });
  }

  private fstat(file: number): Promise<number> {
    return this.ns("io_call", file, { op: C.IO_STAT, offset: 0n, out: this.statBuf });
  }

  /** The last stat record (statBuf) as fields. */
  private lastStat(): NsStat {
    const v = this.statView;
    return {
      type: v.getUint32(0, true),
      nlink: v.getUint32(4, true),
      size: v.getBigUint64(8, true),
      ino: v.getBigUint64(16, true),
      mtime: v.getBigInt64(24, true),
    };
  }

  /** Stat what fd f stands for: its open file, or its path below the preopen. */
  private async statOf(f: Fd): Promise<NsStat> {
    if (f.file !== undefined && f.type !== Filetype.DIRECTORY) ok(await this.fstat(f.file));
    else if (f.pre !== undefined) ok(await this.pstat(f.pre, f.rel!));
    else throw new Errno(E.BADF);
    return this.lastStat();
  }

  /** Write a WASI filestat at ptr from a namespace stat (dev: the preopen's; atime and ctime: the mtime, unless the program set them). */
  private putFilestat(ptr: number, st: NsStat, dev: bigint): void {
    const m = this.mem;
    m.check(ptr, FILESTAT_SIZE);
    let atim = st.mtime;
    let mtim = st.mtime;
    const set = this.setTimes.get(`${dev}:${st.ino}`);
    if (set !== undefined && set.reported === st.mtime) {
      atim = set.atim;
      mtim = set.mtim;
    }
    m.view(ptr, FILESTAT_SIZE).fill(0);
    m.setU64(ptr, dev);
    m.setU64(ptr + 8, st.ino);
    m.setU8(ptr + 16, filetypeOfNs(st.type));
    m.setU64(ptr + 24, BigInt(st.nlink));
    m.setU64(ptr + 32, st.size);
    m.setU64(ptr + 40, atim);
    m.setU64(ptr + 48, mtim);
    m.setU64(ptr + 56, mtim);
  }

  private writable(pre: Pre | undefined): void {
    if (pre?.readOnly) throw new Errno(E.ROFS);
  }

  /** Read into the iovecs at (iovs, count) from file at `at`; see transferAt. */
  private readAt(file: number, iovs: number, count: number, at: bigint): Promise<number> {
    return this.transferAt(C.IO_READ, file, iovs, count, at);
  }

  /** Write the iovecs at (iovs, count) to file at `at`; see transferAt. */
  private writeAt(file: number, iovs: number, count: number, at: bigint): Promise<number> {
    return this.transferAt(C.IO_WRITE, file, iovs, count, at);
  }

  /** IO_READ or IO_WRITE between the iovecs and file at `at`: one io_call per iovec (chunked to IO_CHUNK), stopping at a short transfer. */
  private async transferAt(op: number, file: number, iovs: number, count: number, at: bigint): Promise<number> {
    const m = this.mem;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const ptr = m.u32(iovs + i * 8);
      const len = m.u32(iovs + i * 8 + 4);
      m.check(ptr, len);
      for (let off = 0; off < len;) {
        const n = Math.min(IO_CHUNK, len - off);
        const r = ok(await this.ns("io_call", file, { op, offset: at + BigInt(total), buf: ptr + off, len: n }));
        total += r;
        off += r;
        if (r < n) return total;
      }
    }
    return total;
  }

  private nowNs(): bigint {
    const t = invokeSyscall(this.k, "clock_now", []) as bigint;
    return t;
  }

  private realtimeNs(): bigint {
    if (this.k.clock.virtual) return DETERMINISTIC_EPOCH_NS + this.nowNs();
    return BigInt(Date.now()) * 1_000_000n + (this.nowNs() % 1_000_000n);
  }

  /** The iovecs at (ptr, count) as views into guest memory. */
  private iovecs(ptr: number, count: number): Uint8Array[] {
    if (count < 0 || count > 1024) throw new Errno(E.INVAL);
    if (count === 1) return [this.mem.view(this.mem.u32(ptr), this.mem.u32(ptr + 4))];
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = ptr + i * 8;
      out.push(this.mem.view(this.mem.u32(at), this.mem.u32(at + 4)));
    }
    return out;
  }

  private gather(views: Uint8Array[]): Uint8Array {
    if (views.length === 1) return views[0];
    let n = 0;
    for (const v of views) n += v.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const v of views) {
      out.set(v, o);
      o += v.length;
    }
    return out;
  }
  // ---- the imports ----

  /** Set by imports(split) before the table is built (blocking()). */
  private split = false;

  imports(split = false): Record<string, unknown> {
    this.split = split;
    const m = this.mem;
    const s = <A extends unknown[]>(n: string, fn: (...a: A) => number) => this.sync(n, fn);
    const args = this.p.args;
    const fdWrite = (fd: number, iovs: number, count: number, nwritten: number): number | Promise<number> => {
      const f = this.fd(fd, R.FD_WRITE);
      m.check(nwritten, 4);
      if (f.write !== undefined) {
        const data = this.gather(this.iovecs(iovs, count));
        // A copy: the stream may keep the bytes (a pipe writes later) while the program reuses its buffer.
        if (data.length > 0) f.write(data.buffer === m.u8.buffer ? data.slice() : data);
        m.setU32(nwritten, data.length);
        return E.SUCCESS;
      }
      if (f.file === undefined || f.type === Filetype.DIRECTORY) throw new Errno(E.BADF);
      if (count < 0 || count > 1024) throw new Errno(E.INVAL);
      return this.fileWrite(f, f.file, iovs, count, nwritten);
    };
    const table: Record<string, unknown> = {
      args_get: s("args_get", (argv: number, buf: number) => this.putStrings(args, argv, buf)),
      args_sizes_get: s("args_sizes_get", (countPtr: number, sizePtr: number) => this.putSizes(args, countPtr, sizePtr)),
      environ_get: s("environ_get", (envp: number, buf: number) => this.putStrings(this.env, envp, buf)),
      environ_sizes_get: s("environ_sizes_get", (countPtr: number, sizePtr: number) => this.putSizes(this.env, countPtr, sizePtr)),

      clock_res_get: s("clock_res_get", (id: number, out: number) => {
        if (id < 0 || id > Clockid.THREAD_CPUTIME) return E.INVAL;
        m.setU64(out, 1000n);
        return E.SUCCESS;
      }),
      clock_time_get: s("clock_time_get", (id: number, _precision: bigint, out: number) => {
        m.check(out, 8);
        switch (id) {
          case Clockid.REALTIME:
            m.setU64(out, this.realtimeNs());
            return E.SUCCESS;
          case Clockid.MONOTONIC:
            m.setU64(out, this.nowNs());
            return E.SUCCESS;
          case Clockid.PROCESS_CPUTIME:
          case Clockid.THREAD_CPUTIME:
            m.setU64(out, BigInt(Math.floor(this.k.sched.cpuTime(this.p))));
            return E.SUCCESS;
          default:
            return E.INVAL;
        }
      }),

      random_get: s("random_get", (ptr: number, len: number) => {
        m.check(ptr, len >>> 0);
        // The kernel's generator (seeded in deterministic mode), in chunks of its largest call.
        for (let off = 0; off < len >>> 0; off += 65536) {
          const n = Math.min(65536, (len >>> 0) - off);
          const r = invokeSyscall(this.k, "random_get", [ptr + off, n]);
          if (r !== 0) return E.FAULT;
        }
        return E.SUCCESS;
      }),

      proc_exit: (code: number) => {
        invokeSyscall(this.k, "exit", [code]);
        throw UNWIND;
      },
      proc_raise: s("proc_raise", () => E.NOTSUP),
      sched_yield: this.blocking("sched_yield", () => {
        const r = invokeSyscall(this.k, "yield", [], this.split);
        return typeof r === "object" ? r.then(() => E.SUCCESS) : E.SUCCESS;
      }),
      poll_oneoff: this.blocking("poll_oneoff", (inPtr: number, outPtr: number, n: number, neventsPtr: number) =>
        this.pollOneoff(inPtr, outPtr, n, neventsPtr),
      ),

      // A process with no preopen can never hold a file (path_open needs a directory fd): its fd_write
      // only ever reaches stdout/stderr and never blocks, so it is a plain import (no JSPI wrapper per call).
      fd_write: this.hasPreopens ? this.blocking("fd_write", fdWrite) : s("fd_write", fdWrite as (...a: number[]) => number),
      fd_read: this.blocking("fd_read", (fd: number, iovs: number, count: number, nread: number) => {
        const f = this.fd(fd, R.FD_READ);
        this.iovecs(iovs, count);
        m.check(nread, 4);
        if (f.stdin !== undefined) return this.readStdin(f.stdin, iovs, count, nread);
        if (f.type === Filetype.DIRECTORY) throw new Errno(E.ISDIR);
        if (f.file === undefined) throw new Errno(E.BADF);
        return this.readAt(f.file, iovs, count, f.pos).then((n) => {
          f.pos += BigInt(n);
          m.setU32(nread, n);
          return E.SUCCESS;
        });
      }),
      fd_pread: this.blocking("fd_pread", (fd: number, iovs: number, count: number, offset: bigint, nread: number) => {
        const f = this.fd(fd, R.FD_READ | R.FD_SEEK);
        if (f.type === Filetype.DIRECTORY) throw new Errno(E.ISDIR);
        if (f.file === undefined) throw new Errno(E.SPIPE);
        this.iovecs(iovs, count);
        m.check(nread, 4);
        if (offset < 0n) throw new Errno(E.INVAL);
        return this.readAt(f.file, iovs, count, offset).then((n) => {
          m.setU32(nread, n);
          return E.SUCCESS;
        });
      }),
      fd_pwrite: this.blocking("fd_pwrite", (fd: number, iovs: number, count: number, offset: bigint, nwritten: number) => {
        const f = this.fd(fd, R.FD_WRITE | R.FD_SEEK);
        if (f.type === Filetype.DIRECTORY) throw new Errno(E.ISDIR);
        if (f.file === undefined) throw new Errno(E.SPIPE);
        this.iovecs(iovs, count);
        m.check(nwritten, 4);
        if (offset < 0n) throw new Errno(E.INVAL);
        // POSIX pwrite on an O_APPEND file appends on Linux; WASI hosts write at the offset (wasmtime does).
        return this.writeAt(f.file, iovs, count, offset).then((n) => {
          m.setU32(nwritten, n);
          return E.SUCCESS;
        });
      }),
      fd_seek: this.blocking("fd_seek", async (fd: number, offset: bigint, whence: number, out: number) => {
        const f = this.fd(fd);
        if (f.file === undefined || f.type === Filetype.DIRECTORY) throw new Errno(f.pre !== undefined ? E.BADF : E.SPIPE);
        if ((f.base & R.FD_SEEK) === 0n && !(whence === Whence.CUR && offset === 0n && (f.base & R.FD_TELL) !== 0n))
          throw new Errno(E.NOTCAPABLE);
        m.check(out, 8);
        let base: bigint;
        if (whence === Whence.SET) base = 0n;
        else if (whence === Whence.CUR) base = f.pos;
        else if (whence === Whence.END) base = (await this.statOf(f)).size;
        else throw new Errno(E.INVAL);
        const to = base + offset;
        if (to < 0n) throw new Errno(E.INVAL);
        f.pos = to;
        m.setU64(out, to);
        return E.SUCCESS;
      }),
      fd_tell: s("fd_tell", (fd: number, out: number) => {
        const f = this.fd(fd, R.FD_TELL);
        if (f.file === undefined || f.type === Filetype.DIRECTORY) throw new Errno(f.pre !== undefined ? E.BADF : E.SPIPE);
        m.setU64(out, f.pos);
        return E.SUCCESS;
      }),
      fd_close: s("fd_close", (fd: number) => {
        const f = this.fd(fd);
        if (f.file !== undefined) this.close(f.file);
        this.fds[fd] = undefined;
        return E.SUCCESS;
      }),
      fd_renumber: s("fd_renumber", (from: number, to: number) => {
        const f = this.fd(from);
        const t = this.fd(to);
        if (from === to) return E.SUCCESS;
        if (t.file !== undefined) this.close(t.file);
        this.fds[to] = f;
        this.fds[from] = undefined;
        return E.SUCCESS;
      }),
      fd_sync: this.blocking("fd_sync", async (fd: number) => {
        const f = this.fd(fd, R.FD_SYNC);
        if (f.file !== undefined) ok(await this.ns("io_call", f.file, { op: C.IO_SYNC, offset: 0n }));
        return E.SUCCESS;
      }),
      fd_datasync: this.blocking("fd_datasync", async (fd: number) => {
        const f = this.fd(fd, R.FD_DATASYNC);
        if (f.file !== undefined) ok(await this.ns("io_call", f.file, { op: C.IO_SYNC, offset: 0n }));
        return E.SUCCESS;
      }),
      fd_advise: s("fd_advise", (fd: number, offset: bigint, len: bigint, advice: number) => {
        const f = this.fd(fd, R.FD_ADVISE);
        if (advice < 0 || advice > 5) return E.INVAL;
        if (offset < 0n || len < 0n) return E.INVAL;
        if (f.type === Filetype.DIRECTORY) return E.BADF;
        return E.SUCCESS; // advice only; nothing to do
      }),
      fd_allocate: this.blocking("fd_allocate", async (fd: number, offset: bigint, len: bigint) => {
        const f = this.fd(fd, R.FD_ALLOCATE);
        if (f.file === undefined || f.type === Filetype.DIRECTORY) return E.BADF;
        if (offset < 0n || len <= 0n) return E.INVAL;
        // wasmtime no longer implements this (NOTSUP); growing the file is what it meant.
        const size = (await this.statOf(f)).size;
        if (offset + len > size) ok(await this.ns("io_call", f.file, { op: C.IO_SETSIZE, offset: offset + len }));
        return E.SUCCESS;
      }),
      fd_fdstat_get: s("fd_fdstat_get", (fd: number, out: number) => {
        const f = this.fd(fd);
        m.check(out, FDSTAT_SIZE);
        m.setU8(out, f.type);
        m.setU8(out + 1, 0);
        m.setU16(out + 2, f.flags);
        m.setU32(out + 4, 0);
        m.setU64(out + 8, f.base);
        m.setU64(out + 16, f.inheriting);
        return E.SUCCESS;
      }),
      fd_fdstat_set_flags: s("fd_fdstat_set_flags", (fd: number, flags: number) => {
        const f = this.fd(fd, R.FD_FDSTAT_SET_FLAGS);
        if (flags & ~(Fdflags.APPEND | Fdflags.DSYNC | Fdflags.NONBLOCK | Fdflags.RSYNC | Fdflags.SYNC)) return E.INVAL;
        f.flags = flags;
        return E.SUCCESS;
      }),
      fd_fdstat_set_rights: s("fd_fdstat_set_rights", (fd: number, base: bigint, inheriting: bigint) => {
        const f = this.fd(fd);
        // Rights only shrink.
        if ((base & ~f.base) !== 0n || (inheriting & ~f.inheriting) !== 0n) return E.NOTCAPABLE;
        f.base = base;
        f.inheriting = inheriting;
        return E.SUCCESS;
      }),
      fd_filestat_get: this.blocking("fd_filestat_get", async (fd: number, out: number) => {
        const f = this.fd(fd, R.FD_FILESTAT_GET);
        m.check(out, FILESTAT_SIZE);
        if (f.pre === undefined) {
          m.view(out, FILESTAT_SIZE).fill(0);
          m.setU8(out + 16, f.type);
          m.setU64(out + 24, 1n);
          return E.SUCCESS;
        }
        this.putFilestat(out, await this.statOf(f), f.pre.dev);
        return E.SUCCESS;
      }),
      fd_filestat_set_size: this.blocking("fd_filestat_set_size", async (fd: number, size: bigint) => {
        const f = this.fd(fd, R.FD_FILESTAT_SET_SIZE);
        if (f.file === undefined || f.type === Filetype.DIRECTORY) return f.type === Filetype.DIRECTORY ? E.ISDIR : E.INVAL;
        if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) return E.INVAL;
        this.writable(f.pre);
        ok(await this.ns("io_call", f.file, { op: C.IO_SETSIZE, offset: size }));
        return E.SUCCESS;
      }),
      fd_filestat_set_times: this.blocking("fd_filestat_set_times", async (fd: number, atim: bigint, mtim: bigint, flags: number) => {
        const f = this.fd(fd, R.FD_FILESTAT_SET_TIMES);
        this.checkTimes(flags);
        if (f.pre === undefined) return E.SUCCESS;
        this.writable(f.pre);
        return this.setTimesOf(f, f.pre, f.rel!, atim, mtim, flags, f.type !== Filetype.DIRECTORY);
      }),
      fd_prestat_get: s("fd_prestat_get", (fd: number, out: number) => {
        const f = this.fd(fd);
        if (f.preopen === undefined) return E.BADF;
        m.check(out, 8);
        m.setU32(out, 0);
        m.setU32(out + 4, enc.encode(f.preopen).length);
        return E.SUCCESS;
      }),
      fd_prestat_dir_name: s("fd_prestat_dir_name", (fd: number, ptr: number, len: number) => {
        const f = this.fd(fd);
        if (f.preopen === undefined) return E.BADF;
        const name = enc.encode(f.preopen);
        if (len < name.length) return E.NAMETOOLONG;
        m.view(ptr, name.length).set(name);
        return E.SUCCESS;
      }),
      fd_readdir: this.blocking("fd_readdir", (fd: number, buf: number, len: number, cookie: bigint, usedPtr: number) =>
        this.readdir(fd, buf, len, cookie, usedPtr),
      ),

      path_open: this.blocking(
        "path_open",
        (
          dirfd: number,
          lookup: number,
          ptr: number,
          len: number,
          oflags: number,
          base: bigint,
          inheriting: bigint,
          fdflags: number,
          out: number,
        ) => this.pathOpen(dirfd, lookup, ptr, len, oflags, base, inheriting, fdflags, out),
      ),
      path_create_directory: this.blocking("path_create_directory", async (dirfd: number, ptr: number, len: number) => {
        const d = this.dirFd(dirfd, R.PATH_CREATE_DIRECTORY);
        const r = this.path(d, ptr, len);
        if (r.rel === "") return E.EXIST;
        this.writable(d.pre);
        ok(await this.ns("ns_call", d.pre.dir, { op: C.IO_MKDIR, offset: 0n, path: r.rel }));
        return E.SUCCESS;
      }),
      path_remove_directory: this.blocking("path_remove_directory", async (dirfd: number, ptr: number, len: number) => {
        const d = this.dirFd(dirfd, R.PATH_REMOVE_DIRECTORY);
        const r = this.path(d, ptr, len);
        if (r.rel === "" || r.rel === d.rel) return E.BUSY;
        this.writable(d.pre);
        const st = await this.lstatOr(d.pre, r.rel);
        if (st === null) return E.NOENT;
        if (st.type !== C.FILE_TYPE_DIR) return E.NOTDIR;
        ok(await this.ns("ns_call", d.pre.dir, { op: C.IO_UNLINK, offset: 0n, path: r.rel }));
        return E.SUCCESS;
      }),
      path_unlink_file: this.blocking("path_unlink_file", async (dirfd: number, ptr: number, len: number) => {
        const d = this.dirFd(dirfd, R.PATH_UNLINK_FILE);
        const r = this.path(d, ptr, len);
        this.writable(d.pre);
        const st = await this.lstatOr(d.pre, r.rel);
        if (st === null) return E.NOENT;
        if (st.type === C.FILE_TYPE_DIR) return E.ISDIR;
        if (r.mustBeDir) return E.NOTDIR;
        ok(await this.ns("ns_call", d.pre.dir, { op: C.IO_UNLINK, offset: 0n, path: r.rel }));
        return E.SUCCESS;
      }),
      path_filestat_get: this.blocking(
        "path_filestat_get",
        async (dirfd: number, lookup: number, ptr: number, len: number, out: number) => {
          const d = this.dirFd(dirfd, R.PATH_FILESTAT_GET);
          const r = this.path(d, ptr, len);
          m.check(out, FILESTAT_SIZE);
          ok(await this.pstat(d.pre, r.rel, (lookup & LOOKUP_SYMLINK_FOLLOW) !== 0 || r.mustBeDir));
          const st = this.lastStat();
          if (r.mustBeDir && st.type !== C.FILE_TYPE_DIR) return E.NOTDIR;
          this.putFilestat(out, st, d.pre.dev);
          return E.SUCCESS;
        },
      ),
      path_filestat_set_times: this.blocking(
        "path_filestat_set_times",
        async (dirfd: number, lookup: number, ptr: number, len: number, atim: bigint, mtim: bigint, flags: number) => {
          const d = this.dirFd(dirfd, R.PATH_FILESTAT_SET_TIMES);
          const r = this.path(d, ptr, len);
          this.checkTimes(flags);
          this.writable(d.pre);
          return this.setTimesOf(null, d.pre, r.rel, atim, mtim, flags, (lookup & LOOKUP_SYMLINK_FOLLOW) !== 0);
        },
      ),
      path_link: this.blocking(
        "path_link",
        async (oldfd: number, lookup: number, optr: number, olen: number, newfd: number, nptr: number, nlen: number) => {
          const od = this.dirFd(oldfd, R.PATH_LINK_SOURCE);
          const nd = this.dirFd(newfd, R.PATH_LINK_TARGET);
          if (od.pre !== nd.pre) return E.XDEV;
          const from = this.path(od, optr, olen);
          const to = this.path(nd, nptr, nlen);
          this.writable(nd.pre);
          const src = await this.lstatOr(od.pre, from.rel);
          if (src === null) return E.NOENT;
          if (src.type === C.FILE_TYPE_DIR) return E.PERM;
          if (from.mustBeDir) return E.NOTDIR;
          if (lookup & LOOKUP_SYMLINK_FOLLOW && src.type === C.FILE_TYPE_SYMLINK) {
            // Linking a link's target is not offered (wasmtime refuses it too): a dangling one is NOENT, else INVAL.
            ok(await this.pstat(od.pre, from.rel, true));
            return E.INVAL;
          }
          if (to.mustBeDir) return (await this.lstatOr(nd.pre, to.rel)) !== null ? E.EXIST : E.NOENT;
          ok(await this.ns("ns_call", od.pre.dir, { op: C.IO_LINK, offset: 0n, path: nsPath(from.rel), path2: nsPath(to.rel) }));
          return E.SUCCESS;
        },
      ),
      path_symlink: this.blocking("path_symlink", async (optr: number, olen: number, dirfd: number, nptr: number, nlen: number) => {
        const target = m.string(optr, olen);
        const d = this.dirFd(dirfd, R.PATH_SYMLINK);
        const r = this.path(d, nptr, nlen);
        this.writable(d.pre);
        // An absolute target is refused up front, as wasmtime does (the server confines following anyway).
        if (target.length === 0) return E.NOENT;
        if (target.startsWith("/")) return E.PERM;
        if (r.mustBeDir) return (await this.lstatOr(d.pre, r.rel)) !== null ? E.EXIST : E.NOENT;
        ok(await this.ns("ns_call", d.pre.dir, { op: C.IO_SYMLINK, offset: 0n, path: nsPath(r.rel), path2: target }));
        return E.SUCCESS;
      }),
      path_readlink: this.blocking(
        "path_readlink",
        async (dirfd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
          const d = this.dirFd(dirfd, R.PATH_READLINK);
          const r = this.path(d, ptr, len);
          m.check(usedPtr, 4);
          m.check(buf, bufLen >>> 0);
          const out = new Uint8Array(Math.min(bufLen >>> 0, Limits.MAX_PATH_BYTES));
          const n = ok(await this.ns("ns_call", d.pre.dir, { op: C.IO_READLINK, offset: 0n, path: nsPath(r.rel), out }));
          m.view(buf, n).set(out.subarray(0, n));
          m.setU32(usedPtr, n);
          return E.SUCCESS;
        },
      ),
      path_rename: this.blocking(
        "path_rename",
        async (oldfd: number, optr: number, olen: number, newfd: number, nptr: number, nlen: number) => {
          const od = this.dirFd(oldfd, R.PATH_RENAME_SOURCE);
          const nd = this.dirFd(newfd, R.PATH_RENAME_TARGET);
          if (od.pre !== nd.pre) return E.XDEV;
          const from = this.path(od, optr, olen);
          const to = this.path(nd, nptr, nlen);
          if (from.rel === "" || to.rel === "") return E.BUSY;
          this.writable(nd.pre);
          const src = await this.lstatOr(od.pre, from.rel);
          if (src === null) return E.NOENT;
          if (src.type !== C.FILE_TYPE_DIR && (from.mustBeDir || to.mustBeDir)) return E.NOTDIR;
          ok(await this.ns("ns_call", od.pre.dir, { op: C.IO_RENAME, offset: 0n, path: from.rel, path2: to.rel }));
          return E.SUCCESS;
        },
      ),

      // Sockets: a preview 1 program cannot create one, and no fd given to a WASI process here is one.
      sock_accept: s("sock_accept", (fd: number) => (this.fd(fd), E.NOTSOCK)),
      sock_recv: s("sock_recv", (fd: number) => (this.fd(fd), E.NOTSOCK)),
      sock_send: s("sock_send", (fd: number) => (this.fd(fd), E.NOTSOCK)),
      sock_shutdown: s("sock_shutdown", (fd: number) => (this.fd(fd), E.NOTSOCK)),
    };
    return table;
  }

  // ---- helpers of the calls ----

  private putSizes(list: readonly Uint8Array[], countPtr: number, sizePtr: number): number {
    let size = 0;
    for (const a of list) size += a.length + 1;
    this.mem.check(countPtr, 4);
    this.mem.check(sizePtr, 4);
    this.mem.setU32(countPtr, list.length);
    this.mem.setU32(sizePtr, size);
    return E.SUCCESS;
  }

  private putStrings(list: readonly Uint8Array[], ptrs: number, buf: number): number {
    let size = 0;
    for (const a of list) size += a.length + 1;
    this.mem.check(ptrs, list.length * 4);
    this.mem.check(buf, size);
    let at = buf >>> 0;
    list.forEach((a, i) => {
      this.mem.setU32(ptrs + i * 4, at);
      this.mem.u8.set(a, at);
      this.mem.u8[at + a.length] = 0;
      at += a.length + 1;
    });
    return E.SUCCESS;
  }

  /** lstat-like: the path's stat, or null when it does not exist (other errors thrown). */
  private async lstatOr(pre: Pre, rel: string): Promise<NsStat | null> {
    const r = await this.pstat(pre, rel, false);
    if (r === -KErrno.ENOENT) return null;
    ok(r);
    return this.lastStat();
  }

  private checkTimes(flags: number): void {
    if (flags & ~(Fstflags.ATIM | Fstflags.ATIM_NOW | Fstflags.MTIM | Fstflags.MTIM_NOW)) throw new Errno(E.INVAL);
    if ((flags & Fstflags.ATIM && flags & Fstflags.ATIM_NOW) || (flags & Fstflags.MTIM && flags & Fstflags.MTIM_NOW)) {
      throw new Errno(E.INVAL);
    }
  }

  /**
   * Set the times of fd f (an open file) or of rel below pre (`follow`: a
   * final symbolic link's target, else the link itself). The transport
   * carries the modification time (IO_SETTIMES on an open file,
   * IO_PSETTIMES by path); the access time the program sets is kept here,
   * with the exact mtime, for as long as the server reports the mtime it was
   * given.
   */
  private async setTimesOf(f: Fd | null, pre: Pre, rel: string, atim: bigint, mtim: bigint, flags: number, follow = true): Promise<number> {
    const now = this.realtimeNs();
    const file = f !== null && f.type !== Filetype.DIRECTORY ? f.file : undefined;
    let cur: NsStat;
    if (file !== undefined) {
      ok(await this.fstat(file));
      cur = this.lastStat();
    } else {
      ok(await this.pstat(pre, rel, false));
      cur = this.lastStat();
      if (follow && cur.type === C.FILE_TYPE_SYMLINK) {
        ok(await this.pstat(pre, rel, true));
        cur = this.lastStat();
      }
    }
    const old = this.setTimes.get(`${pre.dev}:${cur.ino}`);
    const curA = old !== undefined && old.reported === cur.mtime ? old.atim : cur.mtime;
    const curM = old !== undefined && old.reported === cur.mtime ? old.mtim : cur.mtime;
    const a = flags & Fstflags.ATIM_NOW ? now : flags & Fstflags.ATIM ? atim : curA;
    const mt = flags & Fstflags.MTIM_NOW ? now : flags & Fstflags.MTIM ? mtim : curM;
    if (file !== undefined) {
      ok(await this.ns("io_call", file, { op: C.IO_SETTIMES, offset: mt }));
      ok(await this.fstat(file));
    } else if (follow) {
      // The target of a link (or the path itself): opened for the call, closed after.
      const h = ok(await this.ns("ns_open", pre.dir, nsPath(rel), C.O_READ | C.O_WRITE));
      try {
        ok(await this.ns("io_call", h, { op: C.IO_SETTIMES, offset: mt }));
        ok(await this.fstat(h));
      } finally {
        this.close(h);
      }
    } else {
      ok(await this.ns("ns_call", pre.dir, { op: C.IO_PSETTIMES, offset: mt, path: nsPath(rel) }));
      ok(await this.pstat(pre, rel, false));
    }
    this.setTimes.set(`${pre.dev}:${cur.ino}`, { atim: a, mtim: mt, reported: this.lastStat().mtime });
    return E.SUCCESS;
  }

  /** fd_write to an open file: at the fd's position, or at the end with APPEND (the fd's flag, as it can change). */
  private async fileWrite(f: Fd, file: number, iovs: number, count: number, nwritten: number): Promise<number> {
    const at = f.flags & Fdflags.APPEND ? (await this.statOf(f)).size : f.pos;
    const n = await this.writeAt(file, iovs, count, at);
    f.pos = at + BigInt(n);
    this.mem.setU32(nwritten, n);
    return E.SUCCESS;
  }

  private async pathOpen(
    dirfd: number,
    lookup: number,
    ptr: number,
    len: number,
    oflags: number,
    base: bigint,
    inheriting: bigint,
    fdflags: number,
    out: number,
  ): Promise<number> {
    const m = this.mem;
    const d = this.dirFd(dirfd, R.PATH_OPEN);
    m.check(out, 4);
    if (oflags & ~(Oflags.CREAT | Oflags.DIRECTORY | Oflags.EXCL | Oflags.TRUNC)) return E.INVAL;
    const r = this.path(d, ptr, len);
    // Rights the new fd may have: what was asked, within what the directory passes on.
    base &= d.inheriting;
    inheriting &= d.inheriting;
    const wantWrite = (base & (R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE)) !== 0n || (fdflags & Fdflags.APPEND) !== 0;
    const wantRead = (base & (R.FD_READ | R.FD_READDIR)) !== 0n;
    if (oflags & Oflags.CREAT && (d.base & R.PATH_CREATE_FILE) === 0n) return E.NOTCAPABLE;
    if (oflags & Oflags.TRUNC && (d.base & R.PATH_FILESTAT_SET_SIZE) === 0n) return E.NOTCAPABLE;
    const mustBeDir = (oflags & Oflags.DIRECTORY) !== 0 || r.mustBeDir;
    if (oflags & Oflags.CREAT && r.mustBeDir) return E.ISDIR;
    if (r.rel === "" && oflags & (Oflags.CREAT | Oflags.TRUNC)) return oflags & Oflags.EXCL ? E.EXIST : E.ISDIR;
    if ((wantWrite || oflags & (Oflags.CREAT | Oflags.TRUNC)) && d.pre.readOnly) {
      // Only a change is refused: opening an existing directory is still fine.
      const st = await this.lstatOr(d.pre, r.rel);
      if (st === null || st.type !== C.FILE_TYPE_DIR || oflags & (Oflags.CREAT | Oflags.TRUNC)) return E.ROFS;
    }
    let flags = 0;
    if (wantRead || !wantWrite) flags |= C.O_READ;
    if (wantWrite) flags |= C.O_WRITE;
    if (oflags & Oflags.CREAT) flags |= C.O_CREATE;
    if (oflags & Oflags.EXCL) flags |= C.O_EXCL;
    if (oflags & Oflags.TRUNC) flags |= C.O_TRUNC | C.O_WRITE;
    if (mustBeDir) flags |= C.O_DIRECTORY;
    if ((lookup & LOOKUP_SYMLINK_FOLLOW) === 0 && !r.mustBeDir) flags |= C.O_NOFOLLOW;
    let h = await this.ns("ns_open", d.pre.dir, nsPath(r.rel), flags);
    // Not followed (no SYMLINK_FOLLOW): the link itself cannot be opened, and O_EXCL finds it there.
    if (h === -KErrno.ELOOP && oflags & Oflags.CREAT && oflags & Oflags.EXCL) return E.EXIST;
    if (h === -KErrno.EISDIR && !(oflags & (Oflags.CREAT | Oflags.TRUNC)) && !(base & R.FD_WRITE)) {
      // A directory asked for with write-ish rights it cannot use: open it for reading.
      h = await this.ns("ns_open", d.pre.dir, nsPath(r.rel), C.O_READ | C.O_DIRECTORY | (flags & C.O_NOFOLLOW));
    }
    ok(h);
    let fd: number;
    try {
      ok(await this.fstat(h));
      const st = this.lastStat();
      if (st.type === C.FILE_TYPE_DIR) {
        if (oflags & (Oflags.TRUNC | Oflags.CREAT)) throw new Errno(E.ISDIR);
        if ((base & R.FD_WRITE) !== 0n && wantWrite) throw new Errno(E.ISDIR);
        fd = this.allocFd({
          type: Filetype.DIRECTORY,
          base: base & RIGHTS_DIR,
          inheriting,
          flags: fdflags,
          pre: d.pre,
          rel: r.rel,
          file: h,
          pos: 0n,
        });
        m.setU32(out, fd);
        return E.SUCCESS;
      }
      if (mustBeDir) throw new Errno(E.NOTDIR);
      let fileRights = base & RIGHTS_FILE;
      if (!wantWrite) fileRights &= ~(R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE);
      fd = this.allocFd({
        type: filetypeOfNs(st.type),
        base: fileRights,
        inheriting,
        flags: fdflags,
        pre: d.pre,
        rel: r.rel,
        file: h,
        pos: 0n,
      });
    } catch (e) {
      this.close(h);
      throw e;
    }
    m.setU32(out, fd);
    return E.SUCCESS;
  }

  /**
   * fd_readdir: ".", ".." (cookies 0 and 1), then the server's entries (WASI
   * cookie c >= 2 is the server's cookie c - 2), each record in preview 1's
   * layout, the last one cut off when the buffer is full (the program then
   * asks again with a larger buffer, as the spec says).
   */
  private async readdir(fd: number, buf: number, len: number, cookie: bigint, usedPtr: number): Promise<number> {
    const m = this.mem;
    const f = this.dirFd(fd, R.FD_READDIR);
    const cap = len >>> 0;
    m.check(buf, cap);
    m.check(usedPtr, 4);
    if (f.file === undefined) f.file = ok(await this.ns("ns_open", f.pre.dir, nsPath(f.rel), C.O_READ | C.O_DIRECTORY));
    const file = f.file;
    let used = 0;
    const put = (next: bigint, ino: bigint, type: Filetype, name: Uint8Array): boolean => {
      const rec = new Uint8Array(DIRENT_SIZE + name.length);
      const dv = new DataView(rec.buffer);
      dv.setBigUint64(0, next, true);
      dv.setBigUint64(8, ino, true);
      dv.setUint32(16, name.length, true);
      dv.setUint8(20, type);
      rec.set(name, DIRENT_SIZE);
      const n = Math.min(rec.length, cap - used);
      m.view(buf + used, n).set(rec.subarray(0, n));
      used += n;
      return used < cap;
    };
    let c = cookie;
    if (c < 2n) {
      const self = await this.statOf(f);
      let parentIno = self.ino;
      if (c === 1n && f.rel !== "") parentIno = (await this.lstatOr(f.pre, f.rel.split("/").slice(0, -1).join("/")))?.ino ?? 0n;
      if (c === 0n) {
        if (!put(1n, self.ino, Filetype.DIRECTORY, enc.encode("."))) return this.used(usedPtr, used);
        c = 1n;
        if (f.rel !== "") parentIno = (await this.lstatOr(f.pre, f.rel.split("/").slice(0, -1).join("/")))?.ino ?? 0n;
      }
      if (!put(2n, parentIno, Filetype.DIRECTORY, enc.encode(".."))) return this.used(usedPtr, used);
      c = 2n;
    }
    const out = new Uint8Array(Math.max(4096, Math.min(Limits.MAX_MSG_BYTES, cap * 2)));
    const dv = new DataView(out.buffer);
    for (;;) {
      const n = ok(await this.ns("io_call", file, { op: C.IO_READDIR, offset: c - 2n, out }));
      if (n === 0) break;
      for (let at = 0; at + C.DIRENT_SIZE <= n;) {
        const ino = dv.getBigUint64(at, true);
        const next = dv.getBigUint64(at + 8, true);
        const type = dv.getUint32(at + 16, true);
        const nameLen = dv.getUint32(at + 20, true);
        const name = out.subarray(at + C.DIRENT_SIZE, at + C.DIRENT_SIZE + nameLen);
        if (!put(next + 2n, ino, filetypeOfNs(type), name)) return this.used(usedPtr, used);
        c = next + 2n;
        at += (C.DIRENT_SIZE + nameLen + 7) & ~7;
      }
    }
    return this.used(usedPtr, used);
  }

  private used(ptr: number, n: number): number {
    this.mem.setU32(ptr, n);
    return E.SUCCESS;
  }

  private readStdin(src: WasiStdin, iovs: number, count: number, nread: number): number | Promise<number> {
    let max = 0;
    for (let i = 0; i < count; i++) max += this.mem.u32(iovs + i * 8 + 4);
    const put = (data: Uint8Array | null): number => {
      this.mem.refresh();
      const views = this.iovecs(iovs, count);
      let off = 0;
      if (data !== null) {
        for (const v of views) {
          const n = Math.min(v.length, data.length - off);
          v.set(data.subarray(off, off + n));
          off += n;
          if (off >= data.length) break;
        }
      }
      this.mem.setU32(nread, off);
      return E.SUCCESS;
    };
    const r = src.read(max);
    if (r instanceof Promise) return this.waitHost(r).then(put);
    return put(r);
  }

  /**
   * Wait for host I/O as a blocked process: the kernel marks the process
   * BLOCKED (others run meanwhile) and wakes it when the promise settles.
   */
  private waitHost<T>(work: Promise<T>): Promise<T> {
    const k = this.k;
    const p = this.p;
    const s = p.runtime as unknown as { arm(): Promise<number> };
    const st: HostWaitState<T> = { done: false, value: undefined, failure: null };
    const pending = s.arm();
    wakeWhenSettled(work, this.link, st); // (its reactions hold st and the link, not this process nor its kernel)
    k.blockCurrent(p, "wasi fd_read", null);
    return pending.then(() => {
      if (!st.done) throw new Errno(E.INTR);
      if (st.failure !== null) throw new Errno(E.IO);
      return st.value as T;
    });
  }

  /**
   * poll_oneoff: fd subscriptions on files and stdout/stderr are ready at
   * once (a read subscription on a file reports the bytes left); a stdin
   * read subscription is ready when input is buffered (nbytes: how much) or
   * at its end (HANGUP). When nothing is ready, the process blocks in the
   * kernel (BLOCKED, others run; no busy-wait) until stdin has input or the
   * earliest clock deadline passes (a kernel timer, so virtual time in
   * deterministic mode), then reports everything ready at that moment.
   */
  private async pollOneoff(inPtr: number, outPtr: number, n: number, neventsPtr: number): Promise<number> {
    const m = this.mem;
    if (n === 0) return E.INVAL;
    if (n < 0 || n > 4096) return E.INVAL;
    m.check(inPtr, n * SUBSCRIPTION_SIZE);
    m.check(outPtr, n * EVENT_SIZE);
    m.check(neventsPtr, 4);
    const now = BigInt(Math.floor(this.k.clock.now()));
    interface Ev {
      userdata: bigint;
      error: number;
      type: number;
      nbytes: bigint;
      flags: number;
    }
    const ready: Ev[] = [];
    const clocks: { userdata: bigint; deadline: bigint }[] = [];
    /** stdin read subscriptions with nothing buffered yet. */
    const inputs: { userdata: bigint; stdin: WasiStdin }[] = [];
    for (let i = 0; i < n; i++) {
      const at = inPtr + i * SUBSCRIPTION_SIZE;
      const userdata = m.u64(at);
      const tag = m.u8at(at + 8);
      if (tag === EventType.CLOCK) {
        const id = m.u32(at + 16);
        const timeout = m.u64(at + 24);
        const flags = m.u16(at + 40);
        if (id > Clockid.THREAD_CPUTIME) {
          ready.push({ userdata, error: E.INVAL, type: tag, nbytes: 0n, flags: 0 });
          continue;
        }
        let deadline: bigint;
        if (flags & SUBCLOCK_ABSTIME) {
          deadline = id === Clockid.REALTIME ? timeout - (this.realtimeNs() - now) : timeout;
        } else deadline = now + timeout;
        clocks.push({ userdata, deadline });
      } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
        const fdn = m.u32(at + 16);
        const f = this.fds[fdn];
        if (f === undefined) {
          ready.push({ userdata, error: E.BADF, type: tag, nbytes: 0n, flags: 0 });
        } else if ((f.base & R.POLL_FD_READWRITE) === 0n && (f.base & (tag === EventType.FD_READ ? R.FD_READ : R.FD_WRITE)) === 0n) {
          ready.push({ userdata, error: E.NOTCAPABLE, type: tag, nbytes: 0n, flags: 0 });
        } else if (tag === EventType.FD_READ && f.stdin?.buffered !== undefined) {
          const b = f.stdin.buffered();
          if (b === null) ready.push({ userdata, error: E.SUCCESS, type: tag, nbytes: 0n, flags: EVENT_FD_READWRITE_HANGUP });
          else if (b > 0) ready.push({ userdata, error: E.SUCCESS, type: tag, nbytes: BigInt(b), flags: 0 });
          else inputs.push({ userdata, stdin: f.stdin });
        } else {
          let nbytes = 0n;
          if (tag === EventType.FD_READ && f.file !== undefined && f.type === Filetype.REGULAR_FILE) {
            const size = (await this.statOf(f)).size;
            nbytes = size > f.pos ? size - f.pos : 0n;
          }
          ready.push({ userdata, error: E.SUCCESS, type: tag, nbytes, flags: 0 });
        }
      } else {
        return E.INVAL;
      }
    }
    const finish = (at: bigint): number => {
      this.mem.refresh();
      for (const c of clocks)
        if (c.deadline <= at) ready.push({ userdata: c.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
      for (const i of inputs) {
        const b = i.stdin.buffered!();
        if (b === null)
          ready.push({ userdata: i.userdata, error: 0, type: EventType.FD_READ, nbytes: 0n, flags: EVENT_FD_READWRITE_HANGUP });
        else if (b > 0) ready.push({ userdata: i.userdata, error: 0, type: EventType.FD_READ, nbytes: BigInt(b), flags: 0 });
      }
      ready.forEach((e, i) => {
        const o = outPtr + i * EVENT_SIZE;
        m.view(o, EVENT_SIZE).fill(0);
        m.setU64(o, e.userdata);
        m.setU16(o + 8, e.error);
        m.setU8(o + 10, e.type);
        m.setU64(o + 16, e.nbytes);
        m.setU16(o + 24, e.flags);
      });
      m.setU32(neventsPtr, ready.length);
      return E.SUCCESS;
    };
    const clockNow = () => BigInt(Math.floor(this.k.clock.now()));
    if (ready.length > 0 || (clocks.length === 0 && inputs.length === 0)) return finish(now);
    let earliest: bigint | null = null;
    for (const c of clocks) if (earliest === null || c.deadline < earliest) earliest = c.deadline;
    if (earliest !== null && earliest <= now) return finish(now);
    if (inputs.length === 0) {
      // Clocks only: the kernel's sleep.
      const r = invokeSyscall(this.k, "sleep", [earliest! - now]);
      if (typeof r === "object") await r;
      return finish(clockNow() > earliest! ? clockNow() : earliest!);
    }
    // stdin (and maybe a clock): blocked in the kernel until input arrives or the deadline's timer fires.
    const k = this.k;
    const p = this.p;
    const s = p.runtime as unknown as { arm(): Promise<number> };
    const pending = s.arm();
    const timer = earliest === null ? null : k.addTimer(Number(earliest), () => k.wake(p, 0), p);
    const woken = { value: false };
    // Only this wait may wake it: input arriving after the timer won must not wake a later block.
    const input = wakeOnInput(
      inputs.map((i) => i.stdin.wait!()),
      this.link,
      woken,
    );
    k.blockCurrent(p, "wasi poll_oneoff", () => timer !== null && k.cancelTimer(timer));
    await pending;
    woken.value = true;
    if (hostWaits.get(p) === input) hostWaits.delete(p);
    return finish(clockNow());
  }
}
