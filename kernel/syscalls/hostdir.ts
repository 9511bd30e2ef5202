// hostdir_call: one operation on a host directory (DEV_HOSTDIR). Decodes and
// checks the request (rights, op, flags, paths, buffer) before the model is
// called; the model keeps every path inside its root (hal/hostdir/). Files
// opened with HOSTDIR_OPEN are the caller's (its pid owns them in the model);
// the Device drops them when the caller no longer holds it or ends.

import {
  Constants,
  Errno,
  HostdirDirentLayout,
  HostdirReqLayout,
  HostdirStatLayout,
  Limits,
  ObjectType,
  Rights,
  readHostdirReq,
  writeHostdirDirent,
  writeHostdirStat,
} from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { HostDirModel, HostFileStat } from "../devices/contract.ts";
import { Device } from "../devices/device.ts";
import type { Process } from "../objects/process.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8e = new TextEncoder();
/** Longest path hostdir_call takes, in bytes (the namespace's path limit). */
const MAX_PATH = 1024;
const C = Constants;
/** Operations that change the directory: they need WRITE. */
const CHANGES = new Set<number>([
  C.HOSTDIR_WRITE,
  C.HOSTDIR_CREATE_FILE,
  C.HOSTDIR_SETSIZE,
  C.HOSTDIR_SETTIMES,
  C.HOSTDIR_MKDIR,
  C.HOSTDIR_REMOVE,
  C.HOSTDIR_RENAME,
  C.HOSTDIR_SYMLINK,
  C.HOSTDIR_LINK,
  C.HOSTDIR_WRITE_OPEN,
  C.HOSTDIR_SETSIZE_OPEN,
  C.HOSTDIR_SETTIMES_OPEN,
]);
/** The offsets a double carries exactly (a time may be negative). */
const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_TIME = -MAX_OFFSET;
/** Flags each operation takes. */
const FLAGS: Record<number, number> = {
  [C.HOSTDIR_WRITE]: C.HOSTDIR_CREATE,
  [C.HOSTDIR_CREATE_FILE]: C.HOSTDIR_EXCL | C.HOSTDIR_TRUNC,
  [C.HOSTDIR_SETTIMES]: C.HOSTDIR_NOFOLLOW,
  [C.HOSTDIR_OPEN]: C.HOSTDIR_OPEN_WRITE | C.HOSTDIR_CREATE | C.HOSTDIR_EXCL | C.HOSTDIR_TRUNC,
};

/** A path argument: the string, or -EINVAL / -EFAULT / -ENAMETOOLONG. */
function readPath(p: Process, ptr: number, len: number): string | number {
  if (len === 0) return -Errno.EINVAL;
  if (len > MAX_PATH) return -Errno.ENAMETOOLONG;
  const bytes = p.memory!.slice(ptr, len);
  if (bytes === null) return -Errno.EFAULT;
  try {
    return utf8.decode(bytes);
  } catch {
    return -Errno.EINVAL;
  }
}

/**
 * CLOSE and the *_OPEN operations: on an open file, no path (the request is
 * checked but for its file id, which the model checks against the caller).
 * CLOSE on a device that failed answers 0: its files were closed with it.
 */
function onOpenFile(p: Process, dev: Device<HostDirModel>, op: number, file: number, offset: number, at: number, len: number): number {
  const m = dev.model;
  const mem = p.memory!;
  const pid = p.pid;
  switch (op) {
    case C.HOSTDIR_CLOSE:
      return m.closeOpen(pid, file);
    case C.HOSTDIR_READ_OPEN: {
      const buf = mem.slice(at, len);
      return buf === null ? -Errno.EFAULT : m.readOpen(pid, file, offset, buf);
    }
    case C.HOSTDIR_WRITE_OPEN: {
      const buf = mem.slice(at, len);
      return buf === null ? -Errno.EFAULT : m.writeOpen(pid, file, offset, buf.slice());
    }
    case C.HOSTDIR_STAT_OPEN: {
      if (!mem.inBounds(at, len)) return -Errno.EFAULT;
      if (len < HostdirStatLayout.SIZE) return -Errno.EINVAL;
      const st = m.statOpen(pid, file);
      return typeof st === "number" ? st : putStat(p, at, st);
    }
    case C.HOSTDIR_SETSIZE_OPEN:
      return m.setSizeOpen(pid, file, offset);
    case C.HOSTDIR_SETTIMES_OPEN:
      return m.setTimesOpen(pid, file, offset);
  }
  return -Errno.EINVAL;
}

function putStat(p: Process, at: number, st: HostFileStat): number {
  writeHostdirStat(p.memory!, at, {
    type: st.type,
    nlink: st.nlink,
    size: BigInt(st.size),
    ino: BigInt(st.ino),
    mtimeNs: BigInt(st.mtimeNs),
  });
  return HostdirStatLayout.SIZE;
}

