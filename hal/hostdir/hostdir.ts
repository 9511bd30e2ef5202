// The host-directory device: one directory of the host, exposed to the guest
// that holds the device (guests/hostfs serves it into the namespace). The
// model is pure: it checks paths (hal/hostdir/path.ts), enforces read-only
// mode and bounds, and calls a backend that does the I/O (hal/node/hostdir.ts
// is the only code in wasmos that touches the host's files). Confinement is
// the backend's contract: it resolves every path component by component with
// no-follow semantics, relative to directory descriptors, and refuses any
// symbolic link that leads out of the root (docs/system.md).
//
// Path calls are stateless: each names its path and keeps nothing open. The
// only state is the files opened with open(): a table of at most
// MAX_HOSTDIR_OPEN per device, each entry the backend's open file, its
// owner (the kernel's pid of the process that opened it) and whether it
// was opened for writing. An id is the entry's slot and a generation
// (ids of a closed entry never come back; each device starts its
// generations elsewhere, so one device's id is no other's), checked with
// the owner on every use. The kernel closes an owner's files when it no
// longer holds a handle to the device or ends (closeOwner); close() closes
// them all. What an open reaches was confined when it was opened, and an
// open file stays that file (POSIX): later renames cannot lead it out.

import { Constants, Errno, Limits, ObjectType } from "../../abi/gen/abi.ts";
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
  /**
   * Open the regular file at path (following links inside the root, with
   * the checks of read), creating it (`create`; EEXIST if `exclusive` and it
   * exists) and cutting it to 0 bytes (`truncate`) after the checks. Returns
   * the backend's number for the open file, used by the *File calls until
   * closeFile. EISDIR for a directory.
   */
  open(path: readonly string[], write: boolean, create: boolean, exclusive: boolean, truncate: boolean): number;
  /** Read up to into.length bytes at offset of an open file; 0 at the end. */
  readFile(file: number, offset: number, into: Uint8Array): number;
  /** Write data at offset of a file opened for writing; returns the bytes written. */
  writeFile(file: number, offset: number, data: Uint8Array): number;
  statFile(file: number): HostStat;
  setSizeFile(file: number, size: number): void;
  setTimesFile(file: number, mtimeNs: number): void;
  /** Close an open file (never fails: the model has forgotten it already). */
  closeFile(file: number): void;
  /** Close every open file and the root. */
  close?(): void;
}

/** One file open in the device (HostDirDevice.open). */
interface OpenFile {
  /** The backend's number for it. */
  file: number;
  /** The pid of the process that opened it. */
  owner: number;
  write: boolean;
}

