// An in-memory tree as a host-directory backend (hal/hostdir/hostdir.ts): the
// page's dropped files, served to guests by hostfs exactly as `--dir` serves a
// host folder in Node. Nothing leaves the tree: paths arrive split and checked
// by the device model, symbolic links are stored as given and followed only
// inside the tree (a target that climbs above the root is EACCES, a chain
// longer than 32 links ELOOP). An open file (open()) is the file node itself:
// it stays readable after its name is removed or replaced, and its bytes count
// against the limit until it is closed.

import { HOST_FILE_TYPE, type HostDirBackend, type HostDirEntry, HostError, type HostStat } from "../hostdir/hostdir.ts";

type Node =
  | { kind: "file"; ino: number; data: Uint8Array; size: number; mtimeNs: number; removed?: boolean }
  | { kind: "dir"; ino: number; entries: Map<string, Node>; mtimeNs: number }
  | { kind: "link"; ino: number; target: string; mtimeNs: number };

const MAX_LINKS = 32;
/** The tree's total bytes at most (a guest that fills it gets ENOSPC, not the tab's memory). */
export const MEMDIR_DEFAULT_LIMIT = 64 * 1024 * 1024;

export class MemoryHostDir implements HostDirBackend {
  private nextIno = 2;
  private readonly root: Node & { kind: "dir" };
  private bytes = 0;
  private readonly limit: number;
  /** Files open() opened, by the number it returned. */
  private readonly opened = new Map<number, { node: Node & { kind: "file" }; write: boolean }>();
  private nextFile = 1;

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit ?? MEMDIR_DEFAULT_LIMIT;
    this.root = { kind: "dir", ino: 1, entries: new Map(), mtimeNs: now() };
  }

  /** Put a file at `path` ("a/b.txt"; parent directories made as needed), replacing one there. */
  addFile(path: string, data: Uint8Array): void {
    const parts = path.split("/").filter((c) => c !== "" && c !== ".");
    if (parts.length === 0 || parts.includes("..")) throw new HostError("EINVAL", `bad path ${path}`);
    let dir = this.root;
    for (const c of parts.slice(0, -1)) {
      let next = dir.entries.get(c);
      if (next === undefined) {
        next = { kind: "dir", ino: this.nextIno++, entries: new Map(), mtimeNs: now() };
        dir.entries.set(c, next);
      }
      if (next.kind !== "dir") throw new HostError("ENOTDIR", `${c} in ${path} is not a directory`);
      dir = next;
    }
    this.create(parts, false, true);
    this.write(parts, 0, data, false);
  }

  stat(path: readonly string[], follow: boolean): HostStat {
    const n = this.lookup(path, follow);
    const type = n.kind === "file" ? HOST_FILE_TYPE.REG : n.kind === "dir" ? HOST_FILE_TYPE.DIR : HOST_FILE_TYPE.SYMLINK;
    const size = n.kind === "file" ? n.size : n.kind === "link" ? new TextEncoder().encode(n.target).length : 0;
    return { type, size, ino: n.ino, nlink: n.kind === "dir" ? 2 : 1, mtimeNs: n.mtimeNs };
  }

  read(path: readonly string[], offset: number, into: Uint8Array): number {
    const f = this.file(path);
    if (offset >= f.size) return 0;
    const n = Math.min(into.length, f.size - offset);
    into.set(f.data.subarray(offset, offset + n));
    return n;
  }

  write(path: readonly string[], offset: number, data: Uint8Array, create: boolean): number {
    const { dir, name } = this.parent(path);
    const made = create && !dir.entries.has(name);
    if (create) this.create(path, false, false);
    const f = this.file(path);
    const end = offset + data.length;
    try {
      if (end > f.size) this.resize(f, end);
    } catch (e) {
      if (made) dir.entries.delete(name); // a failed write leaves no new empty file behind
      throw e;
    }
    f.data.set(data, offset);
    f.mtimeNs = now();
    return data.length;
  }

  create(path: readonly string[], exclusive: boolean, truncate: boolean): void {
    const { dir, name } = this.parent(path);
    const there = dir.entries.get(name);
    if (there !== undefined) {
      if (exclusive) throw new HostError("EEXIST");
      const f = this.lookup(path, true);
      if (f.kind === "dir") throw new HostError("EISDIR");
      if (f.kind === "file" && truncate) this.resize(f, 0);
      return;
    }
    dir.entries.set(name, { kind: "file", ino: this.nextIno++, data: new Uint8Array(0), size: 0, mtimeNs: now() });
    dir.mtimeNs = now();
  }

  setSize(path: readonly string[], size: number): void {
    this.resize(this.file(path), size);
  }

  setTimes(path: readonly string[], mtimeNs: number): void {
    this.lookup(path, true).mtimeNs = mtimeNs;
  }

  list(path: readonly string[]): HostDirEntry[] {
    const d = this.lookup(path, true);
    if (d.kind !== "dir") throw new HostError("ENOTDIR");
    return [...d.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, n]) => ({
        name,
        ino: n.ino,
        type: n.kind === "file" ? HOST_FILE_TYPE.REG : n.kind === "dir" ? HOST_FILE_TYPE.DIR : HOST_FILE_TYPE.SYMLINK,
      }));
  }

  mkdir(path: readonly string[]): void {
    const { dir, name } = this.parent(path);
    if (dir.entries.has(name)) throw new HostError("EEXIST");
    dir.entries.set(name, { kind: "dir", ino: this.nextIno++, entries: new Map(), mtimeNs: now() });
  }

  remove(path: readonly string[]): void {
    const { dir, name } = this.parent(path);
    const n = dir.entries.get(name);
    if (n === undefined) throw new HostError("ENOENT");
    if (n.kind === "dir" && n.entries.size > 0) throw new HostError("ENOTEMPTY");
    if (n.kind === "file") this.unlinked(n);
    dir.entries.delete(name);
  }

  rename(from: readonly string[], to: readonly string[]): void {
    const a = this.parent(from);
    const n = a.dir.entries.get(a.name);
    if (n === undefined) throw new HostError("ENOENT");
    const b = this.parent(to);
    const there = b.dir.entries.get(b.name);
    if (there !== undefined && there !== n) {
      if (there.kind === "dir" && n.kind !== "dir") throw new HostError("EISDIR");
      if (there.kind !== "dir" && n.kind === "dir") throw new HostError("ENOTDIR");
      if (there.kind === "dir" && there.entries.size > 0) throw new HostError("ENOTEMPTY");
      if (there.kind === "file") this.unlinked(there);
    }
    a.dir.entries.delete(a.name);
    b.dir.entries.set(b.name, n);
  }

  symlink(target: string, path: readonly string[]): void {
    const { dir, name } = this.parent(path);
    if (dir.entries.has(name)) throw new HostError("EEXIST");
    if (target.startsWith("/")) throw new HostError("EACCES", "a link in this tree must be relative");
    dir.entries.set(name, { kind: "link", ino: this.nextIno++, target, mtimeNs: now() });
  }

  readlink(path: readonly string[]): string {
    const n = this.lookup(path, false);
    if (n.kind !== "link") throw new HostError("EINVAL");
    return n.target;
  }

  open(path: readonly string[], write: boolean, create: boolean, exclusive: boolean, truncate: boolean): number {
    if (create) this.create(path, exclusive, false);
    const node = this.file(path);
    if (truncate) this.resize(node, 0);
    const file = this.nextFile++;
    this.opened.set(file, { node, write });
    return file;
  }

  readFile(file: number, offset: number, into: Uint8Array): number {
    const f = this.openFile(file).node;
    if (offset >= f.size) return 0;
    const n = Math.min(into.length, f.size - offset);
    into.set(f.data.subarray(offset, offset + n));
    return n;
  }

  writeFile(file: number, offset: number, data: Uint8Array): number {
    const f = this.openFile(file).node;
    if (offset + data.length > f.size) this.resize(f, offset + data.length);
    f.data.set(data, offset);
    f.mtimeNs = now();
    return data.length;
  }

  statFile(file: number): HostStat {
    const f = this.openFile(file).node;
    return { type: HOST_FILE_TYPE.REG, size: f.size, ino: f.ino, nlink: f.removed ? 0 : 1, mtimeNs: f.mtimeNs };
  }

  setSizeFile(file: number, size: number): void {
    this.resize(this.openFile(file).node, size);
  }

  setTimesFile(file: number, mtimeNs: number): void {
    this.openFile(file).node.mtimeNs = mtimeNs;
  }

  closeFile(file: number): void {
    const o = this.opened.get(file);
    if (o === undefined) return;
    this.opened.delete(file);
    if (o.node.removed && !this.isOpen(o.node)) this.bytes -= o.node.data.length;
  }

  close(): void {
    for (const file of [...this.opened.keys()]) this.closeFile(file);
  }

  private openFile(file: number): { node: Node & { kind: "file" }; write: boolean } {
    const o = this.opened.get(file);
    if (o === undefined) throw new Error(`memdir: ${file} is not an open file`);
    return o;
  }

  private isOpen(f: Node): boolean {
    for (const o of this.opened.values()) if (o.node === f) return true;
    return false;
  }

  /** A file's name is gone: its bytes are freed now, or when its last open closes. */
  private unlinked(f: Node & { kind: "file" }): void {
    if (this.isOpen(f)) f.removed = true;
    else this.bytes -= f.data.length;
  }

  private resize(f: Node & { kind: "file" }, size: number): void {
    if (size > f.data.length) {
      const grown = Math.max(size, Math.min(f.data.length * 2, size + (1 << 20)));
      if (this.bytes + grown - f.data.length > this.limit) throw new HostError("ENOSPC");
      const d = new Uint8Array(grown);
      d.set(f.data.subarray(0, f.size));
      this.bytes += grown - f.data.length;
      f.data = d;
    } else if (size < f.size) f.data.fill(0, size, f.size);
    f.size = size;
    f.mtimeNs = now();
  }

  private file(path: readonly string[]): Node & { kind: "file" } {
    const n = this.lookup(path, true);
    if (n.kind === "dir") throw new HostError("EISDIR");
    if (n.kind !== "file") throw new HostError("EINVAL");
    return n;
  }

  /** The directory that holds path's last component (links followed on the way) and that name. */
  private parent(path: readonly string[]): { dir: Node & { kind: "dir" }; name: string } {
    if (path.length === 0) throw new HostError("EACCES");
    const d = this.lookup(path.slice(0, -1), true);
    if (d.kind !== "dir") throw new HostError("ENOTDIR");
    return { dir: d, name: path[path.length - 1] };
  }

  /** The node at path; links inside followed, the last one only when `follow`. */
  private lookup(path: readonly string[], follow: boolean): Node {
    const pending = [...path];
    const at: Node[] = [this.root];
    let links = 0;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === "" || c === ".") continue;
      if (c === "..") {
        if (at.length === 1) throw new HostError("EACCES", "a link leads out of the tree");
        at.pop();
        continue;
      }
      const dir = at[at.length - 1];
      if (dir.kind !== "dir") throw new HostError("ENOTDIR");
      const n = dir.entries.get(c);
      if (n === undefined) throw new HostError("ENOENT");
      if (n.kind === "link" && (pending.length > 0 || follow)) {
        if (++links > MAX_LINKS) throw new HostError("ELOOP");
        if (n.target.startsWith("/")) throw new HostError("EACCES", "a link leads out of the tree");
        pending.unshift(...n.target.split("/"));
        continue;
      }
      at.push(n);
    }
    return at[at.length - 1];
  }
}

function now(): number {
  return Date.now() * 1e6;
}