export function sysHostdirCall(_k: KernelCore, p: Process, hostdir: number, reqPtr: number): number {
  const obj = p.handles.get(hostdir, Device, Rights.READ, ObjectType.DEV_HOSTDIR);
  if (typeof obj === "number") return obj;
  const mem = p.memory!;
  if (!mem.inBounds(reqPtr, HostdirReqLayout.SIZE)) return -Errno.EFAULT;
  const r = readHostdirReq(mem, reqPtr >>> 0);
  if (r.op < C.HOSTDIR_STAT || r.op > C.HOSTDIR_SETTIMES_OPEN || r.reserved !== 0) return -Errno.EINVAL;
  const changes = CHANGES.has(r.op) || (r.op === C.HOSTDIR_OPEN && r.flags !== 0);
  if (changes && (p.handles.rightsOf(hostdir) & Rights.WRITE) === 0) return -Errno.EACCES;
  if ((r.flags & ~(FLAGS[r.op] ?? 0)) !== 0) return -Errno.EINVAL;
  if (r.op === C.HOSTDIR_OPEN && (r.flags & (C.HOSTDIR_EXCL | C.HOSTDIR_CREATE)) === C.HOSTDIR_EXCL) return -Errno.EINVAL;
  if (r.offset < 0n || r.offset > MAX_OFFSET) {
    const times = r.op === C.HOSTDIR_SETTIMES || r.op === C.HOSTDIR_SETTIMES_OPEN;
    if (!times || r.offset < MIN_TIME) return -Errno.EINVAL;
  }
  // A read or write of an open file may move what one I/O request carries (hostfs answers a 1 MiB read in one call).
  const bulk = r.op === C.HOSTDIR_READ_OPEN || r.op === C.HOSTDIR_WRITE_OPEN;
  if (r.len > (bulk ? Limits.MAX_MSG_BYTES : Limits.MAX_IO_BYTES)) return -Errno.EINVAL;
  if (r.op >= C.HOSTDIR_CLOSE) return onOpenFile(p, obj as Device<HostDirModel>, r.op, r.file, Number(r.offset), r.buf >>> 0, r.len);
  const path = readPath(p, r.path, r.pathLen);
  if (typeof path === "number") return path;
  let path2 = "";
  if (r.op === C.HOSTDIR_RENAME || r.op === C.HOSTDIR_SYMLINK || r.op === C.HOSTDIR_LINK) {
    const q = readPath(p, r.path2, r.path2Len);
    if (typeof q === "number") return q;
    path2 = q;
  }
  const buf = mem.slice(r.buf, r.len);
  if (buf === null) return -Errno.EFAULT;
  const m = (obj as Device<HostDirModel>).model;
  if (m.failure !== null) return -Errno.EIO;
  const offset = Number(r.offset);
  switch (r.op) {
    case C.HOSTDIR_STAT:
    case C.HOSTDIR_LSTAT: {
      if (r.len < HostdirStatLayout.SIZE) return -Errno.EINVAL;
      const st = m.stat(path, r.op === C.HOSTDIR_STAT);
      return typeof st === "number" ? st : putStat(p, r.buf >>> 0, st);
    }
    case C.HOSTDIR_READ:
      return m.read(path, offset, buf);
    case C.HOSTDIR_WRITE:
      return m.write(path, offset, buf.slice(), (r.flags & C.HOSTDIR_CREATE) !== 0);
    case C.HOSTDIR_CREATE_FILE:
      return m.create(path, (r.flags & C.HOSTDIR_EXCL) !== 0, (r.flags & C.HOSTDIR_TRUNC) !== 0);
    case C.HOSTDIR_SETSIZE:
      return m.setSize(path, offset);
    case C.HOSTDIR_SETTIMES:
      return m.setTimes(path, offset, (r.flags & C.HOSTDIR_NOFOLLOW) === 0);
    case C.HOSTDIR_LIST: {
      const entries = m.list(path);
      if (typeof entries === "number") return entries;
      let at = 0;
      for (let i = offset; i < entries.length; i++) {
        const e = entries[i];
        const name = utf8e.encode(e.name);
        const size = (HostdirDirentLayout.SIZE + name.length + 7) & ~7;
        if (at + size > r.len) break;
        writeHostdirDirent(mem, (r.buf >>> 0) + at, { ino: BigInt(e.ino), type: e.type, nameLen: name.length });
        mem.write((r.buf >>> 0) + at + HostdirDirentLayout.SIZE, name);
        at += size;
      }
      if (at === 0 && offset < entries.length && r.len > 0) return -Errno.EINVAL; // the buffer cannot hold one entry
      return at;
    }
    case C.HOSTDIR_MKDIR:
      return m.mkdir(path);
    case C.HOSTDIR_REMOVE:
      return m.remove(path);
    case C.HOSTDIR_RENAME:
      return m.rename(path, path2);
    case C.HOSTDIR_SYMLINK:
      return m.symlink(path2, path);
    case C.HOSTDIR_LINK:
      return m.link(path, path2);
    case C.HOSTDIR_OPEN: {
      const f = r.flags;
      const id = m.open(
        p.pid,
        path,
        (f & C.HOSTDIR_OPEN_WRITE) !== 0,
        (f & C.HOSTDIR_CREATE) !== 0,
        (f & C.HOSTDIR_EXCL) !== 0,
        (f & C.HOSTDIR_TRUNC) !== 0,
      );
      if (id > 0) (obj as Device<HostDirModel>).holdFor(p, () => m.closeOwner(p.pid));
      return id;
    }
    case C.HOSTDIR_READLINK: {
      const target = m.readlink(path);
      if (typeof target === "number") return target;
      const bytes = utf8e.encode(target);
      const n = Math.min(bytes.length, r.len);
      mem.write(r.buf >>> 0, bytes.subarray(0, n));
      return n;
    }
  }
  return -Errno.EINVAL;
}
