// HandleTable: a process's capability space. A handle is a positive i32:
// bits 0-15 the slot, bits 16-30 the slot's generation. Lookup is O(1).
// Generations only grow, so a closed handle can never reach a newer object
// that reuses its slot; a slot whose generation is exhausted is retired.
//
// Each slot holds a Cap: the object, the rights, and the cap's place in the
// derivation tree (handle_dup, copies into messages and spawns make children).
// Revoking a cap removes all its descendants from whichever tables hold them.

import { Errno, ObjectType } from "../abi/gen/abi.ts";
import { bumpEpoch } from "./fast/epoch.ts";
import { HandleMirror } from "./fast/mirror.ts";
import type { KernelObject } from "./object.ts";
import { WORDS } from "./rules/algebra.ts";
import {
  encodeHandleN,
  handleGeneration,
  handleMatches,
  handleSlot,
  nextGeneration,
  SLOT_MASK,
  slotReusable,
} from "./rules/handle-codec.ts";
import { derivedRightsN, hasRightsN } from "./rules/rights.ts";
import { adoptiveParent } from "./rules/tree.ts";

/** A kernel object class, for typed lookups: HandleTable.get(h, Endpoint, Rights.SEND) is an Endpoint or an errno. */
export type ObjectClass<T extends KernelObject> = abstract new (...args: never[]) => T;

/** One capability: an object, rights, and where it sits in the derivation tree. */
export class Cap {
  readonly object: KernelObject;
  readonly rights: number;
  parent: Cap | null;
  /**
   * The caps derived from this one, in the order they were derived: a list
   * threaded through the children themselves (first/last here, prev/next in
   * each child), so deriving and leaving allocate nothing and take O(1). A
   * Set per parent allocated its table on first use, and a parent whose
   * children come and go (a mount's cap: a FILE's cap derived per open,
   * dropped per close) rehashed, shrank and grew it: ≈190 ns of an
   * open+close (bench/kopen.ts). Read and written in this file only
   * (addKid, removeKid); elsewhere `children`, a live view.
   */
  firstKid: Cap | null = null;
  lastKid: Cap | null = null;
  prevSib: Cap | null = null;
  nextSib: Cap | null = null;
  kidCount = 0;
  /** Where the cap lives now (null once closed or revoked, or while in flight or held). */
  table: HandleTable | null = null;
  slot = -1;
  /** Held by the kernel outside any table (holdCap). */
  held = false;
  /** An ancestor revoked it. */
  revoked = false;
  /** Called once if an ancestor's revoke ends this cap, after that revoke's walk (a bound grant faults its holder). */
  onRevoked: (() => void) | null = null;

  constructor(object: KernelObject, rights: number, parent: Cap | null) {
    this.object = object;
    this.rights = rights;
    this.parent = parent;
    if (parent !== null) parent.addKid(this);
  }

  /** The caps derived from this one, as a live Set-like view of the list (tests and the planted bugs read and change it). */
  get children(): CapChildren {
    return new CapChildren(this);
  }

  /** Append c (not in any list) to the children. */
  addKid(c: Cap): void {
    const last = this.lastKid;
    c.prevSib = last;
    c.nextSib = null;
    if (last === null) this.firstKid = c;
    else last.nextSib = c;
    this.lastKid = c;
    this.kidCount++;
  }

  /** Take c, one of the children (its parent, or a cap whose list still holds it), out of them. */
  removeKid(c: Cap): boolean {
    const prev = c.prevSib;
    const next = c.nextSib;
    if (prev === null ? this.firstKid !== c : prev.nextSib !== c) return false;
    if (prev === null) this.firstKid = next;
    else prev.nextSib = next;
    if (next === null) this.lastKid = prev;
    else next.prevSib = prev;
    c.prevSib = null;
    c.nextSib = null;
    this.kidCount--;
    return true;
  }

  /** Drop every child from the list (their own links cleared; their parent fields are the caller's). */
  clearKids(): void {
    for (let c = this.firstKid; c !== null;) {
      const next = c.nextSib;
      c.prevSib = null;
      c.nextSib = null;
      c = next;
    }
    this.firstKid = null;
    this.lastKid = null;
    this.kidCount = 0;
  }

