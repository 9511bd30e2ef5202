// The Node backend of the host-directory device: the only code in wasmos that
// touches the host's files. It exposes exactly one directory (the root) and
// keeps every operation inside it:
//
//   - Paths are walked component by component, each directory opened with
//     O_DIRECTORY|O_NOFOLLOW relative to the descriptor of the one before
//     (through /proc/self/fd/N/name, Linux's openat by path), so a component
//     swapped for a symbolic link between two steps is never followed
//     blindly: the open fails and the walk looks at the link instead.
//   - A symbolic link is followed only by this walker: an absolute target is
//     refused (EACCES), a relative one is resolved against the link's own
//     directory with ".." stopping at the root (EACCES beyond it), at most
//     MAX_LINKS links per call (ELOOP). A guest cannot create a link that
//     leaves the root either (symlink checks its target the same way).
//   - The final component is opened with O_NOFOLLOW|O_NONBLOCK, and only
//     regular files and directories are opened at all: FIFOs, sockets and
//     device files are refused (EACCES) before and after the open.
//   - A regular file with more than one hard link is refused (EACCES): it
//     may be a link to a file outside the root. Hard links cannot be made.
//   - Read-only mode is the model's (hal/hostdir/hostdir.ts): nothing here
//     is called for a change.
//   - Nothing stays open after a path call. Files opened with open() stay
//     open (the descriptor the confined walk opened, nothing else) until
//     closeFile or close; their calls take the descriptor and walk nothing:
//     the file is the one that was opened, whatever its path has become.
//
// What remains possible: a host process that can write both inside and
// outside the root can move a directory this walker holds open to outside
// the root in the instant between two calls of one walk. Guests alone cannot.

import * as fs from "node:fs";
import { HOST_FILE_TYPE, HostError, type HostDirBackend, type HostDirEntry, type HostErrno, type HostStat } from "../hostdir/hostdir.ts";

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = fs.constants;
/** Symbolic links one call may follow. */
export const MAX_LINKS = 40;

const fdPath = (fd: number, name?: string | null) => (name ? `/proc/self/fd/${fd}/${name}` : `/proc/self/fd/${fd}`);

/** A symbolic link met as the last component of a path that follows links. */
class FollowLink {
  readonly target: string;
  constructor(target: string) {
    this.target = target;
  }
}

const ERRNO_OF: Record<string, HostErrno> = {
  ENOENT: "ENOENT",
  EEXIST: "EEXIST",
  ENOTDIR: "ENOTDIR",
  EISDIR: "EISDIR",
  ENOTEMPTY: "ENOTEMPTY",
  EACCES: "EACCES",
  EPERM: "EACCES",
  ENXIO: "EACCES",
  ENODEV: "EACCES",
  ETXTBSY: "EACCES",
  EROFS: "EACCES",
  ENOSPC: "ENOSPC",
  EDQUOT: "ENOSPC",
  EFBIG: "ENOSPC",
  ENAMETOOLONG: "ENAMETOOLONG",
  ELOOP: "ELOOP",
  EXDEV: "EXDEV",
  EINVAL: "EINVAL",
  EBADF: "EACCES", // a descriptor opened write-only (the host file is not readable), read
};

/** Run a host call; its failure becomes a HostError (never a device failure: a guest's bad path is not the host's fault). */
function host<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HostError || e instanceof FollowLink) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "";
    throw new HostError(ERRNO_OF[code] ?? "EIO", `${code}: ${(e as Error).message}`);
  }
}

function typeOf(st: fs.Stats): number {
  if (st.isFile()) return HOST_FILE_TYPE.REG;
  if (st.isDirectory()) return HOST_FILE_TYPE.DIR;
  if (st.isSymbolicLink()) return HOST_FILE_TYPE.SYMLINK;
  return HOST_FILE_TYPE.DEV;
}

function toStat(st: fs.Stats): HostStat {
  return { type: typeOf(st), size: st.size, ino: st.ino, nlink: st.nlink, mtimeNs: Math.round(st.mtimeMs * 1e6) };
}

/** Split a link target; refuse an absolute one (it names the host's root, not ours). */
function targetParts(target: string): string[] {
  if (target.startsWith("/")) throw new HostError("EACCES", `symbolic link to an absolute path (${target})`);
  return target.split("/");
}

export interface NodeHostDirOptions {
  /** Tests: called after a path is resolved and before the operation on its last component (to race it). */
  beforeFinal?: (path: readonly string[]) => void;
  /** Tests: called between the check of a file's last component and its open (to race it). */
  beforeOpen?: (path: readonly string[]) => void;
}

