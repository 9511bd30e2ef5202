// The host-directory device: one directory of the host, exposed to the guest
// that holds the device (guests/hostfs serves it into the namespace). The
// model is pure: it checks paths (hal/hostdir/path.ts), enforces read-only
// mode and bounds, and calls a backend that does the I/O (hal/node/hostdir.ts
// is the only code in wasmos that touches the host's files). Confinement is
// the backend's contract: it resolves every path component by component with
// no-follow semantics, relative to directory descriptors, and refuses any
// symbolic link that leads out of the root (docs/system.md).
//
// The device is stateless: every call names its path, and nothing stays open
// between calls, so a server that dies leaks nothing here.

import { Constants, Errno, ObjectType } from "../../abi/gen/abi.ts";
import { BaseDevice, errorText } from "../device.ts";
import { splitPath } from "./path.ts";
import type { HostDirEntry, HostFileStat } from "../../kernel/devices/contract.ts";

/** The errno names a backend may fail with. */
export type HostErrno =
  "ENOENT" | "EEXIST" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "EACCES" | "EINVAL" | "ENAMETOOLONG" | "ENOSPC" | "ELOOP" | "EXDEV" | "EIO";

export class HostError extends Error {
  override readonly name = "HostError";
  readonly errno: HostErrno;
  constructor(errno: HostErrno, message: string = errno) {
    super(message);
    this.errno = errno;
  }
}

/** File types as the namespace's stat reports them (FILE_TYPE_*). */
export const HOST_FILE_TYPE = { REG: 1, DIR: 2, SYMLINK: 3, DEV: 4 } as const;

/** A host file's stat and one directory entry are the device contract's (kernel/devices/contract.ts). */
export type HostStat = HostFileStat;
export type { HostDirEntry };

/**
 * What a backend does, on paths already split and checked (no "", ".", ".."
 * or NUL; each component at most NAME_MAX bytes). Throws HostError; any other
 * exception fails the device. Every call must stay inside the root: see
 * hal/node/hostdir.ts for the rules it follows.
 */
export interface HostDirBackend {
  stat(path: readonly string[], follow: boolean): HostStat;
  /** Read up to into.length bytes at offset; 0 at the end. */
  read(path: readonly string[], offset: number, into: Uint8Array): number;
  /** Write data at offset (creating the file when `create`); returns the bytes written. */
  write(path: readonly string[], offset: number, data: Uint8Array, create: boolean): number;
  /** Create an empty file (EEXIST if `exclusive` and it exists), or truncate it when `truncate`. */
  create(path: readonly string[], exclusive: boolean, truncate: boolean): void;
  setSize(path: readonly string[], size: number): void;
  /** follow = false (given only then): a final symbolic link gets the time itself. */
  setTimes(path: readonly string[], mtimeNs: number, follow?: boolean): void;
  /** Entries sorted by name, without "." and "..". */
  list(path: readonly string[]): HostDirEntry[];
  mkdir(path: readonly string[]): void;
  /** Remove a file, a symbolic link or an empty directory (never following a link). */
  remove(path: readonly string[]): void;
  rename(from: readonly string[], to: readonly string[]): void;
  /** A symbolic link at path whose target is `target` (stored as given; the backend refuses one that leaves the root). */
  symlink(target: string, path: readonly string[]): void;
  /** A hard link at path to the regular file `existing` (not followed); a backend without links leaves it out (EACCES). */
  link?(existing: readonly string[], path: readonly string[]): void;
  readlink(path: readonly string[]): string;
  close?(): void;
}

export interface HostDirOptions {
  /** Refuse every change (EACCES): the `:ro` suffix of `--dir`. */
  readOnly?: boolean;
  name?: string;
}

/** -errno for a HostErrno name. */
export function hostErrno(name: HostErrno): number {
  return -Errno[name];
}

export class HostDirDevice extends BaseDevice {
  readonly objectType = ObjectType.DEV_HOSTDIR;
  readonly readOnly: boolean;
  private readonly backend: HostDirBackend;
  /** Calls refused by the confinement checks (EACCES): a path or a link leading out, a device file, a file with several hard links. */
  refusals = 0;
  calls = 0;

  constructor(backend: HostDirBackend, options: HostDirOptions = {}) {
    super(options.name ?? "hostdir");
    this.backend = backend;
    this.readOnly = options.readOnly ?? false;
  }

