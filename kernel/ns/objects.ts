// The namespace's kernel objects: a mount table (plain kernel state shared by
// the DIR objects that view it), DIR (a view: the table plus a scope prefix)
// and FILE (an open: a held capability to the server's endpoint plus the
// per-open id the server chose). No file system lives here: the kernel only
// maps paths to endpoints and stamps I/O with the open's id.

import { Constants, ObjectType } from "../../abi/gen/abi.ts";
import { type Cap, releaseHeld } from "../handles.ts";
import { KernelBug, KernelObject, type ObjectRegistry } from "../object.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import { parentOf, relativeTo } from "./path.ts";

/** One mount: a normalized absolute path served by an endpoint (a capability the table holds). */
export interface Mount {
  readonly table: MountTable;
  readonly path: string;
  /** Held cap derived from the mounter's endpoint capability (revoking that unmounts). */
  readonly cap: Cap;
  readonly flags: number;
  /** The process that mounted it: the mount ends with it. Null for mounts the host made. */
  readonly owner: Process | null;
  /** A host mount's server is started on first use: called once, before the first request is sent. */
  start?: (() => void) | null;
  /**
   * FILE objects opened under this mount that are still live: each shares `cap` (fileOpened), so the
   * capability is released when the mount has left its table and the last of them has ended (fileEnded).
   */
  files?: number;
  /** The mount has left its table (MountTable.remove): `cap` goes with the last FILE that shares it. */
  left?: boolean;
}

/** A step of the shared capability's release dropped on purpose, for tests only (test/ns/file-cap.test.ts). */
type FileCapMutation = "release-at-unmount" | "keep-after-last";
let fileCapMutation: FileCapMutation | null = null;

/** Tests only: drop one step (null: none). */
export function mutateFileCapForTest(m: FileCapMutation | null): void {
  fileCapMutation = m;
}

/**
 * The capability a FILE opened under m holds on its server's endpoint: m's own, shared (one count more),
 * not a capability derived from it per open. The same authority: the FILE's cap was derived from m's with
 * the same rights, nothing but the kernel ever held it, so it ended exactly when m's or an ancestor's
 * revoke ended m's; a held cap counts no handle in a revoke's result; and m's cap stays in the tree (under
 * its mounter's capability) while a FILE holds it, as the FILE's own cap stayed there after an unmount.
 * Per open that is one Cap, its place in m's list of children and its release fewer (issue 13, opcl5).
 */
export function fileOpened(m: Mount): Cap {
  m.files = (m.files ?? 0) + 1;
  return m.cap;
}

/** A FILE opened under m has ended: the last one of a mount that has left its table releases its cap. */
export function fileEnded(m: Mount): void {
  const n = (m.files ?? 0) - 1;
  if (n < 0) throw new KernelBug(`mount ${m.path}: more FILE objects ended than were opened`);
  m.files = n;
  if (n === 0 && m.left === true && fileCapMutation !== "keep-after-last") releaseHeld(m.cap);
}

/** Where a normalized path resolves: its mount and the rest relative to it (shared by every request for that path: read only). */
export interface Resolved {
  readonly mount: Mount;
  /** The path relative to the mount point ("" for the mount point itself). */
  readonly rest: string;
  /** rest as UTF-8 (a connect message's body), made on first use. */
  restBytes: Uint8Array | null;
  /** An IO_OPEN message's words for this path, by open flags (they never change: messages only read them). */
  openWords: (readonly bigint[])[] | null;
}

/** Most paths a table remembers the resolution of (then it starts over): a bound on what a client can make it hold. */
export const RESOLVE_CACHE_MAX = 256;

/** A change of the mount table the resolve cache must not survive; a test plants skipping it (mutateResolveCacheForTest). */
type CacheMutation = "keep-on-add" | "keep-on-remove" | "ignore-revoked";
let cacheMutation: CacheMutation | null = null;

/** Plant a bug in the resolve cache, for tests only (test/ns/resolve-cache.test.ts shows each one fails them). null: none. */
export function mutateResolveCacheForTest(m: CacheMutation | null): void {
  cacheMutation = m;
}

/** A mount table: path -> mount. Lives while DIR objects view it. */
export class MountTable {
  readonly mounts = new Map<string, Mount>();
  /**
   * Resolutions already made (a resolved-prefix cache, path -> Resolved): a
   * hit is one lookup instead of a walk up the path's prefixes. Emptied by
   * every change of the table (add, remove: mount, unmount, a dead or revoked
   * mount dropped, the table cleared); a hit whose mount's capability was
   * revoked since is not trusted (the walk then drops that mount).
   */
  private readonly resolved = new Map<string, Resolved>();
  /** DIR objects viewing this table; at 0 every mount is released. */
  views = 0;
  /** Called when a mount leaves the table (owner bookkeeping). */
  onRemoved: ((m: Mount) => void) | null = null;

  /** The live mount at exactly path (a revoked one is dropped on the way). */
  at(path: string): Mount | null {
    const m = this.mounts.get(path);
    if (m === undefined) return null;
    if (m.cap.revoked) {
      this.remove(m);
      return null;
    }
    return m;
  }

