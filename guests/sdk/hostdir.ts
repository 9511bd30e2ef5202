// A host directory from AssemblyScript: hostdir_call on a DEV_HOSTDIR handle
// (what guests/hostfs serves into the namespace). Paths are relative to the
// exposed root; results keep the ABI convention (-errno on failure).
//
//   import { HostDir } from "@wasmos/sdk/hostdir";
//   const d = new HostDir(handle("hostdir"));
//   const n = d.read("notes.txt", 0, buf.dataStart, buf.length);
//   const f = d.open("notes.txt");               // an open-file id, or -errno
//   const m = d.readOpen(f, 0, buf.dataStart, buf.length);   // no path walked
//   d.close(f);

import {
  sys_hostdir_call, HostdirReqLayout, HostdirStatLayout, HostdirDirentLayout, HOSTDIR_REQ_SIZE, HOSTDIR_STAT_SIZE,
  HOSTDIR_STAT, HOSTDIR_LSTAT, HOSTDIR_READ, HOSTDIR_WRITE, HOSTDIR_CREATE_FILE, HOSTDIR_SETSIZE, HOSTDIR_SETTIMES, HOSTDIR_LINK, HOSTDIR_NOFOLLOW,
  HOSTDIR_LIST, HOSTDIR_MKDIR, HOSTDIR_REMOVE, HOSTDIR_RENAME, HOSTDIR_SYMLINK, HOSTDIR_READLINK, HOSTDIR_CREATE,
  HOSTDIR_EXCL, HOSTDIR_TRUNC, HOSTDIR_OPEN, HOSTDIR_CLOSE, HOSTDIR_READ_OPEN, HOSTDIR_WRITE_OPEN, HOSTDIR_STAT_OPEN,
  HOSTDIR_SETSIZE_OPEN, HOSTDIR_SETTIMES_OPEN, HOSTDIR_OPEN_WRITE,
} from "./bindings/abi";

export class HostStat {
  errno: i32 = 0;
  type: u32 = 0;
  nlink: u32 = 0;
  size: u64 = 0;
  ino: u64 = 0;
  mtime: i64 = 0;
}

export class HostEntry {
  constructor(public name: string, public type: u32, public ino: u64) {}
}

export class HostDir {
  private req: ArrayBuffer = new ArrayBuffer(HOSTDIR_REQ_SIZE);
  private keep1: ArrayBuffer | null = null;
  private keep2: ArrayBuffer | null = null;

  constructor(public handle: i32) {}

  /** One hostdir_call. */
  call(op: i32, flags: i32, offset: i64, path: string, path2: string | null, buf: usize, len: i32): i32 {
    const p = changetype<usize>(this.req);
    const a = String.UTF8.encode(path);
    this.keep1 = a;
    HostdirReqLayout.setOp(p, <u32>op);
    HostdirReqLayout.setFlags(p, <u32>flags);
    HostdirReqLayout.setOffset(p, offset);
    HostdirReqLayout.setPath(p, <u32>changetype<usize>(a));
    HostdirReqLayout.setPathLen(p, <u32>a.byteLength);
    if (path2 !== null) {
      const b = String.UTF8.encode(path2);
      this.keep2 = b;
      HostdirReqLayout.setPath2(p, <u32>changetype<usize>(b));
      HostdirReqLayout.setPath2Len(p, <u32>b.byteLength);
    } else {
      HostdirReqLayout.setPath2(p, 0);
      HostdirReqLayout.setPath2Len(p, 0);
    }
    HostdirReqLayout.setBuf(p, <u32>buf);
    HostdirReqLayout.setLen(p, <u32>len);
    HostdirReqLayout.setFile(p, 0);
    return sys_hostdir_call(this.handle, <i32>p);
  }

  /** One hostdir_call on an open file (CLOSE, *_OPEN): no path, nothing allocated. */
  callFile(op: i32, file: i32, offset: i64, buf: usize, len: i32): i32 {
    const p = changetype<usize>(this.req);
    HostdirReqLayout.setOp(p, <u32>op);
    HostdirReqLayout.setFlags(p, 0);
    HostdirReqLayout.setOffset(p, offset);
    HostdirReqLayout.setPath(p, 0);
    HostdirReqLayout.setPathLen(p, 0);
    HostdirReqLayout.setPath2(p, 0);
    HostdirReqLayout.setPath2Len(p, 0);
    HostdirReqLayout.setBuf(p, <u32>buf);
    HostdirReqLayout.setLen(p, <u32>len);
    HostdirReqLayout.setFile(p, <u32>file);
    return sys_hostdir_call(this.handle, <i32>p);
  }

  /** Open the file at path and keep it open in the device: its id (> 0) for the *Open calls, or -errno. */
  open(path: string, write: bool = false, create: bool = false, exclusive: bool = false, truncate: bool = false): i32 {
    const flags = (write ? HOSTDIR_OPEN_WRITE : 0) | (create ? HOSTDIR_CREATE : 0) | (exclusive ? HOSTDIR_EXCL : 0) | (truncate ? HOSTDIR_TRUNC : 0);
    return this.call(HOSTDIR_OPEN, flags, 0, path, null, 0, 0);
  }

