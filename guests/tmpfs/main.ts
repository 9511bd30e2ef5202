// tmpfs: an in-memory file system served as a resource manager.
//
//   spawned with "io" (a memory object it binds as a grant, shared with a
//   client for the zero-copy grant form) and either "endpoint" (an endpoint
//   the spawner already mounted: tmpfs receives on it) or "root" (a DIR
//   handle with MOUNT: tmpfs mounts its own endpoint at argument 1, default
//   "/", relative to root's scope).
//
// Files, directories, symbolic links (followed by open within this file
// system: a target never leaves the mount), hard links, rename, truncate,
// times. File bytes live in this process's memory; a read answers with a
// pointer into them, so the library moves them once in any transfer form.

import { args, handle, now, exit, println } from "@wasmos/sdk";
import * as io from "@wasmos/sdk/grants/io";
import { DirOut, Handler, Ocb, ReadOut, Server, Stat, WriteIn } from "@wasmos/sdk/resmgr";
import {
  EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, FILE_TYPE_DIR, FILE_TYPE_REG, FILE_TYPE_SYMLINK,
  IO_STAT_FOLLOW, O_CREATE, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_TRUNC, O_WRITE,
} from "@wasmos/sdk";

/** Largest file, in bytes (ENOSPC beyond). */
const MAX_FILE: i64 = 64 << 20;
const MAX_LINKS = 8;

let nextIno: u64 = 1;

class Node {
  ino: u64 = nextIno++;
  nlink: u32 = 1;
  mtime: i64 = now();
  data: Uint8Array = new Uint8Array(0);
  size: i32 = 0;
  children: Map<string, Node> | null = null;
  target: string = "";
  constructor(public type: u32) {
    if (type == FILE_TYPE_DIR) this.children = new Map<string, Node>();
  }
  get isDir(): bool {
    return this.type == FILE_TYPE_DIR;
  }
}

/** How many closed opens tmpfs keeps for reuse. */
const SPARE_OCBS = 16;

class TmpOcb extends Ocb {
  constructor(public node: Node) {
    super();
  }
}

function components(path: string): string[] {
  const out = new Array<string>();
  const parts = path.split("/");
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i];
    if (c == "" || c == ".") continue;
    if (c == "..") {
      if (out.length > 0) out.pop();
    } else out.push(c);
  }
  return out;
}

class Tmpfs extends Handler {
  root: Node = new Node(FILE_TYPE_DIR);
  /** Why the last walk failed. */
  why: i32 = 0;
  /** Bumped at every change of a directory's names (set, delete): the one-name memo below holds while it is unchanged. */
  names: i32 = 0;
  /** The last one-name path found in the root and its node, as of `memoNames`. */
  memoPath: string = "";
  memoNode: Node | null = null;
  memoNames: i32 = -1;

  /** The node at path (symbolic links followed, except the last one when `follow` is false), or null (this.why). */
  walk(path: string, follow: bool = true, depth: i32 = 0): Node | null {
    // The one-name path found last, no name changed since (a client opening one file over and over): no lookup.
    if (this.memoNames == this.names && path == this.memoPath) {
      const memo = this.memoNode!;
      if (memo.type != FILE_TYPE_SYMLINK || !follow) return memo;
    }
    // One name in the mount's root (the common open): no split, no component list.
    if (path.length > 0 && path.indexOf("/") < 0 && path != "." && path != "..") {
      const kids = this.root.children!;
      if (!kids.has(path)) {
        this.why = ENOENT;
        return null;
      }
      const only = kids.get(path);
      this.memoPath = path;
      this.memoNode = only;
      this.memoNames = this.names;
      if (only.type != FILE_TYPE_SYMLINK || !follow) return only;
      // A symbolic link to follow: the general walk below.
    }
    const cs = components(path);
    let n = this.root;
    for (let i = 0; i < cs.length; i++) {
      if (!n.isDir) {
        this.why = ENOTDIR;
        return null;
      }
      const kids = n.children!;
      if (!kids.has(cs[i])) {
        this.why = ENOENT;
        return null;
      }
      const next = kids.get(cs[i]);
      if (next.type == FILE_TYPE_SYMLINK && (follow || i < cs.length - 1)) {
        if (depth >= MAX_LINKS) {
          this.why = ELOOP;
          return null;
        }
        // Relative targets from the link's directory, absolute ones from this mount's root: never outside it.
        const parent = cs.slice(0, i).join("/");
        const t = next.target.startsWith("/") ? next.target : parent + "/" + next.target;
        const rest = cs.slice(i + 1).join("/");
        return this.walk(rest.length > 0 ? t + "/" + rest : t, follow, depth + 1);
      }
      n = next;
    }
    return n;
  }

