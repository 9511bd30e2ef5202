// HandleTable: a process's capability space. A handle is a positive i32:
// bits 0-15 the slot, bits 16-30 the slot's generation. Lookup is O(1).
// Generations only grow, so a closed handle can never reach a newer object
// that reuses its slot; a slot whose generation is exhausted is retired.
//
// Each slot holds a Cap: the object, the rights, and the cap's place in the
// derivation tree (handle_dup, copies into messages and spawns make children).
// Revoking a cap removes all its descendants from whichever tables hold them.

import { Errno } from "../abi/gen/abi.ts";
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
   * The caps derived from this one, or null for none yet: most caps never
   * have a child (a held buffer's cap, a message's handles), and a Set each
   * was most of a derived cap's allocation (an audio submit derives one a
   * period). Read and written in this file only; elsewhere `children`.
   */
  kids: Set<Cap> | null = null;
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
    if (parent !== null) (parent.kids ??= new Set()).add(this);
  }

  /** The caps derived from this one (the set itself, made on first use: tests and the planted bugs read it). */
  get children(): Set<Cap> {
    return (this.kids ??= new Set());
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
    // Most caps have no children (a spawn's handle to its child, a message's handles): no iterator, and no
    // clear(), which reallocates the set's table even when empty.
    const kids = this.kids;
    if (kids !== null && kids.size !== 0) {
      for (const c of kids) {
        c.parent = adopter;
        if (adopter !== null) (adopter.kids ??= new Set()).add(c);
      }
      this.kids = null;
    }
    this.parent?.kids?.delete(this);
    this.parent = null;
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
    bumpEpoch(); // a fast path may have cached this handle (kernel/fast/epoch.ts)
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
    const stack = cap.kids === null ? [] : [...cap.kids];
    cap.kids = null;
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (c.kids !== null) for (const cc of c.kids) stack.push(cc);
      c.kids = null;
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