  get depth(): number {
    let d = 0;
    for (let c = this.parent; c !== null; c = c.parent) d++;
    return d;
  }

  /** Derive a child cap with a subset of the rights (not yet in any table). */
  derive(rights: number): Cap {
    return new Cap(this.object, derivedRightsN(this.rights, rights), this);
  }

  /** Leave the tree: children move up to this cap's parent, so an ancestor's revoke still reaches them. */
  detachFromTree(): void {
    const adopter = adoptiveParent(this.parent, null);
    // The children move to the adopter's list in their order, after its own.
    for (let c = this.firstKid; c !== null;) {
      const next = c.nextSib;
      c.prevSib = null;
      c.nextSib = null;
      c.parent = adopter;
      if (adopter !== null) adopter.addKid(c);
      c = next;
    }
    this.firstKid = null;
    this.lastKid = null;
    this.kidCount = 0;
    this.parent?.removeKid(this);
    this.parent = null;
  }
}

/**
 * A cap's children as the Set-like view tests and the planted bugs use (size, has, add, delete, clear,
 * iteration in derivation order), live: a change through it changes the cap's list.
 */
export class CapChildren implements Iterable<Cap> {
  private readonly cap: Cap;

  constructor(cap: Cap) {
    this.cap = cap;
  }

  get size(): number {
    return this.cap.kidCount;
  }

  has(c: Cap): boolean {
    for (let k = this.cap.firstKid; k !== null; k = k.nextSib) if (k === c) return true;
    return false;
  }

  add(c: Cap): this {
    if (!this.has(c)) {
      c.parent?.removeKid(c);
      this.cap.addKid(c);
    }
    return this;
  }

  delete(c: Cap): boolean {
    return this.has(c) && this.cap.removeKid(c);
  }

  clear(): void {
    this.cap.clearKids();
  }

  *[Symbol.iterator](): IterableIterator<Cap> {
    for (let c = this.cap.firstKid; c !== null;) {
      const next = c.nextSib; // the caller may move c
      yield c;
      c = next;
    }
  }
}

export class HandleTable {
  readonly capacity: number;
  private readonly caps: (Cap | null)[] = [];
  private readonly gens: number[] = []; // last generation issued in each slot
  private readonly free: number[] = [];
  private used = 0;
  /** Most handles it may hold at once (set_limit LIMIT_HANDLES); only ever lowered. */
  limit = Infinity;
  /**
   * The kernel-owned copy of the slots a fast path in wasm checks handles
   * against (kernel/fast/mirror.ts), or null (most tables): written here on
   * every insert and vacate, in the same step as the slot itself.
   */
  mirror: HandleMirror | null = null;

  constructor(capacity: number) {
    if (capacity < 1 || capacity > SLOT_MASK + 1) throw new RangeError(`handle table capacity ${capacity} out of range`);
    this.capacity = capacity;
  }

  get count(): number {
    return this.used;
  }

  get full(): boolean {
    return this.room() === 0;
  }

  /** How many more handles fit. */
  room(): number {
    return Math.min(this.free.length + (this.capacity - this.caps.length), this.limit - this.used);
  }

  /** Every slot as "slot:generation:object:rights" (empty slots too): a digest for the contract checks. */
  describe(): string {
    return this.caps.map((c, i) => `${i}:${this.gens[i]}:${c === null ? "-" : `${c.object.koid}:${c.rights}`}`).join(" ");
  }

  /** The objects its handles name (once per handle). */
  objects(): KernelObject[] {
    const out: KernelObject[] = [];
    for (const c of this.caps) if (c !== null) out.push(c.object);
    return out;
  }

  /** Insert a new root cap for obj; returns the handle or -EMFILE. */
  insert(obj: KernelObject, rights: number): number {
    return this.insertCap(new Cap(obj, rights, null));
  }