  /** Run op on checked paths; every failure becomes -errno (never an exception). */
  private run<T>(paths: readonly string[], write: boolean, op: (parts: string[][]) => T): T | number {
    this.calls++;
    if (this.failure !== null) return -Errno.EIO;
    if (write && this.readOnly) return -Errno.EACCES;
    const parts: string[][] = [];
    for (const p of paths) {
      const s = splitPath(p);
      if (typeof s === "string") {
        if (s === "EACCES") this.refusals++;
        return hostErrno(s);
      }
      parts.push(s);
    }
    try {
      return op(parts);
    } catch (e) {
      if (e instanceof HostError) {
        if (e.errno === "EACCES") this.refusals++;
        return hostErrno(e.errno);
      }
      this.fail(errorText(e));
      return -Errno.EIO;
    }
  }

  stat(path: string, follow = true): HostStat | number {
    return this.run([path], false, ([p]) => this.backend.stat(p, follow));
  }

  read(path: string, offset: number, into: Uint8Array): number {
    if (!(Number.isSafeInteger(offset) && offset >= 0)) return -Errno.EINVAL;
    return this.run([path], false, ([p]) => this.backend.read(p, offset, into));
  }

  write(path: string, offset: number, data: Uint8Array, create = false): number {
    if (!(Number.isSafeInteger(offset) && offset >= 0)) return -Errno.EINVAL;
    return this.run([path], true, ([p]) => {
      if (p.length === 0) throw new HostError("EISDIR");
      return this.backend.write(p, offset, data, create);
    });
  }

  create(path: string, exclusive: boolean, truncate: boolean): number {
    return this.run([path], true, ([p]) => {
      if (p.length === 0) throw new HostError(exclusive ? "EEXIST" : "EISDIR");
      this.backend.create(p, exclusive, truncate);
      return 0;
    });
  }

  setSize(path: string, size: number): number {
    if (!(Number.isSafeInteger(size) && size >= 0)) return -Errno.EINVAL;
    return this.run([path], true, ([p]) => (this.backend.setSize(p, size), 0));
  }

  setTimes(path: string, mtimeNs: number, follow = true): number {
    // Any i64 of ns (times since 1970 pass 2^53 ns in 1970 + 104 days): a double carries it to ~256 ns.
    if (!Number.isInteger(mtimeNs) || Math.abs(mtimeNs) > 2 ** 63) return -Errno.EINVAL;
    return this.run([path], true, ([p]) => (follow ? this.backend.setTimes(p, mtimeNs) : this.backend.setTimes(p, mtimeNs, false), 0));
  }

  list(path: string): HostDirEntry[] | number {
    return this.run([path], false, ([p]) => this.backend.list(p));
  }

  mkdir(path: string): number {
    return this.run([path], true, ([p]) => {
      if (p.length === 0) throw new HostError("EEXIST");
      this.backend.mkdir(p);
      return 0;
    });
  }

  remove(path: string): number {
    return this.run([path], true, ([p]) => {
      if (p.length === 0) throw new HostError("EACCES"); // the root itself stays
      this.backend.remove(p);
      return 0;
    });
  }

  rename(from: string, to: string): number {
    return this.run([from, to], true, ([a, b]) => {
      if (a.length === 0 || b.length === 0) throw new HostError("EACCES");
      if (b.length > a.length && a.every((c, i) => b[i] === c)) throw new HostError("EINVAL"); // into itself
      this.backend.rename(a, b);
      return 0;
    });
  }

  link(existing: string, path: string): number {
    return this.run([existing, path], true, ([a, b]) => {
      if (a.length === 0 || b.length === 0) throw new HostError("EACCES");
      if (this.backend.link === undefined) throw new HostError("EACCES", "this directory makes no hard links");
      this.backend.link(a, b);
      return 0;
    });
  }

  symlink(target: string, path: string): number {
    if (target === "" || target.includes("\0")) return -Errno.EINVAL;
    return this.run([path], true, ([p]) => {
      if (p.length === 0) throw new HostError("EEXIST");
      this.backend.symlink(target, p);
      return 0;
    });
  }

  readlink(path: string): string | number {
    return this.run([path], false, ([p]) => {
      if (p.length === 0) throw new HostError("EINVAL");
      return this.backend.readlink(p);
    });
  }

  override info(key: number): number | null {
    if (key === Constants.DEVINFO_HOSTDIR_READONLY) return this.readOnly ? 1 : 0;
    if (key === Constants.DEVINFO_HOSTDIR_REFUSALS) return this.refusals;
    return null;
  }

  protected override onClose(): void {
    this.backend.close?.();
  }
}
