// Files from AssemblyScript: the path namespace through the process's root
// DIR handle (the startup handle "root"), and the one I/O transport
// (docs/namespace.md). Every call answers -errno (or an object with `errno`)
// instead of throwing. The library picks the transfer form of each read and
// write: registers for tiny transfers, the bound grant when one was set up
// with useGrant() (and the server binds it too), the kernel-copied buffer
// otherwise.
//
//   import { open, O_READ } from "@wasmos/sdk/fs";
//   const f = open("/tmp/a.txt", O_READ);
//   if (f.errno != 0) ...;
//   const n = f.read(buf);

import "./runtime";
import {
  sys_handle_close, sys_handle_get, sys_io_call, sys_ns_call, sys_ns_open, sys_ns_scope, sys_unveil,
  DIRENT_SIZE, EINVAL, IO_DESC_SIZE, IO_FORM_BUFFER, IO_FORM_GRANT, IO_FORM_REGS, IO_LINK, IO_MKDIR, IO_PSTAT, IO_READ,
  IO_READDIR, IO_READLINK, IO_REGS_READ_MAX, IO_REGS_WRITE_MAX, IO_RENAME, IO_SETSIZE, IO_SETTIMES, IO_STAT, IO_SYMLINK, IO_SYNC,
  IO_UNLINK, IO_WRITE, MAX_MSG_BYTES, MAX_PATH_BYTES, O_CREATE, O_READ, O_TRUNC, O_WRITE, STAT_SIZE, UNVEIL_RULE_SIZE,
  DirentLayout, IoDescLayout, StatLayout, UnveilRuleLayout,
} from "./bindings/abi";

export {
  O_READ, O_WRITE, O_CREATE, O_TRUNC, O_EXCL, O_DIRECTORY, O_EXEC, FILE_TYPE_REG, FILE_TYPE_DIR, FILE_TYPE_SYMLINK, FILE_TYPE_DEV,
  FILE_TYPE_ENDPOINT, UNVEIL_READ, UNVEIL_WRITE, UNVEIL_CREATE, UNVEIL_EXEC, IO_FORM_BUFFER, IO_FORM_REGS, IO_FORM_GRANT,
} from "./bindings/abi";

export const SEEK_SET: i32 = 0;
export const SEEK_CUR: i32 = 1;
export const SEEK_END: i32 = 2;

// ---- the root and the descriptor -------------------------------------------------

let rootDir: i32 = 0;

/** The DIR handle paths are resolved with: the startup handle "root" unless setRoot() chose another. -ENOENT if none. */
export function root(): i32 {
  if (rootDir == 0) {
    const name = String.UTF8.encode("root");
    rootDir = sys_handle_get(changetype<i32>(name), name.byteLength);
  }
  return rootDir;
}

/** Resolve paths with this DIR handle from now on. */
export function setRoot(dir: i32): void {
  rootDir = dir;
}

/** A DIR handle for the subtree at path with a subset of rights (ns_scope), or -errno. */
export function scope(path: string, rights: i32, dir: i32 = root()): i32 {
  const p = String.UTF8.encode(path);
  return sys_ns_scope(dir, changetype<i32>(p), p.byteLength, rights);
}

// One descriptor, reused: guests are single-threaded and the kernel reads it before the call blocks.
const desc = new ArrayBuffer(IO_DESC_SIZE);
const D = changetype<usize>(desc);

function setDesc(op: i32, form: i32, offset: i64, buf: usize, len: i32, grant: i32): void {
  IoDescLayout.setOp(D, op);
  IoDescLayout.setForm(D, form);
  IoDescLayout.setOffset(D, offset);
  IoDescLayout.setBuf(D, <u32>buf);
  IoDescLayout.setLen(D, len);
  IoDescLayout.setGrant(D, grant);
  IoDescLayout.setPath(D, 0);
  IoDescLayout.setPathLen(D, 0);
  IoDescLayout.setPath2(D, 0);
  IoDescLayout.setPath2Len(D, 0);
  IoDescLayout.setReserved(D, 0);
}

function setPaths(a: usize, aLen: i32, b: usize, bLen: i32): void {
  IoDescLayout.setPath(D, <u32>a);
  IoDescLayout.setPathLen(D, aLen);
  IoDescLayout.setPath2(D, <u32>b);
  IoDescLayout.setPath2Len(D, bLen);
}