  /**
   * Put a cap (fresh, derived, or in flight after take()) into this table;
   * returns the handle or -EMFILE. A fresh cap retains its object; an in-flight
   * cap's reference passes to the table. On EMFILE a fresh derived cap leaves
   * the tree; an in-flight cap stays the caller's to release.
   */
  insertCap(cap: Cap, inFlight = false): number {
    let slot: number;
    if (this.used >= this.limit) {
      if (!inFlight) cap.detachFromTree();
      return -Errno.EMFILE;
    }
    if (this.free.length > 0) slot = this.free.pop()!;
    else if (this.caps.length < this.capacity) {
      slot = this.caps.length;
      this.caps.push(null);
      this.gens.push(0);
    } else {
      if (!inFlight) cap.detachFromTree();
      return -Errno.EMFILE;
    }
    const gen = nextGeneration(WORDS, this.gens[slot]);
    this.gens[slot] = gen;
    this.caps[slot] = cap;
    cap.table = this;
    cap.slot = slot;
    this.used++;
    if (!inFlight) {
      cap.object.retainHandle();
      cap.object.capOpened(cap.rights);
    }
    const h = encodeHandleN(gen, slot);
    if (this.mirror !== null) this.mirror.live(slot, h, cap.object, cap.rights);
    return h;
  }

  /**
   * Start mirroring this table for a fast path in wasm (every slot written
   * now, then kept in step by insert and vacate until the table is closed).
   * `promises`: its process's pledge mask, kept in step by pledge.
   */
  startMirror(promises: number): HandleMirror {
    if (this.mirror !== null) return this.mirror;
    const m = new HandleMirror(promises);
    for (let slot = 0; slot < this.caps.length; slot++) {
      const h = encodeHandleN(this.gens[slot], slot);
      const cap = this.caps[slot];
      if (cap !== null) m.live(slot, h, cap.object, cap.rights);
      else if (this.gens[slot] !== 0) m.vacant(slot, h);
    }
    this.mirror = m;
    return m;
  }

  /** Why h does not resolve: -EBADH (never issued) or -ESTALE (issued, since closed or revoked). */
  private failure(h: number): number {
    if (h <= 0) return -Errno.EBADH;
    const slot = handleSlot(WORDS, h);
    const gen = handleGeneration(WORDS, h);
    if (slot >= this.caps.length || gen === 0 || gen > this.gens[slot]) return -Errno.EBADH;
    return -Errno.ESTALE;
  }

  private slotOf(h: number): number {
    // Valid only if its generation is the slot's current one and the slot is live.
    if (h <= 0) return -1;
    const slot = handleSlot(WORDS, h);
    if (slot >= this.caps.length || this.caps[slot] === null || !handleMatches(WORDS, h, this.gens[slot])) return -1;
    return slot;
  }

  /**
   * Resolve h to an object of class `cls` (and of object type `type`, when
   * given: a class such as Device covers several) holding every bit of
   * `need`. Returns the typed object, or a negative errno: EBADH, ESTALE,
   * EWRONGTYPE, EACCES (checked in that order).
   */
  get<T extends KernelObject>(h: number, cls: ObjectClass<T>, need: number, type?: number): T | number {
    const slot = this.slotOf(h);
    if (slot < 0) return this.failure(h);
    const cap = this.caps[slot]!;
    const o = cap.object;
    if (!(o instanceof cls) || (type !== undefined && o.type !== type)) return -Errno.EWRONGTYPE;
    if (!hasRightsN(cap.rights, need)) return -Errno.EACCES;
    return o;
  }

  /** Resolve h of any type; returns the object or -EBADH/-ESTALE. */
  lookup(h: number): KernelObject | number {
    const slot = this.slotOf(h);
    return slot < 0 ? this.failure(h) : this.caps[slot]!.object;
  }

  /** The cap behind a live handle, or a negative errno. */
  cap(h: number): Cap | number {
    const slot = this.slotOf(h);
    return slot < 0 ? this.failure(h) : this.caps[slot]!;
  }

  /** Rights of a live handle, or a negative errno. */
  rightsOf(h: number): number {
    const slot = this.slotOf(h);
    return slot < 0 ? this.failure(h) : this.caps[slot]!.rights;
  }

  /** The handle value of a cap in this table. */
  handleOf(cap: Cap): number {
    if (cap.table !== this) return -Errno.EBADH;
    return encodeHandleN(this.gens[cap.slot], cap.slot);
  }