  /** The longest mounted prefix of path and the rest relative to it, or null. */
  resolve(path: string): Resolved | null {
    const hit = this.resolved.get(path);
    if (hit !== undefined && (!hit.mount.cap.revoked || cacheMutation === "ignore-revoked")) return hit;
    for (let prefix = path; ; prefix = parentOf(prefix)) {
      const m = this.at(prefix);
      if (m !== null) {
        const r: Resolved = { mount: m, rest: relativeTo(path, prefix), restBytes: null, openWords: null };
        if (this.resolved.size >= RESOLVE_CACHE_MAX) this.resolved.clear();
        this.resolved.set(path, r);
        return r;
      }
      if (prefix === "/") return null;
    }
  }

  /** How many resolutions the cache holds (tests). */
  get cachedResolutions(): number {
    return this.resolved.size;
  }

  add(m: Mount): void {
    const old = this.mounts.get(m.path);
    if (old !== undefined) this.remove(old);
    this.mounts.set(m.path, m);
    if (cacheMutation !== "keep-on-add") this.resolved.clear();
  }

  remove(m: Mount): void {
    if (this.mounts.get(m.path) !== m) return;
    this.mounts.delete(m.path);
    if (cacheMutation !== "keep-on-remove") this.resolved.clear();
    m.left = true;
    if ((m.files ?? 0) === 0 || fileCapMutation === "release-at-unmount") releaseHeld(m.cap); // else the last FILE opened under it releases it (fileEnded)
    this.onRemoved?.(m);
  }

  clear(): void {
    for (const m of [...this.mounts.values()]) this.remove(m);
  }
}

/** Whether a mount's server is gone (its endpoint has no receiver any more). Starts an on-demand server first. */
export function mountDead(m: Mount): boolean {
  const start = m.start;
  if (start) {
    m.start = null;
    start();
  }
  return (m.cap.object as Endpoint).closed;
}

export class DirObject extends KernelObject {
  readonly type = ObjectType.DIR;
  readonly table: MountTable;
  /** Normalized absolute prefix every path given with this DIR is resolved under. */
  readonly scope: string;
  /** The last path resolved under scope and where it resolved (kernel/ns/flat-open.ts scopedPath). */
  lastPath = "";
  lastAbs = "";

  constructor(registry: ObjectRegistry, table: MountTable, scope: string) {
    super(registry, ObjectType.DIR);
    this.table = table;
    this.scope = scope;
    table.views++;
  }

  protected override onDestroy(): void {
    if (--this.table.views === 0) this.table.clear();
  }
}

export class FileObject extends KernelObject {
  readonly type = ObjectType.FILE;
  /** The mount it was opened under: its held cap is the FILE's capability on the server's endpoint (fileOpened). */
  readonly mount: Mount;
  /** Held cap to the server's endpoint: the mount's, shared (fileOpened). */
  readonly cap: Cap;
  /**
   * The per-open id the server answered IO_OPEN with, as it came: a number when the server's i32 word
   * gave it (sign-extended: the same id), so an open+close makes no BigInt for it. `ocb` widens it.
   */
  readonly ocbWord: bigint | number;
  /** The process that answered the open (grant-form checks look at its bindings). */
  readonly server: Process;
  /** The mount path it was opened under (for /proc and diagnostics). */
  readonly path: string;
  private readonly closePulse: (ep: Endpoint, ocb: bigint | number) => void;
  private wideOcb: bigint | null = null;

  constructor(
    registry: ObjectRegistry,
    init: { mount: Mount; ocb: bigint | number; server: Process; path: string; closePulse: (ep: Endpoint, ocb: bigint | number) => void },
  ) {
    super(registry, ObjectType.FILE);
    this.mount = init.mount;
    this.cap = fileOpened(init.mount);
    this.ocbWord = init.ocb;
    this.server = init.server;
    this.path = init.path;
    this.closePulse = init.closePulse;
  }

  /** The per-open id as a 64-bit word (every I/O message carries it in word 1). */
  get ocb(): bigint {
    const w = this.ocbWord;
    return typeof w === "bigint" ? w : (this.wideOcb ??= BigInt(w));
  }

  get endpoint(): Endpoint {
    return this.cap.object as Endpoint;
  }

  /** The server is gone or the capability was revoked: I/O answers ECLOSED. */
  get dead(): boolean {
    return this.cap.revoked || this.endpoint.closed;
  }

  /** The last handle went: tell the server (IO_CLOSE_PULSE with the OCB id), then let go of the endpoint. */
  protected override onDestroy(): void {
    if (!this.dead) this.closePulse(this.endpoint, this.ocbWord);
    fileEnded(this.mount);
  }
}

export const IO_CLOSE_PULSE = Constants.IO_CLOSE_PULSE;

/** Whether a mount still has a server (or one that starts on first use), without starting it. */
export function mountLive(m: Mount): boolean {
  return (m.start !== undefined && m.start !== null) || !(m.cap.object as Endpoint).closed;
}