// Paths are encoded into static buffers, so a call allocates nothing for them
// (the kernel reads a path before the call returns or blocks). A path too
// long for the buffer even before the kernel refuses it (ENAMETOOLONG) is
// encoded into a new one, kept reachable until the next call.
const PATH_ROOM: i32 = 3 * MAX_PATH_BYTES; // UTF-8 takes at most 3 bytes per UTF-16 unit
const pathBuf1 = new ArrayBuffer(PATH_ROOM);
const pathBuf2 = new ArrayBuffer(PATH_ROOM);
let longPath1: ArrayBuffer | null = null;
let longPath2: ArrayBuffer | null = null;
/** The length of the path encodePath encoded last. */
let encodedLen: i32 = 0;
/** The string whose bytes pathBuf1 holds (strings never change), and their length. */
let lastPath1: string | null = null;
let lastLen1: i32 = 0;

/** Encode path as UTF-8 into slot 1 or 2 (the first or second path of a call): where the bytes are; their length in encodedLen. */
function encodePath(path: string, slot: i32): usize {
  if (path.length <= PATH_ROOM / 3) {
    // The same string as slot 1's last (a program opening one path over and over): its bytes are there.
    if (slot == 1 && path === lastPath1) {
      encodedLen = lastLen1;
      return changetype<usize>(pathBuf1);
    }
    const buf = changetype<usize>(slot == 1 ? pathBuf1 : pathBuf2);
    encodedLen = <i32>String.UTF8.encodeUnsafe(changetype<usize>(path), path.length, buf);
    if (slot == 1) {
      lastPath1 = path;
      lastLen1 = encodedLen;
    }
    return buf;
  }
  const b = String.UTF8.encode(path);
  if (slot == 1) longPath1 = b;
  else longPath2 = b;
  encodedLen = b.byteLength;
  return changetype<usize>(b);
}

// ---- the grant form -----------------------------------------------------------------

/** Moves bytes between this process's memory and its bound I/O grant (the generated grant intrinsics). */
export type GrantCopy = (grantOffset: u32, ptr: usize, len: u32) => void;

let grantHandle: i32 = 0;
let grantSize: i32 = 0;
let grantIn: GrantCopy | null = null;
let grantOut: GrantCopy | null = null;
/** Transfers at least this long use the grant (when set up). */
export let grantThreshold: i32 = 4096;

/**
 * Use a bound grant for long reads and writes. `handle` is the grant's startup
 * handle (its memory object), `size` its byte length; copyIn(goff, ptr, len)
 * copies own memory -> grant, copyOut(goff, ptr, len) grant -> own memory:
 *
 *   import * as io from "@wasmos/sdk/grants/io";
 *   useGrant(handle(io.NAME), <i32>io.byte_length(),
 *     (g: u32, p: usize, n: u32): void => io.copy_in(g, p, n),
 *     (g: u32, p: usize, n: u32): void => io.copy_out(p, g, n));
 */
export function useGrant(handle: i32, size: i32, copyIn: GrantCopy, copyOut: GrantCopy): void {
  grantHandle = handle;
  grantSize = size;
  grantIn = copyIn;
  grantOut = copyOut;
}

/** Stop using the grant form (every transfer is buffer or registers form). */
export function noGrant(): void {
  grantHandle = 0;
}

// ---- open files --------------------------------------------------------------------------

export class Stat {
  errno: i32 = 0;
  type: u32 = 0;
  nlink: u32 = 0;
  size: u64 = 0;
  ino: u64 = 0;
  mtime: i64 = 0;
}

function decodeStat(buf: ArrayBuffer, r: i32): Stat {
  const s = new Stat();
  if (r < 0) {
    s.errno = -r;
    return s;
  }
  const p = changetype<usize>(buf);
  s.type = StatLayout.type(p);
  s.nlink = StatLayout.nlink(p);
  s.size = StatLayout.size(p);
  s.ino = StatLayout.ino(p);
  s.mtime = StatLayout.mtime(p);
  return s;
}

export class DirEntry {
  constructor(public name: string, public type: u32, public ino: u64) {}
}