  /** The directory that holds path's last component, and that name; null on error (this.why). */
  parentOf(path: string): Node | null {
    const cs = components(path);
    if (cs.length == 0) {
      this.why = EINVAL; // the mount point itself has no parent here
      return null;
    }
    const dir = this.walk(cs.slice(0, cs.length - 1).join("/"));
    if (dir === null) return null;
    if (!dir.isDir) {
      this.why = ENOTDIR;
      return null;
    }
    return dir;
  }

  lastName(path: string): string {
    const cs = components(path);
    return cs[cs.length - 1];
  }

  open(path: string, flags: i32): Ocb | null {
    let n = this.walk(path, (flags & O_NOFOLLOW) == 0);
    if (n !== null && n.type == FILE_TYPE_SYMLINK) return this.fail(ELOOP);
    if (n === null) {
      if (this.why != ENOENT || (flags & O_CREATE) == 0) return this.fail(this.why);
      const dir = this.parentOf(path);
      if (dir === null) return this.fail(this.why);
      n = new Node(FILE_TYPE_REG);
      this.names++;
      dir.children!.set(this.lastName(path), n);
      dir.mtime = now();
    } else if ((flags & O_CREATE) != 0 && (flags & O_EXCL) != 0) return this.fail(EEXIST);
    if ((flags & O_DIRECTORY) != 0 && !n.isDir) return this.fail(ENOTDIR);
    if (n.isDir && (flags & (O_WRITE | O_TRUNC)) != 0) return this.fail(EISDIR);
    if ((flags & O_TRUNC) != 0) {
      n.size = 0;
      n.mtime = now();
    }
    // A closed open's object again (the library forgot it before closed() gave it back): no allocation per open.
    if (this.spare.length > 0) {
      const o = this.spare.pop();
      o.node = n;
      return o;
    }
    return new TmpOcb(n);
  }

  /** Closed opens, for the next ones (at most SPARE_OCBS). */
  spare: TmpOcb[] = [];