  readOpen(file: i32, offset: i64, ptr: usize, len: i32): i32 {
    return this.callFile(HOSTDIR_READ_OPEN, file, offset, ptr, len);
  }

  writeOpen(file: i32, offset: i64, ptr: usize, len: i32): i32 {
    return this.callFile(HOSTDIR_WRITE_OPEN, file, offset, ptr, len);
  }

  setSizeOpen(file: i32, size: i64): i32 {
    return this.callFile(HOSTDIR_SETSIZE_OPEN, file, size, 0, 0);
  }

  setTimesOpen(file: i32, mtimeNs: i64): i32 {
    return this.callFile(HOSTDIR_SETTIMES_OPEN, file, mtimeNs, 0, 0);
  }

  /** Describe an open file. */
  statOpen(file: i32): HostStat {
    const b = new ArrayBuffer(HOSTDIR_STAT_SIZE);
    const p = changetype<usize>(b);
    return this.statOut(this.callFile(HOSTDIR_STAT_OPEN, file, 0, p, HOSTDIR_STAT_SIZE), p);
  }

  close(file: i32): i32 {
    return this.callFile(HOSTDIR_CLOSE, file, 0, 0, 0);
  }

  private statOut(r: i32, p: usize): HostStat {
    const out = new HostStat();
    if (r < 0) {
      out.errno = -r;
      return out;
    }
    out.type = HostdirStatLayout.type(p);
    out.nlink = HostdirStatLayout.nlink(p);
    out.size = HostdirStatLayout.size(p);
    out.ino = HostdirStatLayout.ino(p);
    out.mtime = HostdirStatLayout.mtimeNs(p);
    return out;
  }

  /** Describe path (follow: through symbolic links that stay inside). */
  stat(path: string, follow: bool = true): HostStat {
    const b = new ArrayBuffer(HOSTDIR_STAT_SIZE);
    const p = changetype<usize>(b);
    return this.statOut(this.call(follow ? HOSTDIR_STAT : HOSTDIR_LSTAT, 0, 0, path, null, p, HOSTDIR_STAT_SIZE), p);
  }

  read(path: string, offset: i64, ptr: usize, len: i32): i32 {
    return this.call(HOSTDIR_READ, 0, offset, path, null, ptr, len);
  }

  write(path: string, offset: i64, ptr: usize, len: i32, create: bool = false): i32 {
    return this.call(HOSTDIR_WRITE, create ? HOSTDIR_CREATE : 0, offset, path, null, ptr, len);
  }

  create(path: string, exclusive: bool, truncate: bool): i32 {
    return this.call(HOSTDIR_CREATE_FILE, (exclusive ? HOSTDIR_EXCL : 0) | (truncate ? HOSTDIR_TRUNC : 0), 0, path, null, 0, 0);
  }

  setSize(path: string, size: i64): i32 {
    return this.call(HOSTDIR_SETSIZE, 0, size, path, null, 0, 0);
  }

  /** follow = false: a final symbolic link gets the time itself. */
  setTimes(path: string, mtimeNs: i64, follow: bool = true): i32 {
    return this.call(HOSTDIR_SETTIMES, follow ? 0 : HOSTDIR_NOFOLLOW, mtimeNs, path, null, 0, 0);
  }

  mkdir(path: string): i32 {
    return this.call(HOSTDIR_MKDIR, 0, 0, path, null, 0, 0);
  }

  remove(path: string): i32 {
    return this.call(HOSTDIR_REMOVE, 0, 0, path, null, 0, 0);
  }

  rename(from: string, to: string): i32 {
    return this.call(HOSTDIR_RENAME, 0, 0, from, to, 0, 0);
  }

  /** A hard link at path to the regular file existing (HOSTDIR_LINK). */
  link(existing: string, path: string): i32 {
    return this.call(HOSTDIR_LINK, 0, 0, existing, path, 0, 0);
  }

  symlink(path: string, target: string): i32 {
    return this.call(HOSTDIR_SYMLINK, 0, 0, path, target, 0, 0);
  }

  /** The link's target, or null (lastErrno says why). */
  readlink(path: string): string | null {
    const b = new ArrayBuffer(1024);
    const r = this.call(HOSTDIR_READLINK, 0, 0, path, null, changetype<usize>(b), 1024);
    if (r < 0) {
      hostErrno = -r;
      return null;
    }
    return String.UTF8.decodeUnsafe(changetype<usize>(b), r);
  }

  /** Entries from index `from` (sorted by name), as many as fit in 4 KiB; empty at the end or on an error (hostErrno). */
  list(path: string, from: i64 = 0): HostEntry[] {
    const out = new Array<HostEntry>();
    const b = new ArrayBuffer(4096);
    const p = changetype<usize>(b);
    const r = this.call(HOSTDIR_LIST, 0, from, path, null, p, 4096);
    hostErrno = r < 0 ? -r : 0;
    let at = 0;
    while (at < r) {
      const e = p + <usize>at;
      const n = HostdirDirentLayout.nameLen(e);
      out.push(new HostEntry(String.UTF8.decodeUnsafe(e + 16, n), HostdirDirentLayout.type(e), HostdirDirentLayout.ino(e)));
      at += (16 + <i32>n + 7) & ~7;
    }
    return out;
  }
}

/** The errno of the last readlink or list that failed. */
export let hostErrno: i32 = 0;