export class File {
  /** The FILE handle (0 when the open failed). */
  handle: i32 = 0;
  /** 0, or the errno of the open that made it. */
  errno: i32 = 0;
  /** The cursor read/write/seek use. */
  pos: i64 = 0;
  /** Transfer form of the last read or write (IO_FORM_*), for tests and benchmarks. */
  lastForm: i32 = 0;
  private scratch: Uint8Array | null = null;

  constructor(handle: i32, errno: i32 = 0) {
    this.handle = handle;
    this.errno = errno;
  }

  /** Read up to len bytes at offset into memory at ptr, choosing the form; bytes read (0 at the end) or -errno. */
  preadRaw(ptr: usize, len: i32, offset: i64): i32 {
    if (len <= IO_REGS_READ_MAX) {
      this.lastForm = IO_FORM_REGS;
      setDesc(IO_READ, IO_FORM_REGS, offset, ptr, len, 0);
      return sys_io_call(this.handle, <i32>D);
    }
    if (grantHandle != 0 && len >= grantThreshold) {
      let done = 0;
      while (done < len) {
        const n = min(len - done, grantSize);
        this.lastForm = IO_FORM_GRANT;
        setDesc(IO_READ, IO_FORM_GRANT, offset + done, 0, n, grantHandle);
        const r = sys_io_call(this.handle, <i32>D);
        if (r < 0) return done > 0 ? done : r;
        grantOut!(0, ptr + <usize>done, <u32>r);
        done += r;
        if (r < n) break;
      }
      return done;
    }
    this.lastForm = IO_FORM_BUFFER;
    setDesc(IO_READ, IO_FORM_BUFFER, offset, ptr, min(len, MAX_MSG_BYTES), 0);
    return sys_io_call(this.handle, <i32>D);
  }

  /** Write len bytes from memory at ptr at offset, choosing the form; bytes written or -errno. */
  pwriteRaw(ptr: usize, len: i32, offset: i64): i32 {
    if (len <= IO_REGS_WRITE_MAX) {
      this.lastForm = IO_FORM_REGS;
      setDesc(IO_WRITE, IO_FORM_REGS, offset, ptr, len, 0);
      return sys_io_call(this.handle, <i32>D);
    }
    if (grantHandle != 0 && len >= grantThreshold) {
      let done = 0;
      while (done < len) {
        const n = min(len - done, grantSize);
        grantIn!(0, ptr + <usize>done, <u32>n);
        this.lastForm = IO_FORM_GRANT;
        setDesc(IO_WRITE, IO_FORM_GRANT, offset + done, 0, n, grantHandle);
        const r = sys_io_call(this.handle, <i32>D);
        if (r < 0) return done > 0 ? done : r;
        done += r;
        if (r < n) break;
      }
      return done;
    }
    this.lastForm = IO_FORM_BUFFER;
    let done = 0;
    while (done < len) {
      const n = min(len - done, MAX_MSG_BYTES);
      setDesc(IO_WRITE, IO_FORM_BUFFER, offset + done, ptr + <usize>done, n, 0);
      const r = sys_io_call(this.handle, <i32>D);
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (r < n) break; // a short write: the server took what it could
    }
    return done;
  }

  /** One transfer in exactly this form (IO_FORM_*; the grant form moves the bytes at grant offset `ptr`): -errno or bytes. */
  transfer(op: i32, form: i32, ptr: usize, len: i32, offset: i64): i32 {
    this.lastForm = form;
    setDesc(op, form, offset, ptr, len, form == IO_FORM_GRANT ? grantHandle : 0);
    return sys_io_call(this.handle, <i32>D);
  }

  pread(buf: Uint8Array, offset: i64): i32 {
    return this.preadRaw(buf.dataStart, buf.byteLength, offset);
  }

  pwrite(data: Uint8Array, offset: i64): i32 {
    return this.pwriteRaw(data.dataStart, data.byteLength, offset);
  }

  read(buf: Uint8Array): i32 {
    const r = this.pread(buf, this.pos);
    if (r > 0) this.pos += r;
    return r;
  }

  write(data: Uint8Array): i32 {
    const r = this.pwrite(data, this.pos);
    if (r > 0) this.pos += r;
    return r;
  }

  writeString(s: string): i32 {
    return this.write(Uint8Array.wrap(String.UTF8.encode(s)));
  }

