// The WASI preview 1 personality: the 46 wasi_snapshot_preview1 functions, as
// the imports of one process. A WASI program is an ordinary wasmos process
// (fuel-metered, memory-budgeted, scheduled, killable); these functions are
// its system-call layer, and they act only with what the process holds:
//  - the CPU, the clock, randomness, exit: through the kernel's own syscalls
//    (invokeSyscall: sleep, yield, clock_now, random_get, exit), with the
//    process's pledges applying; blocking ones suspend the stack through JSPI;
//  - stdio: the process's console streams (what the spawner gave);
//  - files: only below the directories the spawner preopened (HostDir),
//    resolved by components and never above a preopen's root.
// Every pointer is bounds-checked; a bad one answers FAULT. Nothing a guest
// passes makes the host throw: an unexpected failure here ends only this
// process (KERNEL_FAULT), as a kernel bug in a syscall does.

import * as fs from "node:fs";
import { ExitReason } from "../../../abi/gen/abi.ts";
import type { KernelCore } from "../../../kernel/core.ts";
import type { Process } from "../../../kernel/objects/process.ts";
import { invokeSyscall, UNWIND } from "../../runtime/bridge.ts";
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
  RIGHTS_ALL,
  RIGHTS_DIR,
  RIGHTS_FILE,
  RIGHTS_TTY,
  SUBCLOCK_ABSTIME,
  SUBSCRIPTION_SIZE,
  Whence,
} from "./constants.ts";
import { errnoOf, HostDir, type Resolved } from "./host-dir.ts";

export const WASI_MODULE = "wasi_snapshot_preview1";

/** Where a process's standard input comes from: bytes now, null at end of input. */
export interface WasiStdin {
  read(max: number): Uint8Array | null | Promise<Uint8Array | null>;
}

export interface WasiPreopen {
  /** The name the program sees (fd_prestat_dir_name), e.g. "." or "/data". */
  guest: string;
  dir: HostDir;
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
  /** Whether stdin/stdout/stderr are terminals (fd_fdstat_get reports a character device either way). */
}

/** realtime in deterministic mode: a fixed epoch (2026-01-01T00:00:00Z) plus the virtual clock, so runs reproduce. */
export const DETERMINISTIC_EPOCH_NS = 1767225600n * 1_000_000_000n;

interface Fd {
  type: Filetype;
  base: bigint;
  inheriting: bigint;
  flags: number;
  /** stdio */
  write?: (b: Uint8Array) => void;
  stdin?: WasiStdin;
  /** files and directories */
  dir?: HostDir;
  comps?: string[];
  hostFd?: number;
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

function filetypeOf(st: fs.Stats | fs.BigIntStats): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

const MAX_FDS = 4096;

/** One process's WASI state and imports. */
export class WasiPersonality {
  private readonly k: KernelCore;
  private readonly p: Process;
  private readonly env: Uint8Array[];
  private readonly fds: (Fd | undefined)[] = [];
  private readonly mem = new Mem();
  /**
   * Times the program set, exact to the nanosecond: Node's utimes takes
   * seconds as a double and loses the last digits, so the personality reports
   * what was set for as long as the host still holds the value it was given.
   */
  private readonly setTimes = new Map<string, { atim: bigint; mtim: bigint; hostA: bigint; hostM: bigint }>();

  constructor(k: KernelCore, p: Process, options: WasiOptions = {}) {
    this.k = k;
    this.p = p;
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
    for (const pre of options.preopens ?? []) {
      this.fds.push({
        type: Filetype.DIRECTORY,
        base: RIGHTS_DIR,
        inheriting: RIGHTS_DIR | RIGHTS_FILE,
        flags: 0,
        dir: pre.dir,
        comps: [],
        pos: 0n,
        preopen: pre.guest,
      });
    }
  }

  /** The instance's memory, once it exists (before _start runs). */
  bind(memory: WebAssembly.Memory): void {
    this.mem.bind(memory);
  }