export class NodeHostDir implements HostDirBackend {
  /** The root, as the host's realpath. */
  readonly root: string;
  private rootFd: number;
  /**
   * Files this device linked (dev:ino:birth time -> links made): a file with
   * several links may be one outside the root and is refused, unless every
   * other link is one made here (it was a single-link file inside the root
   * when first linked).
   */
  private readonly linked = new Map<string, number>();

  /**
   * Whether a regular file may be opened: one link, or no more links than
   * this device made to it plus its first (the key has the birth time, so a
   * reused inode number is another file).
   */
  private linksOk(st: fs.Stats): boolean {
    return st.nlink === 1 || st.nlink <= 1 + (this.linked.get(linkKey(st)) ?? 0);
  }
  private readonly beforeFinal: ((path: readonly string[]) => void) | undefined;
  private readonly beforeOpen: ((path: readonly string[]) => void) | undefined;

  /** Throws (a host setup error, for the CLI to report) if dir is not a directory or /proc/self/fd is missing. */
  constructor(dir: string, options: NodeHostDirOptions = {}) {
    this.root = fs.realpathSync(dir);
    this.rootFd = fs.openSync(this.root, O_RDONLY | O_DIRECTORY);
    if (fs.realpathSync(fdPath(this.rootFd)) !== this.root) {
      fs.closeSync(this.rootFd);
      throw new Error("host directories need Linux's /proc/self/fd");
    }
    this.beforeFinal = options.beforeFinal;
    this.beforeOpen = options.beforeOpen;
  }

  close(): void {
    for (const fd of this.files) fs.closeSync(fd);
    this.files.clear();
    if (this.rootFd >= 0) fs.closeSync(this.rootFd);
    this.rootFd = -1;
  }

  /** Descriptors of the files open() opened and closeFile has not closed. */
  private readonly files = new Set<number>();

  /** The descriptor of an open file (the model passes only numbers open() returned; anything else is a bug, not a guest's error). */
  private fileFd(file: number): number {
    if (!this.files.has(file)) throw new Error(`hostdir: ${file} is not an open file of this directory`);
    return file;
  }

  /**
   * Walk to the directory holding path's last component and call fn with
   * that directory's descriptor and the component (null: the path names
   * that directory itself). When fn meets a symbolic link it should follow,
   * it throws FollowLink and the walk goes on from the link's directory.
   */
  private at<T>(path: readonly string[], fn: (dir: number, name: string | null) => T): T {
    if (this.rootFd < 0) throw new HostError("EIO", "closed");
    const stack = [this.rootFd];
    const queue = [...path];
    let links = 0;
    const follow = (target: string) => {
      if (++links > MAX_LINKS) throw new HostError("ELOOP", `more than ${MAX_LINKS} symbolic links`);
      return targetParts(target);
    };
    try {
      for (;;) {
        // Intermediate components: every one but the last.
        while (queue.length > 1 || (queue.length === 1 && (queue[0] === ".." || queue[0] === "." || queue[0] === ""))) {
          const c = queue.shift()!;
          const top = stack[stack.length - 1];
          if (c === "" || c === ".") continue;
          if (c === "..") {
            if (stack.length === 1) throw new HostError("EACCES", "a symbolic link climbs above the root");
            fs.closeSync(stack.pop()!);
            continue;
          }
          const st = host(() => fs.lstatSync(fdPath(top, c)));
          if (st.isSymbolicLink()) {
            queue.unshift(...follow(host(() => fs.readlinkSync(fdPath(top, c)))));
            continue;
          }
          if (!st.isDirectory()) throw new HostError("ENOTDIR");
          let fd: number;
          try {
            fd = fs.openSync(fdPath(top, c), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === "ELOOP" || code === "ENOTDIR") {
              // Swapped since the lstat: look again (bounded like any link).
              follow("x");
              queue.unshift(c);
              continue;
            }
            throw host(() => {
              throw e;
            });
          }
          stack.push(fd);
        }
        const name = queue.length === 1 ? queue[0] : null;
        this.beforeFinal?.(path);
        try {
          return host(() => fn(stack[stack.length - 1], name));
        } catch (e) {
          if (!(e instanceof FollowLink)) throw e;
          queue.length = 0;
          queue.push(...follow(e.target));
        }
      }
    } finally {
      for (let i = 1; i < stack.length; i++) fs.closeSync(stack[i]);
    }
  }