  /** Move the cursor; the new position or -errno. */
  seek(offset: i64, whence: i32 = SEEK_SET): i64 {
    let base: i64 = 0;
    if (whence == SEEK_CUR) base = this.pos;
    else if (whence == SEEK_END) {
      const s = this.stat();
      if (s.errno != 0) return -s.errno;
      base = <i64>s.size;
    } else if (whence != SEEK_SET) return -EINVAL;
    if (base + offset < 0) return -EINVAL;
    this.pos = base + offset;
    return this.pos;
  }

  stat(): Stat {
    const buf = new ArrayBuffer(STAT_SIZE);
    setDesc(IO_STAT, IO_FORM_BUFFER, 0, changetype<usize>(buf), STAT_SIZE, 0);
    return decodeStat(buf, sys_io_call(this.handle, <i32>D));
  }

  truncate(size: i64): i32 {
    setDesc(IO_SETSIZE, IO_FORM_BUFFER, size, 0, 0, 0);
    return sys_io_call(this.handle, <i32>D);
  }

  setTimes(mtimeNs: i64): i32 {
    setDesc(IO_SETTIMES, IO_FORM_BUFFER, mtimeNs, 0, 0, 0);
    return sys_io_call(this.handle, <i32>D);
  }

  sync(): i32 {
    setDesc(IO_SYNC, IO_FORM_BUFFER, 0, 0, 0, 0);
    return sys_io_call(this.handle, <i32>D);
  }

  /** Every entry of an open directory. */
  readdir(): DirEntry[] {
    const out = new Array<DirEntry>();
    let scratch = this.scratch;
    if (scratch === null) this.scratch = scratch = new Uint8Array(4096);
    let cookie: i64 = 0;
    for (;;) {
      setDesc(IO_READDIR, IO_FORM_BUFFER, cookie, scratch.dataStart, scratch.byteLength, 0);
      const n = sys_io_call(this.handle, <i32>D);
      if (n <= 0) return out;
      let at = 0;
      while (at + DIRENT_SIZE <= n) {
        const p = scratch.dataStart + <usize>at;
        const ino = DirentLayout.ino(p);
        cookie = <i64>DirentLayout.next(p);
        const type = DirentLayout.type(p);
        const len = <i32>DirentLayout.nameLen(p);
        out.push(new DirEntry(String.UTF8.decodeUnsafe(p + DIRENT_SIZE, len), type, ino));
        at += (DIRENT_SIZE + len + 7) & ~7;
      }
    }
    return out;
  }

  close(): i32 {
    if (this.handle <= 0) return 0;
    const r = sys_handle_close(this.handle);
    this.handle = 0;
    return r;
  }
}

/** Open a path (O_* flags). Check `errno` on the result. */
export function open(path: string, flags: i32 = O_READ, dir: i32 = root()): File {
  const p = encodePath(path, 1);
  const h = sys_ns_open(dir, <i32>p, encodedLen, flags);
  return h < 0 ? new File(0, -h) : new File(h);
}

/** A raw handle from ns_open (a FILE, or an ENDPOINT for a MOUNT_ENDPOINT path), or -errno. */
export function openHandle(path: string, flags: i32 = O_READ, dir: i32 = root()): i32 {
  const p = encodePath(path, 1);
  return sys_ns_open(dir, <i32>p, encodedLen, flags);
}

// ---- path operations ----------------------------------------------------------------------

function pathOp(op: i32, path: string, path2: string | null, offset: i64, dir: i32): i32 {
  setDesc(op, IO_FORM_BUFFER, offset, 0, 0, 0);
  const a = encodePath(path, 1);
  const aLen = encodedLen;
  if (path2 !== null) setPaths(a, aLen, encodePath(path2, 2), encodedLen);
  else setPaths(a, aLen, 0, 0);
  return sys_ns_call(dir, <i32>D);
}

export function mkdir(path: string, dir: i32 = root()): i32 {
  return pathOp(IO_MKDIR, path, null, 0, dir);
}

/** Remove a name (a file, a symbolic link, or an empty directory). */
export function unlink(path: string, dir: i32 = root()): i32 {
  return pathOp(IO_UNLINK, path, null, 0, dir);
}

export function rename(from: string, to: string, dir: i32 = root()): i32 {
  return pathOp(IO_RENAME, from, to, 0, dir);
}