  /** Close every host file this process still holds (it has ended). */
  dispose(): void {
    for (const f of this.fds) if (f?.hostFd !== undefined) closeQuietly(f.hostFd);
    this.fds.length = 0;
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

  /** An import that may block: a Suspending function whose result may be a promise. */
  private blocking<A extends unknown[]>(name: string, fn: (...a: A) => number | Promise<number>): WebAssembly.Suspending {
    return new WebAssembly.Suspending((...a: A) => {
      this.mem.refresh();
      try {
        const r = fn(...a);
        if (typeof r === "number") return r;
        return r.catch((e: unknown) => this.failed(name, e));
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

  private dirFd(n: number, rights: bigint): Fd & { dir: HostDir; comps: string[] } {
    const f = this.fd(n);
    if (f.type !== Filetype.DIRECTORY || f.dir === undefined) throw new Errno(E.NOTDIR);
    if ((f.base & rights) !== rights) throw new Errno(E.NOTCAPABLE);
    return f as Fd & { dir: HostDir; comps: string[] };
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

  private resolve(d: { dir: HostDir; comps: string[] }, ptr: number, len: number, follow: boolean): Resolved {
    const path = this.mem.string(ptr, len);
    const r = d.dir.resolve(d.comps, path, follow);
    if (typeof r === "number") throw new Errno(r);
    return r;
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

  private rememberTimes(st: fs.BigIntStats, atim: bigint, mtim: bigint): void {
    this.setTimes.set(`${st.dev}:${st.ino}`, { atim, mtim, hostA: st.atimeNs, hostM: st.mtimeNs });
  }

  private writeStat(ptr: number, st: fs.BigIntStats): void {
    this.mem.check(ptr, FILESTAT_SIZE);
    const set = this.setTimes.get(`${st.dev}:${st.ino}`);
    let atim = st.atimeNs;
    let mtim = st.mtimeNs;
    if (set !== undefined) {
      if (set.hostA === st.atimeNs) atim = set.atim;
      if (set.hostM === st.mtimeNs) mtim = set.mtim;
    }
    this.mem.setU64(ptr, st.dev);
    this.mem.setU64(ptr + 8, st.ino);
    this.mem.setU8(ptr + 16, filetypeOf(st));
    this.mem.setU64(ptr + 24, st.nlink);
    this.mem.setU64(ptr + 32, st.size);
    this.mem.setU64(ptr + 40, atim);
    this.mem.setU64(ptr + 48, mtim);
    this.mem.setU64(ptr + 56, st.ctimeNs);
  }

  private nowNs(): bigint {
    const t = invokeSyscall(this.k, "clock_now", []) as bigint;
    return t;
  }

  private realtimeNs(): bigint {
    if (this.k.clock.virtual) return DETERMINISTIC_EPOCH_NS + this.nowNs();
    return BigInt(Date.now()) * 1_000_000n + (this.nowNs() % 1_000_000n);
  }

  private writable(f: Fd): void {
    if (f.dir?.readOnly) throw new Errno(E.ROFS);
  }

  // ---- the imports ----

  imports(): Record<string, unknown> {
    const m = this.mem;
    const s = <A extends unknown[]>(n: string, fn: (...a: A) => number) => this.sync(n, fn);
    const args = this.p.args;
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
        const r = invokeSyscall(this.k, "yield", []);
        return typeof r === "object" ? r.then(() => E.SUCCESS) : E.SUCCESS;
      }),
      poll_oneoff: this.blocking("poll_oneoff", (inPtr: number, outPtr: number, n: number, neventsPtr: number) =>
        this.pollOneoff(inPtr, outPtr, n, neventsPtr),
      ),

      fd_write: s("fd_write", (fd: number, iovs: number, count: number, nwritten: number) => {
        const f = this.fd(fd, R.FD_WRITE);
        const data = this.gather(this.iovecs(iovs, count));
        m.check(nwritten, 4);
        if (f.write !== undefined) {
          // A copy: the stream may keep the bytes (a pipe writes later) while the program reuses its buffer.
          if (data.length > 0) f.write(data.buffer === m.u8.buffer ? data.slice() : data);
          m.setU32(nwritten, data.length);
          return E.SUCCESS;
        }
        if (f.hostFd === undefined) throw new Errno(E.BADF);
        let n: number;
        try {
          if (f.flags & Fdflags.APPEND) {
            // Append is the fd's flag here, not the host file's (it can be set and cleared later).
            const size = fs.fstatSync(f.hostFd, { bigint: true }).size;
            n = fs.writeSync(f.hostFd, data, 0, data.length, Number(size));
            f.pos = size + BigInt(n);
          } else {
            n = fs.writeSync(f.hostFd, data, 0, data.length, Number(f.pos));
            f.pos += BigInt(n);
          }
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        m.setU32(nwritten, n);
        return E.SUCCESS;
      }),
      fd_read: this.blocking("fd_read", (fd: number, iovs: number, count: number, nread: number) => {
        const f = this.fd(fd, R.FD_READ);
        const views = this.iovecs(iovs, count);
        m.check(nread, 4);
        if (f.stdin !== undefined) return this.readStdin(f.stdin, iovs, count, nread);
        if (f.type === Filetype.DIRECTORY) throw new Errno(E.ISDIR);
        if (f.hostFd === undefined) throw new Errno(E.BADF);
        const total = scatterRead(f.hostFd, views, Number(f.pos));
        f.pos += BigInt(total);
        m.setU32(nread, total);
        return E.SUCCESS;
      }),
      fd_pread: s("fd_pread", (fd: number, iovs: number, count: number, offset: bigint, nread: number) => {
        const f = this.fd(fd, R.FD_READ | R.FD_SEEK);
        if (f.type === Filetype.DIRECTORY) throw new Errno(E.ISDIR);
        if (f.hostFd === undefined) throw new Errno(E.SPIPE);
        const views = this.iovecs(iovs, count);
        m.check(nread, 4);
        if (offset < 0n) throw new Errno(E.INVAL);
        m.setU32(nread, scatterRead(f.hostFd, views, Number(offset)));
        return E.SUCCESS;
      }),
      fd_pwrite: s("fd_pwrite", (fd: number, iovs: number, count: number, offset: bigint, nwritten: number) => {
        const f = this.fd(fd, R.FD_WRITE | R.FD_SEEK);
        if (f.type === Filetype.DIRECTORY) throw new Errno(E.ISDIR);
        if (f.hostFd === undefined) throw new Errno(E.SPIPE);
        const data = this.gather(this.iovecs(iovs, count));
        m.check(nwritten, 4);
        if (offset < 0n) throw new Errno(E.INVAL);
        let n: number;
        try {
          // POSIX pwrite on an O_APPEND file appends on Linux; WASI hosts write at the offset (wasmtime does).
          n = fs.writeSync(f.hostFd, data, 0, data.length, Number(offset));
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        m.setU32(nwritten, n);
        return E.SUCCESS;
      }),
      fd_seek: s("fd_seek", (fd: number, offset: bigint, whence: number, out: number) => {
        const f = this.fd(fd);
        if (f.hostFd === undefined) throw new Errno(f.type === Filetype.DIRECTORY ? E.BADF : E.SPIPE);
        if ((f.base & R.FD_SEEK) === 0n && !(whence === Whence.CUR && offset === 0n && (f.base & R.FD_TELL) !== 0n))
          throw new Errno(E.NOTCAPABLE);
        m.check(out, 8);
        let base: bigint;
        if (whence === Whence.SET) base = 0n;
        else if (whence === Whence.CUR) base = f.pos;
        else if (whence === Whence.END) base = fs.fstatSync(f.hostFd, { bigint: true }).size;
        else throw new Errno(E.INVAL);
        const to = base + offset;
        if (to < 0n) throw new Errno(E.INVAL);
        f.pos = to;
        m.setU64(out, to);
        return E.SUCCESS;
      }),
      fd_tell: s("fd_tell", (fd: number, out: number) => {
        const f = this.fd(fd, R.FD_TELL);
        if (f.hostFd === undefined) throw new Errno(f.type === Filetype.DIRECTORY ? E.BADF : E.SPIPE);
        m.setU64(out, f.pos);
        return E.SUCCESS;
      }),
      fd_close: s("fd_close", (fd: number) => {
        const f = this.fd(fd);
        if (f.hostFd !== undefined) closeQuietly(f.hostFd);
        this.fds[fd] = undefined;
        return E.SUCCESS;
      }),
      fd_renumber: s("fd_renumber", (from: number, to: number) => {
        const f = this.fd(from);
        const t = this.fd(to);
        if (from === to) return E.SUCCESS;
        if (t.hostFd !== undefined) closeQuietly(t.hostFd);
        this.fds[to] = f;
        this.fds[from] = undefined;
        return E.SUCCESS;
      }),
      fd_sync: s("fd_sync", (fd: number) => {
        const f = this.fd(fd, R.FD_SYNC);
        if (f.hostFd !== undefined) fs.fsyncSync(f.hostFd);
        return E.SUCCESS;
      }),
      fd_datasync: s("fd_datasync", (fd: number) => {
        const f = this.fd(fd, R.FD_DATASYNC);
        if (f.hostFd !== undefined) fs.fdatasyncSync(f.hostFd);
        return E.SUCCESS;
      }),
      fd_advise: s("fd_advise", (fd: number, offset: bigint, len: bigint, advice: number) => {
        const f = this.fd(fd, R.FD_ADVISE);
        if (advice < 0 || advice > 5) return E.INVAL;
        if (offset < 0n || len < 0n) return E.INVAL;
        if (f.type === Filetype.DIRECTORY) return E.BADF;
        return E.SUCCESS; // advice only; nothing to do
      }),
      fd_allocate: s("fd_allocate", (fd: number, offset: bigint, len: bigint) => {
        const f = this.fd(fd, R.FD_ALLOCATE);
        if (f.hostFd === undefined) return E.BADF;
        if (offset < 0n || len <= 0n) return E.INVAL;
        // wasmtime no longer implements this (NOTSUP); growing the file is what it meant.
        const size = fs.fstatSync(f.hostFd, { bigint: true }).size;
        if (offset + len > size) fs.ftruncateSync(f.hostFd, Number(offset + len));
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
      fd_filestat_get: s("fd_filestat_get", (fd: number, out: number) => {
        const f = this.fd(fd, R.FD_FILESTAT_GET);
        if (f.hostFd !== undefined) this.writeStat(out, fs.fstatSync(f.hostFd, { bigint: true }));
        else if (f.dir !== undefined) this.writeStat(out, this.lstat(f.dir, f.comps!));
        else {
          m.check(out, FILESTAT_SIZE);
          m.view(out, FILESTAT_SIZE).fill(0);
          m.setU8(out + 16, f.type);
          m.setU64(out + 24, 1n);
        }
        return E.SUCCESS;
      }),
      fd_filestat_set_size: s("fd_filestat_set_size", (fd: number, size: bigint) => {
        const f = this.fd(fd, R.FD_FILESTAT_SET_SIZE);
        if (f.hostFd === undefined) return f.type === Filetype.DIRECTORY ? E.ISDIR : E.INVAL;
        if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) return E.INVAL;
        this.writable(f);
        fs.ftruncateSync(f.hostFd, Number(size));
        return E.SUCCESS;
      }),
      fd_filestat_set_times: s("fd_filestat_set_times", (fd: number, atim: bigint, mtim: bigint, flags: number) => {
        const f = this.fd(fd, R.FD_FILESTAT_SET_TIMES);
        const times = this.times(atim, mtim, flags, () =>
          f.hostFd !== undefined ? fs.fstatSync(f.hostFd, { bigint: true }) : this.lstat(f.dir!, f.comps!),
        );
        this.writable(f);
        if (f.hostFd !== undefined) {
          fs.futimesSync(f.hostFd, times[0], times[1]);
          this.rememberTimes(fs.fstatSync(f.hostFd, { bigint: true }), times[2], times[3]);
        } else if (f.dir !== undefined) {
          fs.utimesSync(f.dir.hostPath(f.comps!), times[0], times[1]);
          this.rememberTimes(this.lstat(f.dir, f.comps!), times[2], times[3]);
        }
        return E.SUCCESS;
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
      fd_readdir: s("fd_readdir", (fd: number, buf: number, len: number, cookie: bigint, usedPtr: number) =>
        this.readdir(fd, buf, len, cookie, usedPtr),
      ),

      path_open: s(
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
      path_create_directory: s("path_create_directory", (dirfd: number, ptr: number, len: number) => {
        const d = this.dirFd(dirfd, R.PATH_CREATE_DIRECTORY);
        const r = this.resolve(d, ptr, len, false);
        this.writable(d);
        try {
          fs.mkdirSync(d.dir.hostPath(r.comps));
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        return E.SUCCESS;
      }),
      path_remove_directory: s("path_remove_directory", (dirfd: number, ptr: number, len: number) => {
        const d = this.dirFd(dirfd, R.PATH_REMOVE_DIRECTORY);
        const r = this.resolve(d, ptr, len, false);
        if (r.comps.length === 0) return E.BUSY;
        this.writable(d);
        try {
          fs.rmdirSync(d.dir.hostPath(r.comps));
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        return E.SUCCESS;
      }),
      path_unlink_file: s("path_unlink_file", (dirfd: number, ptr: number, len: number) => {
        const d = this.dirFd(dirfd, R.PATH_UNLINK_FILE);
        const r = this.resolve(d, ptr, len, false);
        this.writable(d);
        const path = d.dir.hostPath(r.comps);
        const st = this.lstatOr(path);
        if (st === null) return E.NOENT;
        if (st.isDirectory()) return E.ISDIR;
        if (r.mustBeDir) return E.NOTDIR;
        try {
          fs.unlinkSync(path);
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        return E.SUCCESS;
      }),
      path_filestat_get: s("path_filestat_get", (dirfd: number, lookup: number, ptr: number, len: number, out: number) => {
        const d = this.dirFd(dirfd, R.PATH_FILESTAT_GET);
        const r = this.resolve(d, ptr, len, (lookup & LOOKUP_SYMLINK_FOLLOW) !== 0);
        const st = this.lstat(d.dir, r.comps);
        if (r.mustBeDir && !st.isDirectory()) return E.NOTDIR;
        this.writeStat(out, st);
        return E.SUCCESS;
      }),
      path_filestat_set_times: s(
        "path_filestat_set_times",
        (dirfd: number, lookup: number, ptr: number, len: number, atim: bigint, mtim: bigint, flags: number) => {
          const d = this.dirFd(dirfd, R.PATH_FILESTAT_SET_TIMES);
          const follow = (lookup & LOOKUP_SYMLINK_FOLLOW) !== 0;
          const r = this.resolve(d, ptr, len, follow);
          const path = d.dir.hostPath(r.comps);
          const times = this.times(atim, mtim, flags, () => this.lstat(d.dir, r.comps));
          this.writable(d);
          try {
            if (follow) fs.utimesSync(path, times[0], times[1]);
            else fs.lutimesSync(path, times[0], times[1]);
            this.rememberTimes(fs.lstatSync(path, { bigint: true }), times[2], times[3]);
          } catch (e) {
            throw new Errno(errnoOf(e));
          }
          return E.SUCCESS;
        },
      ),
      path_link: s("path_link", (oldfd: number, lookup: number, optr: number, olen: number, newfd: number, nptr: number, nlen: number) => {
        const od = this.dirFd(oldfd, R.PATH_LINK_SOURCE);
        const nd = this.dirFd(newfd, R.PATH_LINK_TARGET);
        if (od.dir !== nd.dir) return E.XDEV;
        const from = this.resolve(od, optr, olen, (lookup & LOOKUP_SYMLINK_FOLLOW) !== 0);
        const to = this.resolve(nd, nptr, nlen, false);
        this.writable(nd);
        const src = this.lstat(od.dir, from.comps);
        if (src.isDirectory()) return E.PERM;
        if (from.mustBeDir) return E.NOTDIR;
        if (to.mustBeDir) return this.lstatOr(nd.dir.hostPath(to.comps)) !== null ? E.EXIST : E.NOENT;
        try {
          fs.linkSync(od.dir.hostPath(from.comps), nd.dir.hostPath(to.comps));
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        return E.SUCCESS;
      }),
      path_symlink: s("path_symlink", (optr: number, olen: number, dirfd: number, nptr: number, nlen: number) => {
        const target = m.string(optr, olen);
        const d = this.dirFd(dirfd, R.PATH_SYMLINK);
        const r = this.resolve(d, nptr, nlen, false);
        this.writable(d);
        // Following a link is confined anyway; an absolute target is refused up front, as wasmtime does.
        if (target.length === 0) return E.NOENT;
        if (target.startsWith("/")) return E.PERM;
        const path = d.dir.hostPath(r.comps);
        if (r.mustBeDir) return this.lstatOr(path) !== null ? E.EXIST : E.NOENT;
        try {
          fs.symlinkSync(target, path);
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        return E.SUCCESS;
      }),
      path_readlink: s("path_readlink", (dirfd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
        const d = this.dirFd(dirfd, R.PATH_READLINK);
        const r = this.resolve(d, ptr, len, false);
        let target: Buffer;
        try {
          target = fs.readlinkSync(d.dir.hostPath(r.comps), { encoding: "buffer" });
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        const n = Math.min(bufLen >>> 0, target.length);
        m.check(usedPtr, 4);
        m.view(buf, n).set(target.subarray(0, n));
        m.setU32(usedPtr, n);
        return E.SUCCESS;
      }),
      path_rename: s("path_rename", (oldfd: number, optr: number, olen: number, newfd: number, nptr: number, nlen: number) => {
        const od = this.dirFd(oldfd, R.PATH_RENAME_SOURCE);
        const nd = this.dirFd(newfd, R.PATH_RENAME_TARGET);
        if (od.dir !== nd.dir) return E.XDEV;
        const from = this.resolve(od, optr, olen, false);
        const to = this.resolve(nd, nptr, nlen, false);
        if (from.comps.length === 0 || to.comps.length === 0) return E.BUSY;
        this.writable(nd);
        const fromPath = od.dir.hostPath(from.comps);
        const toPath = nd.dir.hostPath(to.comps);
        const src = this.lstatOr(fromPath);
        if (src === null) return E.NOENT;
        if (!src.isDirectory() && (from.mustBeDir || to.mustBeDir)) return E.NOTDIR;
        try {
          fs.renameSync(fromPath, toPath);
        } catch (e) {
          throw new Errno(errnoOf(e));
        }
        return E.SUCCESS;
      }),

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

  private lstatOr(path: string): fs.BigIntStats | null {
    try {
      return fs.lstatSync(path, { bigint: true });
    } catch {
      return null;
    }
  }

  private lstat(dir: HostDir, comps: string[]): fs.BigIntStats {
    try {
      return fs.lstatSync(dir.hostPath(comps), { bigint: true });
    } catch (e) {
      throw new Errno(errnoOf(e));
    }
  }

  /** New (atime, mtime) in seconds for utimes, and exact in ns, from WASI's fstflags. */
  private times(atim: bigint, mtim: bigint, flags: number, current: () => fs.BigIntStats): [number, number, bigint, bigint] {
    if (flags & ~(Fstflags.ATIM | Fstflags.ATIM_NOW | Fstflags.MTIM | Fstflags.MTIM_NOW)) throw new Errno(E.INVAL);
    if ((flags & Fstflags.ATIM && flags & Fstflags.ATIM_NOW) || (flags & Fstflags.MTIM && flags & Fstflags.MTIM_NOW)) {
      throw new Errno(E.INVAL);
    }
    const now = this.realtimeNs();
    const st = current();
    const old = this.setTimes.get(`${st.dev}:${st.ino}`);
    const curA = old !== undefined && old.hostA === st.atimeNs ? old.atim : st.atimeNs;
    const curM = old !== undefined && old.hostM === st.mtimeNs ? old.mtim : st.mtimeNs;
    const a = flags & Fstflags.ATIM_NOW ? now : flags & Fstflags.ATIM ? atim : curA;
    const mt = flags & Fstflags.MTIM_NOW ? now : flags & Fstflags.MTIM ? mtim : curM;
    return [Number(a) / 1e9, Number(mt) / 1e9, a, mt];
  }

  private pathOpen(
    dirfd: number,
    lookup: number,
    ptr: number,
    len: number,
    oflags: number,
    base: bigint,
    inheriting: bigint,
    fdflags: number,
    out: number,
  ): number {
    const m = this.mem;
    const d = this.dirFd(dirfd, R.PATH_OPEN);
    m.check(out, 4);
    if (oflags & ~(Oflags.CREAT | Oflags.DIRECTORY | Oflags.EXCL | Oflags.TRUNC)) return E.INVAL;
    const r = this.resolve(d, ptr, len, (lookup & LOOKUP_SYMLINK_FOLLOW) !== 0);
    const path = d.dir.hostPath(r.comps);
    // Rights the new fd may have: what was asked, within what the directory passes on.
    base &= d.inheriting;
    inheriting &= d.inheriting;
    const wantWrite = (base & (R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE)) !== 0n;
    const wantRead = (base & (R.FD_READ | R.FD_READDIR)) !== 0n;
    if (oflags & Oflags.CREAT && (d.base & R.PATH_CREATE_FILE) === 0n) return E.NOTCAPABLE;
    if (oflags & Oflags.TRUNC && (d.base & R.PATH_FILESTAT_SET_SIZE) === 0n) return E.NOTCAPABLE;
    let st = this.lstatOr(path);
    if (st !== null && st.isSymbolicLink()) {
      // Not followed (no SYMLINK_FOLLOW): opening the link itself is refused, as O_NOFOLLOW does.
      return oflags & (Oflags.CREAT | Oflags.EXCL) && oflags & Oflags.EXCL ? E.EXIST : E.LOOP;
    }
    if (st === null) {
      if (!(oflags & Oflags.CREAT)) return E.NOENT;
      if (oflags & Oflags.DIRECTORY || r.mustBeDir) return r.mustBeDir ? E.ISDIR : E.NOENT;
    } else {
      if (oflags & Oflags.CREAT && oflags & Oflags.EXCL) return E.EXIST;
      if ((oflags & Oflags.DIRECTORY || r.mustBeDir) && !st.isDirectory()) return E.NOTDIR;
    }
    if (st !== null && st.isDirectory()) {
      if (oflags & Oflags.TRUNC || oflags & Oflags.CREAT) return E.ISDIR;
      if (wantWrite && (base & R.FD_WRITE) !== 0n) return E.ISDIR;
      const fd = this.allocFd({
        type: Filetype.DIRECTORY,
        base: base & RIGHTS_DIR,
        inheriting,
        flags: fdflags,
        dir: d.dir,
        comps: r.comps,
        pos: 0n,
      });
      m.setU32(out, fd);
      return E.SUCCESS;
    }
    if ((wantWrite || oflags & (Oflags.CREAT | Oflags.TRUNC)) && d.dir.readOnly) return E.ROFS;
    let flags = fs.constants.O_NOFOLLOW;
    if (oflags & Oflags.CREAT) flags |= fs.constants.O_CREAT;
    if (oflags & Oflags.EXCL) flags |= fs.constants.O_EXCL;
    if (oflags & Oflags.TRUNC) flags |= fs.constants.O_TRUNC;
    flags |= wantWrite || fdflags & Fdflags.APPEND ? (wantRead ? fs.constants.O_RDWR : fs.constants.O_WRONLY) : fs.constants.O_RDONLY;
    if (oflags & Oflags.TRUNC && !(wantWrite || fdflags & Fdflags.APPEND)) flags = (flags & ~fs.constants.O_RDONLY) | fs.constants.O_RDWR;
    let hostFd: number;
    try {
      hostFd = fs.openSync(path, flags, 0o644);
    } catch (e) {
      throw new Errno(errnoOf(e));
    }
    st = fs.fstatSync(hostFd, { bigint: true });
    const type = filetypeOf(st);
    let fileRights = base & RIGHTS_FILE;
    if (!(wantWrite || fdflags & Fdflags.APPEND)) fileRights &= ~(R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE);
    let fd: number;
    try {
      fd = this.allocFd({ type, base: fileRights, inheriting, flags: fdflags, dir: d.dir, comps: r.comps, hostFd, pos: 0n });
    } catch (e) {
      closeQuietly(hostFd);
      throw e;
    }
    m.setU32(out, fd);
    return E.SUCCESS;
  }

  private readdir(fd: number, buf: number, len: number, cookie: bigint, usedPtr: number): number {
    const m = this.mem;
    const f = this.dirFd(fd, R.FD_READDIR);
    m.check(buf, len >>> 0);
    m.check(usedPtr, 4);
    const path = f.dir.hostPath(f.comps);
    let names: string[];
    try {
      names = fs.readdirSync(path).sort();
    } catch (e) {
      throw new Errno(errnoOf(e));
    }
    const all = [".", "..", ...names];
    let used = 0;
    const cap = len >>> 0;
    for (let i = Number(cookie); i < all.length && used < cap; i++) {
      const name = enc.encode(all[i]);
      let ino = 0n;
      let type: Filetype = Filetype.UNKNOWN;
      const st = this.lstatOr(all[i] === ".." ? (f.comps.length === 0 ? path : f.dir.hostPath(f.comps.slice(0, -1))) : path + "/" + all[i]);
      if (st !== null) {
        ino = st.ino;
        type = filetypeOf(st);
      }
      const rec = new Uint8Array(DIRENT_SIZE + name.length);
      const dv = new DataView(rec.buffer);
      dv.setBigUint64(0, BigInt(i + 1), true);
      dv.setBigUint64(8, ino, true);
      dv.setUint32(16, name.length, true);
      dv.setUint8(20, type);
      rec.set(name, DIRENT_SIZE);
      const n = Math.min(rec.length, cap - used);
      m.u8.set(rec.subarray(0, n), (buf >>> 0) + used);
      used += n;
    }
    m.setU32(usedPtr, used);
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
    let value: T;
    let failure: unknown = null;
    const pending = s.arm();
    let done = false;
    const settled = work.then(
      (v) => {
        value = v;
        done = true;
        k.wake(p, 0);
      },
      (e) => {
        failure = e ?? new Error("host read failed");
        done = true;
        k.wake(p, 0);
      },
    );
    hostWaits.set(p, settled);
    void settled.finally(() => hostWaits.get(p) === settled && hostWaits.delete(p));
    k.blockCurrent(p, "wasi fd_read", null);
    return pending.then(() => {
      if (!done) throw new Errno(E.INTR);
      if (failure !== null) throw new Errno(E.IO);
      return value;
    });
  }

  /**
   * poll_oneoff: fd subscriptions on files and stdout/stderr are ready at
   * once; a stdin read subscription is ready when input is buffered or at
   * its end (host stdin is read through fd_read, so it reports ready); clock
   * subscriptions block the process in the kernel's sleep until the earliest
   * deadline when nothing else is ready: no busy-wait.
   */
  private pollOneoff(inPtr: number, outPtr: number, n: number, neventsPtr: number): number | Promise<number> {
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
        } else {
          let nbytes = 0n;
          if (tag === EventType.FD_READ && f.hostFd !== undefined) {
            const size = fs.fstatSync(f.hostFd, { bigint: true }).size;
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
    if (ready.length > 0 || clocks.length === 0) return finish(now);
    let earliest = clocks[0].deadline;
    for (const c of clocks) if (c.deadline < earliest) earliest = c.deadline;
    if (earliest <= now) return finish(now);
    const r = invokeSyscall(this.k, "sleep", [earliest - now]);
    const after = () => finish(BigInt(Math.floor(this.k.clock.now())) > earliest ? BigInt(Math.floor(this.k.clock.now())) : earliest);
    return typeof r === "object" ? r.then(after) : after();
  }
}

void EVENT_FD_READWRITE_HANGUP;
void RIGHTS_ALL;

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already gone
  }
}

/**
 * Read from a host file at `at` into each view in turn, stopping at a short read (end of file).
 * Returns the bytes read; a host error becomes its WASI errno.
 */
function scatterRead(hostFd: number, views: readonly Uint8Array[], at: number): number {
  let total = 0;
  try {
    for (const v of views) {
      const n = fs.readSync(hostFd, v, 0, v.length, at + total);
      total += n;
      if (n < v.length) break;
    }
  } catch (e) {
    throw new Errno(errnoOf(e));
  }
  return total;
}