/** Slots per device: MAX_HOSTDIR_OPEN, a power of two below 2^8 (an id is generation << 8 | slot). */
const SLOT_BITS = 8;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** Generations stay below 2^23, so an id is a positive i32. */
const GEN_MASK = (1 << 23) - 1;
/** Devices made so far (each starts its generations at another place). */
let devicesMade = 0;

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
  /** Open files by slot (null: free). */
  private readonly opens: (OpenFile | null)[] = [];
  /** Each slot's generation: the id of its next open is gen << 8 | slot. */
  private readonly gens: number[] = [];
  private readonly freeSlots: number[] = [];
  private openCount = 0;
  /** Where this device's generations start: another place for each device. */
  private readonly genBase: number;

  constructor(backend: HostDirBackend, options: HostDirOptions = {}) {
    super(options.name ?? "hostdir");
    this.backend = backend;
    this.readOnly = options.readOnly ?? false;
    this.genBase = ((1 + Math.imul(++devicesMade, 0x9e3779b1)) >>> 9) & GEN_MASK || 1;
  }

  /** Files open now (all owners). */
  get openFiles(): number {
    return this.openCount;
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

  /**
   * Open the file at path for `owner` (a pid) and keep it open: its id
   * (> 0), or -errno. A write, create or truncate open of a read-only
   * directory is EACCES; more than MAX_HOSTDIR_OPEN open files, EMFILE.
   */
  open(owner: number, path: string, write: boolean, create: boolean, exclusive: boolean, truncate: boolean): number {
    if (this.openCount >= Limits.MAX_HOSTDIR_OPEN && this.failure === null) return -Errno.EMFILE;
    return this.run([path], write || create || truncate, ([p]) => {
      if (p.length === 0) throw new HostError(exclusive ? "EEXIST" : "EISDIR");
      const file = this.backend.open(p, write, create, exclusive, truncate);
      let slot = this.freeSlots.pop();
      if (slot === undefined) {
        slot = this.opens.length;
        this.opens.push(null);
        this.gens.push(this.genBase);
      }
      this.opens[slot] = { file, owner, write };
      this.openCount++;
      return (this.gens[slot] << SLOT_BITS) | slot;
    });
  }

  /** The open file `id` of `owner`, or -EBADF (and -EIO once the device failed). */
  private opened(owner: number, id: number): OpenFile | number {
    this.calls++;
    if (this.failure !== null) return -Errno.EIO;
    const slot = id & SLOT_MASK;
    const o = this.opens[slot];
    if (o == null || o.owner !== owner || id <= 0 || id >>> SLOT_BITS !== this.gens[slot]) return -Errno.EBADF;
    return o;
  }

  /** Run a backend call on an open file; a HostError becomes -errno, anything else fails the device. */
  private onFile<T>(o: OpenFile, op: (file: number) => T): T | number {
    try {
      return op(o.file);
    } catch (e) {
      if (e instanceof HostError) return hostErrno(e.errno);
      this.fail(errorText(e));
      return -Errno.EIO;
    }
  }

  readOpen(owner: number, id: number, offset: number, into: Uint8Array): number {
    if (!(Number.isSafeInteger(offset) && offset >= 0)) return -Errno.EINVAL;
    const o = this.opened(owner, id);
    if (typeof o === "number") return o;
    return this.onFile(o, (f) => this.backend.readFile(f, offset, into));
  }

  writeOpen(owner: number, id: number, offset: number, data: Uint8Array): number {
    if (!(Number.isSafeInteger(offset) && offset >= 0)) return -Errno.EINVAL;
    const o = this.opened(owner, id);
    if (typeof o === "number") return o;
    if (!o.write || this.readOnly) return -Errno.EACCES;
    return this.onFile(o, (f) => this.backend.writeFile(f, offset, data));
  }

  statOpen(owner: number, id: number): HostStat | number {
    const o = this.opened(owner, id);
    if (typeof o === "number") return o;
    return this.onFile(o, (f) => this.backend.statFile(f));
  }

  setSizeOpen(owner: number, id: number, size: number): number {
    if (!(Number.isSafeInteger(size) && size >= 0)) return -Errno.EINVAL;
    const o = this.opened(owner, id);
    if (typeof o === "number") return o;
    if (!o.write || this.readOnly) return -Errno.EACCES;
    return this.onFile(o, (f) => (this.backend.setSizeFile(f, size), 0));
  }

  setTimesOpen(owner: number, id: number, mtimeNs: number): number {
    if (!Number.isInteger(mtimeNs) || Math.abs(mtimeNs) > 2 ** 63) return -Errno.EINVAL;
    const o = this.opened(owner, id);
    if (typeof o === "number") return o;
    if (this.readOnly) return -Errno.EACCES;
    return this.onFile(o, (f) => (this.backend.setTimesFile(f, mtimeNs), 0));
  }

  /** Close owner's open file id: 0 or -EBADF. */
  closeOpen(owner: number, id: number): number {
    const o = this.opened(owner, id);
    if (typeof o === "number") return o === -Errno.EIO ? 0 : o; // a failed device closed its files already
    this.release(id & SLOT_MASK);
    return 0;
  }

  /** Close every file `owner` has open (it ended, or holds no handle to the device any more). */
  closeOwner(owner: number): void {
    for (let slot = 0; slot < this.opens.length; slot++) if (this.opens[slot]?.owner === owner) this.release(slot);
  }

  private release(slot: number): void {
    const o = this.opens[slot]!;
    this.opens[slot] = null;
    this.gens[slot] = (this.gens[slot] + 1) & GEN_MASK || 1;
    this.freeSlots.push(slot);
    this.openCount--;
    try {
      this.backend.closeFile(o.file);
    } catch (e) {
      this.fail(`close: ${errorText(e)}`);
    }
  }

  override info(key: number): number | null {
    if (key === Constants.DEVINFO_HOSTDIR_READONLY) return this.readOnly ? 1 : 0;
    if (key === Constants.DEVINFO_HOSTDIR_REFUSALS) return this.refusals;
    if (key === Constants.DEVINFO_HOSTDIR_OPEN) return this.openCount;
    return null;
  }

  /** A failed device takes no more work: its open files are closed now, not when its last handle goes. */
  protected override onFail(): void {
    for (let slot = 0; slot < this.opens.length; slot++) if (this.opens[slot] !== null) this.release(slot);
  }

  protected override onClose(): void {
    // The backend's close closes its open files too; the table forgets them.
    this.opens.fill(null);
    this.openCount = 0;
    this.backend.close?.();
  }
}
