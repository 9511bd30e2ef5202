// A host directory as WASI sees it: path resolution confined to one root.
//
// Every path a WASI program names is resolved here, one component at a time,
// from the directory an fd stands for (kept as components relative to the
// root, never as a host path the guest chose): "." is skipped, ".." pops a
// component and fails with PERM (as wasmtime answers) above the directory
// the path starts from (each directory fd is a capability to its own subtree
// only), symbolic links are read and spliced in (an absolute target, or one
// that climbs above that directory, fails with PERM), at most MAX_SYMLINKS of
// them (then LOOP). An absolute path fails with PERM. The final
// open uses O_NOFOLLOW, so a link swapped in for the last component is not
// followed. What is not closed: a directory component replaced by a symlink
// between the check and the use (Node has no openat); docs/wasi.md says so.

import * as fs from "node:fs";
import { E } from "./constants.ts";

const MAX_SYMLINKS = 32;

/** A resolved path: components below the root, and whether the name demanded a directory (a trailing slash). */
export interface Resolved {
  comps: string[];
  mustBeDir: boolean;
}

/** Map a Node error (its code) to a WASI errno. */
export function errnoOf(e: unknown): number {
  const code = (e as { code?: string } | null)?.code;
  switch (code) {
    case "ENOENT":
      return E.NOENT;
    case "EEXIST":
      return E.EXIST;
    case "ENOTDIR":
      return E.NOTDIR;
    case "EISDIR":
      return E.ISDIR;
    case "ENOTEMPTY":
      return E.NOTEMPTY;
    case "EACCES":
      return E.ACCES;
    case "EPERM":
      return E.PERM;
    case "ELOOP":
      return E.LOOP;
    case "EBADF":
      return E.BADF;
    case "EINVAL":
      return E.INVAL;
    case "ENAMETOOLONG":
      return E.NAMETOOLONG;
    case "EXDEV":
      return E.XDEV;
    case "ENOSPC":
      return E.NOSPC;
    case "EMFILE":
      return E.MFILE;
    case "ENFILE":
      return E.NFILE;
    case "ESPIPE":
      return E.SPIPE;
    case "EFBIG":
      return E.FBIG;
    case "EBUSY":
      return E.BUSY;
    case "ENOTSUP":
    case "EOPNOTSUPP":
      return E.NOTSUP;
    case "EROFS":
      return E.ROFS;
    case "EMLINK":
      return E.MLINK;
    case "EAGAIN":
      return E.AGAIN;
    case "ENXIO":
      return E.NXIO;
    case "EOVERFLOW":
      return E.OVERFLOW;
    case "EPIPE":
      return E.PIPE;
    default:
      return E.IO;
  }
}

/** One host directory a process was given (`--dir HOST::GUEST`), read-write or read-only. */
export class HostDir {
  readonly root: string;
  readonly readOnly: boolean;
  constructor(root: string, readOnly = false) {
    this.root = fs.realpathSync(root);
    if (!fs.statSync(this.root).isDirectory()) throw new Error(`${root} is not a directory`);
    this.readOnly = readOnly;
  }

  /** The host path of components below the root (components never contain "/", ".", "..", or NUL). */
  hostPath(comps: readonly string[]): string {
    return comps.length === 0 ? this.root : this.root + "/" + comps.join("/");
  }

  /**
   * Resolve `path` from the directory `base` (components below the root).
   * followFinal: follow a symlink in the last component. Returns the
   * components, or an errno (NOENT, NOTDIR, LOOP, PERM, INVAL, NAMETOOLONG).
   */
  resolve(base: readonly string[], path: string, followFinal: boolean): Resolved | number {
    if (path.length === 0) return E.NOENT;
    if (path.includes("\0")) return E.INVAL;
    if (path.startsWith("/")) return E.PERM;
    let mustBeDir = path.endsWith("/");
    const cur = [...base];
    // An fd is a capability to its own subtree: ".." never climbs above the directory the path starts from.
    const floor = base.length;
    const queue = path.split("/").filter((c) => c.length > 0);
    if (queue.length === 0) return { comps: cur, mustBeDir: true };
    let links = 0;
    // A trailing slash follows a final symlink, as POSIX does.
    let follow = followFinal || mustBeDir;
    while (queue.length > 0) {
      const c = queue.shift()!;
      const last = queue.length === 0;
      if (c === ".") {
        if (last) mustBeDir = true;
        continue;
      }
      if (c === "..") {
        if (cur.length <= floor) return E.PERM;
        cur.pop();
        if (last) mustBeDir = true;
        continue;
      }
      if (c.length > 255) return E.NAMETOOLONG;
      cur.push(c);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(this.hostPath(cur));
      } catch (e) {
        if (last) return { comps: cur, mustBeDir };
        return errnoOf(e);
      }
      if (st.isSymbolicLink() && (!last || follow)) {
        if (++links > MAX_SYMLINKS) return E.LOOP;
        let target: string;
        try {
          target = fs.readlinkSync(this.hostPath(cur));
        } catch (e) {
          return errnoOf(e);
        }
        if (target.startsWith("/")) return E.PERM;
        cur.pop();
        const parts = target.split("/").filter((x) => x.length > 0);
        if (last && target.endsWith("/")) {
          mustBeDir = true;
          follow = true;
        }
        if (last && parts.length === 0) mustBeDir = true;
        queue.unshift(...parts);
        continue;
      }
      if (!last && !st.isDirectory()) return E.NOTDIR;
    }
    return { comps: cur, mustBeDir };
  }
}