export function link(existing: string, newPath: string, dir: i32 = root()): i32 {
  return pathOp(IO_LINK, existing, newPath, 0, dir);
}

export function symlink(path: string, target: string, dir: i32 = root()): i32 {
  return pathOp(IO_SYMLINK, path, target, 0, dir);
}

/** The target of a symbolic link, or null (errno in lastErrno). */
export let lastErrno: i32 = 0;
export function readlink(path: string, dir: i32 = root()): string | null {
  const out = new Uint8Array(1024);
  setDesc(IO_READLINK, IO_FORM_BUFFER, 0, out.dataStart, out.byteLength, 0);
  setPaths(encodePath(path, 1), encodedLen, 0, 0);
  const r = sys_ns_call(dir, <i32>D);
  if (r < 0) {
    lastErrno = -r;
    return null;
  }
  return String.UTF8.decodeUnsafe(out.dataStart, r);
}

export function stat(path: string, dir: i32 = root()): Stat {
  const buf = new ArrayBuffer(STAT_SIZE);
  setDesc(IO_PSTAT, IO_FORM_BUFFER, 0, changetype<usize>(buf), STAT_SIZE, 0);
  setPaths(encodePath(path, 1), encodedLen, 0, 0);
  return decodeStat(buf, sys_ns_call(dir, <i32>D));
}

/** The entries of the directory at path (empty on error: lastErrno). */
export function readdir(path: string, dir: i32 = root()): DirEntry[] {
  const f = open(path, O_READ, dir);
  if (f.errno != 0) {
    lastErrno = f.errno;
    return new Array<DirEntry>();
  }
  const out = f.readdir();
  f.close();
  return out;
}

/** A whole file, or null (lastErrno). */
export function readFile(path: string, dir: i32 = root()): Uint8Array | null {
  const f = open(path, O_READ, dir);
  if (f.errno != 0) {
    lastErrno = f.errno;
    return null;
  }
  let out = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  for (;;) {
    const n = f.read(chunk);
    if (n < 0) {
      lastErrno = -n;
      f.close();
      return null;
    }
    if (n == 0) break;
    const grown = new Uint8Array(out.length + n);
    grown.set(out);
    grown.set(chunk.subarray(0, n), out.length);
    out = grown;
  }
  f.close();
  return out;
}

/** Create or replace a file with these bytes: bytes written or -errno. */
export function writeFile(path: string, data: Uint8Array, dir: i32 = root()): i32 {
  const f = open(path, O_WRITE | O_CREATE | O_TRUNC, dir);
  if (f.errno != 0) return -f.errno;
  const r = f.write(data);
  f.close();
  return r;
}

// ---- standard streams --------------------------------------------------------------------

let stdinFile: File | null = null;
let stdoutFile: File | null = null;
let stderrFile: File | null = null;

/** /dev/stdin, opened on first use: reads block until input arrives, 0 at its end. */
export function stdin(): File {
  let f = stdinFile;
  if (f === null) stdinFile = f = open("/dev/stdin", O_READ);
  return f;
}

export function stdout(): File {
  let f = stdoutFile;
  if (f === null) stdoutFile = f = open("/dev/stdout", O_WRITE);
  return f;
}

export function stderr(): File {
  let f = stderrFile;
  if (f === null) stderrFile = f = open("/dev/stderr", O_WRITE);
  return f;
}

// ---- unveil ---------------------------------------------------------------------------------

/** One unveil rule: a path prefix and UNVEIL_* permissions. */
export class UnveilRule {
  constructor(public path: string, public perms: i32) {}
}

/** Narrow this process's view to these rules (intersected with every earlier call). 0 or -errno. */
export function unveil(rules: UnveilRule[]): i32 {
  const table = new Uint8Array(rules.length * UNVEIL_RULE_SIZE);
  const keep = new Array<ArrayBuffer>(rules.length);
  for (let i = 0; i < rules.length; i++) {
    keep[i] = String.UTF8.encode(rules[i].path);
    const at = table.dataStart + <usize>(i * UNVEIL_RULE_SIZE);
    UnveilRuleLayout.setPath(at, changetype<u32>(keep[i]));
    UnveilRuleLayout.setPathLen(at, keep[i].byteLength);
    UnveilRuleLayout.setPerms(at, rules[i].perms);
  }
  return sys_unveil(<i32>table.dataStart, rules.length);
}