  closed(ocb: Ocb): void {
    if (this.spare.length < SPARE_OCBS) {
      const o = <TmpOcb>ocb;
      o.node = this.root; // hold no closed file's node
      this.spare.push(o);
    }
  }

  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    const n = (<TmpOcb>ocb).node;
    if (n.isDir) return -EISDIR;
    if (offset < 0) return -EINVAL;
    if (offset >= <i64>n.size) return 0;
    const count = <i32>min(<i64>len, <i64>n.size - offset);
    return out.put(n.data.dataStart + <usize>offset, count);
  }

  /** Make room for size bytes (doubling). False: too big. */
  reserve(n: Node, size: i64): bool {
    if (size > MAX_FILE) return false;
    if (size <= <i64>n.data.length) return true;
    let cap = max(n.data.length * 2, 4096);
    while (<i64>cap < size) cap *= 2;
    const grown = new Uint8Array(cap);
    memory.copy(grown.dataStart, n.data.dataStart, <usize>n.size);
    n.data = grown;
    return true;
  }

  write(ocb: Ocb, offset: i64, data: WriteIn): i32 {
    const n = (<TmpOcb>ocb).node;
    if (n.isDir) return -EISDIR;
    if (offset < 0) return -EINVAL;
    const end = offset + <i64>data.len;
    if (!this.reserve(n, end)) return -ENOSPC;
    if (offset > <i64>n.size) memory.fill(n.data.dataStart + <usize>n.size, 0, <usize>(offset - <i64>n.size)); // a hole reads as zeros
    data.copyTo(n.data.dataStart + <usize>offset, 0, data.len);
    if (end > <i64>n.size) n.size = <i32>end;
    n.mtime = now();
    return data.len;
  }

  fill(n: Node, st: Stat): i32 {
    st.type = n.type;
    st.nlink = n.nlink;
    st.size = n.isDir ? <u64>n.children!.size : n.type == FILE_TYPE_SYMLINK ? <u64>String.UTF8.byteLength(n.target) : <u64>n.size;
    st.ino = n.ino;
    st.mtime = n.mtime;
    return 0;
  }

  stat(ocb: Ocb, st: Stat): i32 {
    return this.fill((<TmpOcb>ocb).node, st);
  }

  setSize(ocb: Ocb, size: i64): i32 {
    const n = (<TmpOcb>ocb).node;
    if (n.isDir) return -EISDIR;
    if (size < 0) return -EINVAL;
    if (!this.reserve(n, size)) return -ENOSPC;
    if (size > <i64>n.size) memory.fill(n.data.dataStart + <usize>n.size, 0, <usize>(size - <i64>n.size));
    n.size = <i32>size;
    n.mtime = now();
    return 0;
  }

  setTimes(ocb: Ocb, mtime: i64): i32 {
    (<TmpOcb>ocb).node.mtime = mtime;
    return 0;
  }

  readdir(ocb: Ocb, cookie: i64, out: DirOut): i32 {
    const n = (<TmpOcb>ocb).node;
    if (!n.isDir) return -ENOTDIR;
    const names = n.children!.keys();
    for (let i = <i32>cookie; i < names.length; i++) {
      const child = n.children!.get(names[i]);
      if (!out.add(child.ino, <i64>(i + 1), child.type, names[i])) break;
    }
    return 0;
  }

  mkdir(path: string, flags: i64): i32 {
    const dir = this.parentOf(path);
    if (dir === null) return -this.why;
    const name = this.lastName(path);
    if (dir.children!.has(name)) return -EEXIST;
    this.names++;
    dir.children!.set(name, new Node(FILE_TYPE_DIR));
    dir.mtime = now();
    return 0;
  }

  unlink(path: string): i32 {
    const dir = this.parentOf(path);
    if (dir === null) return -this.why;
    const name = this.lastName(path);
    if (!dir.children!.has(name)) return -ENOENT;
    const n = dir.children!.get(name);
    if (n.isDir && n.children!.size > 0) return -ENOTEMPTY;
    this.names++;
    dir.children!.delete(name);
    n.nlink--;
    dir.mtime = now();
    return 0; // open files keep their node until closed
  }

  rename(from: string, to: string): i32 {
    const src = this.parentOf(from);
    if (src === null) return -this.why;
    const name = this.lastName(from);
    if (!src.children!.has(name)) return -ENOENT;
    const n = src.children!.get(name);
    const dst = this.parentOf(to);
    if (dst === null) return -this.why;
    // A directory cannot move below itself.
    const a = components(from).join("/") + "/";
    if (n.isDir && (components(to).join("/") + "/").startsWith(a)) return -EINVAL;
    const newName = this.lastName(to);
    if (dst.children!.has(newName)) {
      const old = dst.children!.get(newName);
      if (old === n) return 0;
      if (old.isDir && (!n.isDir || old.children!.size > 0)) return old.isDir && n.isDir ? -ENOTEMPTY : -EISDIR;
      if (!old.isDir && n.isDir) return -ENOTDIR;
      old.nlink--;
    }
    this.names++;
    src.children!.delete(name);
    this.names++;
    dst.children!.set(newName, n);
    src.mtime = dst.mtime = now();
    return 0;
  }

  link(existing: string, path: string): i32 {
    const n = this.walk(existing, false);
    if (n === null) return -this.why;
    if (n.isDir) return -EISDIR;
    const dir = this.parentOf(path);
    if (dir === null) return -this.why;
    const name = this.lastName(path);
    if (dir.children!.has(name)) return -EEXIST;
    this.names++;
    dir.children!.set(name, n);
    n.nlink++;
    return 0;
  }

  symlink(path: string, target: string): i32 {
    const dir = this.parentOf(path);
    if (dir === null) return -this.why;
    const name = this.lastName(path);
    if (dir.children!.has(name)) return -EEXIST;
    const n = new Node(FILE_TYPE_SYMLINK);
    n.target = target;
    this.names++;
    dir.children!.set(name, n);
    return 0;
  }

  readlink(path: string, len: i32, out: ReadOut): i32 {
    const n = this.walk(path, false);
    if (n === null) return -this.why;
    if (n.type != FILE_TYPE_SYMLINK) return -EINVAL;
    return out.text(n.target, 0, len);
  }

  pstat(path: string, st: Stat): i32 {
    return this.pstatAt(path, st, 0);
  }

  psettimes(path: string, mtime: i64): i32 {
    const n = this.walk(path, false);
    if (n === null) return -this.why;
    n.mtime = mtime;
    return 0;
  }

  pstatAt(path: string, st: Stat, flags: i64): i32 {
    const n = this.walk(path, (flags & IO_STAT_FOLLOW) != 0);
    if (n === null) return -this.why;
    return this.fill(n, st);
  }
}

const a = args();
const srv = new Server(new Tmpfs());
srv.useGrants(
  (index: i32, goff: u32, ptr: usize, len: u32): void => io.copy_in(goff, ptr, len),
  (index: i32, goff: u32, ptr: usize, len: u32): void => io.copy_out(ptr, goff, len),
);
// Serve the endpoint the spawner mounted for us, or mount one of our own.
const given = handle("endpoint");
if (given > 0) srv.endpoint = given;
const r = given > 0 ? 0 : srv.mount(handle("root"), a.length > 1 ? a[1] : "/");
if (r < 0) {
  println("tmpfs: cannot mount: " + r.toString());
  exit(1);
}
srv.run();