  /**
   * Take a cap out of its slot without touching the tree. Unless it is going
   * into flight (take), the capability ends: capClosed, then its reference goes.
   */
  private vacate(cap: Cap, intoFlight = false): void {
    // A fast path may have cached this handle (kernel/fast/epoch.ts), unless it names a FILE: no cache holds one.
    if (cap.object.type !== ObjectType.FILE) bumpEpoch();
    const slot = cap.slot;
    this.caps[slot] = null;
    if (this.mirror !== null) this.mirror.vacant(slot, encodeHandleN(this.gens[slot], slot));
    this.used--;
    if (slotReusable(WORDS, this.gens[slot])) this.free.push(slot); // else retired for good
    cap.table = null;
    cap.slot = -1;
    if (!intoFlight) {
      cap.object.capClosed(cap.rights);
      cap.object.releaseHandle();
    }
  }

  /** Close h; returns 0 or -EBADH/-ESTALE. Its derived handles stay valid (they move up the tree). */
  close(h: number): number {
    const slot = this.slotOf(h);
    if (slot < 0) return this.failure(h);
    const cap = this.caps[slot]!;
    cap.detachFromTree();
    this.vacate(cap);
    return 0;
  }

  /**
   * Remove the cap behind h from this table and return it, to be inserted
   * elsewhere (a handle moved in a message). Its place in the tree is kept.
   */
  take(h: number): Cap | number {
    const slot = this.slotOf(h);
    if (slot < 0) return this.failure(h);
    const cap = this.caps[slot]!;
    this.vacate(cap, true); // its reference travels with it
    return cap;
  }

  /** Close every handle (process exit); a mirror goes with them. */
  closeAll(): void {
    for (let slot = 0; slot < this.caps.length; slot++) {
      const cap = this.caps[slot];
      if (cap !== null) {
        cap.detachFromTree();
        this.vacate(cap);
      }
    }
    this.mirror?.free();
    this.mirror = null;
  }

  /** Live handles (for invariant checks in tests). */
  *entries(): IterableIterator<{ handle: number; object: KernelObject; rights: number; cap: Cap }> {
    for (let slot = 0; slot < this.caps.length; slot++) {
      const cap = this.caps[slot];
      if (cap !== null) yield { handle: encodeHandleN(this.gens[slot], slot), object: cap.object, rights: cap.rights, cap };
    }
  }

  /** Revoke every descendant of cap, wherever it lives. Returns how many live handles were removed. */
  static revokeDescendants(cap: Cap): number {
    bumpEpoch(); // held caps (a window's source) end too, not only table slots
    let n = 0;
    // onRevoked hooks run after the walk: one may end a process, whose exit
    // closes its handles and would reshape a tree still being walked.
    const hooks: (() => void)[] = [];
    const stack: Cap[] = [];
    for (let c = cap.firstKid; c !== null; c = c.nextSib) stack.push(c);
    cap.clearKids();
    while (stack.length > 0) {
      const c = stack.pop()!;
      for (let cc = c.firstKid; cc !== null; cc = cc.nextSib) stack.push(cc);
      c.clearKids();
      c.parent = null;
      c.revoked = true;
      const hook = c.onRevoked;
      c.onRevoked = null;
      if (hook !== null) hooks.push(hook);
      if (c.table !== null) {
        c.table.vacate(c);
        n++;
      } else {
        // Held by the kernel, or in flight in a message: the capability ends now
        // (a revoked cap in flight never lands: landHandles gives 0 in its place).
        c.held = false;
        c.object.capClosed(c.rights);
        c.object.releaseHandle();
      }
    }
    for (const hook of hooks) hook();
    return n;
  }
}

/** Drop a cap that is in flight (taken from a table, never inserted): the capability ends. */
export function releaseInFlight(cap: Cap): void {
  if (cap.revoked) return; // its revoke already ended it
  cap.detachFromTree();
  cap.object.capClosed(cap.rights);
  cap.object.releaseHandle();
}

/**
 * A derived cap the kernel keeps outside any table (a namespace entry):
 * it holds a reference, and a revoke of an ancestor ends it (revoked = true).
 */
export function holdCap(cap: Cap): Cap {
  cap.held = true;
  cap.object.retainHandle();
  cap.object.capOpened(cap.rights);
  return cap;
}

/** Release a held cap (unregistered, or its holder destroyed). No effect if already revoked. */
export function releaseHeld(cap: Cap): void {
  if (!cap.held) return;
  cap.held = false;
  cap.detachFromTree();
  cap.object.capClosed(cap.rights);
  cap.object.releaseHandle();
}