  /**
   * Open path's last component (following links inside the root when
   * `follow`) and run fn on the descriptor, which is closed afterwards unless
   * `keep` and fn returned (then the caller owns it). O_TRUNC is never passed
   * to the host's open: a file is cut only after the checks (the caller's fn).
   */
  private withFile<T>(path: readonly string[], flags: number, follow: boolean, fn: (fd: number, st: fs.Stats) => T, keep = false): T {
    const mode = 0o644;
    return this.at(path, (dir, name) => {
      let fd: number;
      if (name === null) {
        if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) throw new HostError("EISDIR");
        fd = fs.openSync(fdPath(dir), O_RDONLY | O_DIRECTORY);
      } else {
        const before = lstatOrNull(fdPath(dir, name));
        if (before?.isSymbolicLink()) {
          if (!follow) throw new HostError("ELOOP", "the last component is a symbolic link");
          if (flags & O_EXCL) throw new HostError("EEXIST");
          throw new FollowLink(fs.readlinkSync(fdPath(dir, name)));
        }
        if (before && !before.isFile() && !before.isDirectory()) throw new HostError("EACCES", "not a regular file or a directory");
        this.beforeOpen?.(path);
        try {
          fd = fs.openSync(fdPath(dir, name), flags | O_NOFOLLOW | O_NONBLOCK, mode);
        } catch (e) {
          // Became a link since the lstat: refuse rather than chase a moving target.
          if ((e as NodeJS.ErrnoException).code === "ELOOP") throw new HostError("EACCES", "the path changed while it was opened");
          throw e;
        }
      }
      let kept = false;
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFile() && !st.isDirectory()) throw new HostError("EACCES", "not a regular file or a directory");
        if (st.isFile() && !this.linksOk(st)) throw new HostError("EACCES", "a file with several hard links");
        const r = fn(fd, st);
        kept = keep;
        return r;
      } finally {
        if (!kept) fs.closeSync(fd);
      }
    });
  }

  stat(path: readonly string[], follow: boolean): HostStat {
    return this.at(path, (dir, name) => {
      if (name === null) return toStat(fs.fstatSync(dir));
      const st = fs.lstatSync(fdPath(dir, name));
      if (st.isSymbolicLink() && follow) throw new FollowLink(fs.readlinkSync(fdPath(dir, name)));
      return toStat(st);
    });
  }

  read(path: readonly string[], offset: number, into: Uint8Array): number {
    return this.withFile(path, O_RDONLY, true, (fd, st) => {
      if (st.isDirectory()) throw new HostError("EISDIR");
      return fs.readSync(fd, into, 0, into.length, offset);
    });
  }

  open(path: readonly string[], write: boolean, create: boolean, exclusive: boolean, truncate: boolean): number {
    // Truncating needs a writable descriptor even for an open to be read (the model refuses its writes).
    const flags = (write || truncate ? O_RDWR : O_RDONLY) | (create ? O_CREAT : 0) | (create && exclusive ? O_EXCL : 0);
    const opened = (fd: number, st: fs.Stats) => {
      if (st.isDirectory()) throw new HostError("EISDIR");
      if (truncate) fs.ftruncateSync(fd, 0);
      this.files.add(fd);
      return fd;
    };
    try {
      return this.withFile(path, flags, true, opened, true);
    } catch (e) {
      // A file the host lets us write but not read: open it write-only (reads of it answer EACCES).
      if (!((write || truncate) && e instanceof HostError && e.errno === "EACCES" && e.message.startsWith("EACCES"))) throw e;
      return this.withFile(path, O_WRONLY | (flags & ~O_RDWR), true, opened, true);
    }
  }

  readFile(file: number, offset: number, into: Uint8Array): number {
    const fd = this.fileFd(file);
    return host(() => fs.readSync(fd, into, 0, into.length, offset));
  }

  writeFile(file: number, offset: number, data: Uint8Array): number {
    const fd = this.fileFd(file);
    return host(() => fs.writeSync(fd, data, 0, data.length, offset));
  }

  statFile(file: number): HostStat {
    const fd = this.fileFd(file);
    return host(() => toStat(fs.fstatSync(fd)));
  }

  setSizeFile(file: number, size: number): void {
    const fd = this.fileFd(file);
    host(() => fs.ftruncateSync(fd, size));
  }

  setTimesFile(file: number, mtimeNs: number): void {
    const fd = this.fileFd(file);
    host(() => fs.futimesSync(fd, fs.fstatSync(fd).atime, mtimeNs / 1e9));
  }

  closeFile(file: number): void {
    if (this.files.delete(file)) fs.closeSync(file);
  }

  write(path: readonly string[], offset: number, data: Uint8Array, create: boolean): number {
    return this.withFile(path, O_WRONLY | (create ? O_CREAT : 0), true, (fd, st) => {
      if (st.isDirectory()) throw new HostError("EISDIR");
      return fs.writeSync(fd, data, 0, data.length, offset);
    });
  }

  create(path: readonly string[], exclusive: boolean, truncate: boolean): void {
    this.withFile(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : 0), true, (fd, st) => {
      if (st.isDirectory()) throw new HostError("EISDIR");
      if (truncate) fs.ftruncateSync(fd, 0); // after the checks: never a file refused for its links
    });
  }

  setSize(path: readonly string[], size: number): void {
    this.withFile(path, O_WRONLY, true, (fd, st) => {
      if (st.isDirectory()) throw new HostError("EISDIR");
      fs.ftruncateSync(fd, size);
    });
  }

  setTimes(path: readonly string[], mtimeNs: number, follow = true): void {
    if (!follow) {
      const link = this.at(path, (dir, name) => {
        if (name === null) return false;
        const st = fs.lstatSync(fdPath(dir, name));
        if (!st.isSymbolicLink()) return false;
        fs.lutimesSync(fdPath(dir, name), st.atime, mtimeNs / 1e9);
        return true;
      });
      if (link) return;
    }
    this.withFile(path, O_RDONLY, true, (fd, st) => fs.futimesSync(fd, st.atime, mtimeNs / 1e9));
  }

  list(path: readonly string[]): HostDirEntry[] {
    return this.withFile(path, O_RDONLY, true, (fd, st) => {
      if (!st.isDirectory()) throw new HostError("ENOTDIR");
      const names = fs.readdirSync(fdPath(fd)).sort();
      const out: HostDirEntry[] = [];
      for (const name of names) {
        const e = lstatOrNull(fdPath(fd, name));
        if (e) out.push({ name, type: typeOf(e), ino: e.ino });
      }
      return out;
    });
  }

  mkdir(path: readonly string[]): void {
    this.at(path, (dir, name) => {
      if (name === null) throw new HostError("EEXIST");
      fs.mkdirSync(fdPath(dir, name), 0o755);
    });
  }

  remove(path: readonly string[]): void {
    this.at(path, (dir, name) => {
      if (name === null) throw new HostError("EACCES", "the root or a directory through '..'");
      const st = fs.lstatSync(fdPath(dir, name));
      if (st.isDirectory()) fs.rmdirSync(fdPath(dir, name));
      else fs.unlinkSync(fdPath(dir, name));
    });
  }

  rename(from: readonly string[], to: readonly string[]): void {
    this.at(from, (d1, n1) =>
      this.at(to, (d2, n2) => {
        if (n1 === null || n2 === null) throw new HostError("EACCES");
        fs.renameSync(fdPath(d1, n1), fdPath(d2, n2));
      }),
    );
  }

  symlink(target: string, path: readonly string[]): void {
    // The link lives at depth path.length - 1 below the root (the walk below refuses a path that is not that deep).
    staysInside(target, path);
    this.at(path, (dir, name) => {
      if (name === null) throw new HostError("EEXIST");
      // Intermediate links may have moved the link elsewhere: check its real depth below the root.
      const real = fs.realpathSync(fdPath(dir));
      const realDepth = real === this.root ? 0 : real.slice(this.root.length + 1).split("/").length;
      if (realDepth !== path.length - 1 || !(real === this.root || real.startsWith(this.root + "/"))) {
        throw new HostError("EACCES", "symbolic link made through another link");
      }
      fs.symlinkSync(target, fdPath(dir, name));
    });
  }

  link(existing: readonly string[], path: readonly string[]): void {
    this.at(existing, (d1, n1) =>
      this.at(path, (d2, n2) => {
        if (n1 === null || n2 === null) throw new HostError("EACCES");
        const st = fs.lstatSync(fdPath(d1, n1));
        // A regular file or a symbolic link (linked itself, as linkat without AT_SYMLINK_FOLLOW; its target stays confined by the walk).
        if (!st.isFile() && !st.isSymbolicLink()) throw new HostError("EACCES", "only a regular file or a symbolic link can be linked");
        if (!this.linksOk(st)) throw new HostError("EACCES", "a file with several hard links");
        // A symbolic link elsewhere in the tree means something else: it must not lead out from there either (as symlink()).
        if (st.isSymbolicLink()) staysInside(fs.readlinkSync(fdPath(d1, n1)), path);
        fs.linkSync(fdPath(d1, n1), fdPath(d2, n2));
        this.linked.set(linkKey(st), (this.linked.get(linkKey(st)) ?? 0) + 1);
      }),
    );
  }

  readlink(path: readonly string[]): string {
    return this.at(path, (dir, name) => {
      if (name === null) throw new HostError("EINVAL");
      return fs.readlinkSync(fdPath(dir, name));
    });
  }
}

/** A file's identity for the links a device made: device, inode and birth time (inode numbers are reused). */
function linkKey(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
}

/** Refuse a symbolic link at `path` whose target would climb above the root (its depth counted from path's directory). */
function staysInside(target: string, path: readonly string[]): void {
  let depth = path.length - 1;
  for (const c of targetParts(target)) {
    if (c === "..") depth--;
    else if (c !== "" && c !== ".") depth++;
    if (depth < 0) throw new HostError("EACCES", `symbolic link target ${target} leaves the root`);
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}
