// HandleTable: a process's capability space. A handle is a positive i32:
// bits 0-15 the slot, bits 16-30 the slot's generation. Lookup is O(1).
// Generations only grow, so a closed handle can never reach a newer object
// that reuses its slot; a slot whose generation is exhausted is retired.

import { Errno } from "../abi/gen/abi.ts";
import type { KernelObject } from "./object.ts";

const SLOT_BITS = 16;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const MAX_GENERATION = 0x7fff;

export class HandleTable {
  readonly capacity: number;
  private readonly objects: (KernelObject | null)[] = [];
  private readonly rights: number[] = [];
  private readonly gens: number[] = []; // last generation issued in each slot
  private readonly free: number[] = [];
  private used = 0;

  constructor(capacity: number) {
    if (capacity < 1 || capacity > SLOT_MASK + 1) throw new RangeError(`handle table capacity ${capacity} out of range`);
    this.capacity = capacity;
  }

  get count(): number {
    return this.used;
  }

  /** Insert obj with rights; returns the handle, or -EMFILE when full. Retains obj. */
  insert(obj: KernelObject, rights: number): number {
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop()!;
    else if (this.objects.length < this.capacity) {
      slot = this.objects.length;
      this.objects.push(null);
      this.rights.push(0);
      this.gens.push(0);
    } else return -Errno.EMFILE;
    const gen = this.gens[slot] + 1;
    this.gens[slot] = gen;
    this.objects[slot] = obj;
    this.rights[slot] = rights;
    this.used++;
    obj.retainHandle();
    return (gen << SLOT_BITS) | slot;
  }

  /** Why h does not resolve: -EBADH (never issued) or -ESTALE (issued, since closed). */
  private failure(h: number): number {
    if (h <= 0) return -Errno.EBADH;
    const slot = h & SLOT_MASK;
    const gen = h >>> SLOT_BITS;
    if (slot >= this.objects.length || gen === 0 || gen > this.gens[slot]) return -Errno.EBADH;
    return -Errno.ESTALE;
  }

  private slotOf(h: number): number {
    // A handle is valid only if its generation is the slot's current one and the slot is live.
    if (h <= 0) return -1;
    const slot = h & SLOT_MASK;
    if (slot >= this.objects.length || this.objects[slot] === null || this.gens[slot] !== h >>> SLOT_BITS) return -1;
    return slot;
  }

  /**
   * Resolve h to an object of `type` holding every bit of `need`.
   * Returns the object, or a negative errno: EBADH, ESTALE, EWRONGTYPE, EACCES (checked in that order).
   */
  get(h: number, type: number, need: number): KernelObject | number {
    const slot = this.slotOf(h);
    if (slot < 0) return this.failure(h);
    const obj = this.objects[slot]!;
    if (obj.type !== type) return -Errno.EWRONGTYPE;
    if ((this.rights[slot] & need) !== need) return -Errno.EACCES;
    return obj;
  }

  /** Resolve h of any type; returns the object or -EBADH/-ESTALE. */
  lookup(h: number): KernelObject | number {
    const slot = this.slotOf(h);
    return slot < 0 ? this.failure(h) : this.objects[slot]!;
  }

  /** Rights of a live handle, or a negative errno. */
  rightsOf(h: number): number {
    const slot = this.slotOf(h);
    return slot < 0 ? this.failure(h) : this.rights[slot];
  }

  /** Close h; returns 0 or -EBADH/-ESTALE. Releases the object's reference. */
  close(h: number): number {
    const slot = this.slotOf(h);
    if (slot < 0) return this.failure(h);
    const obj = this.objects[slot]!;
    this.objects[slot] = null;
    this.rights[slot] = 0;
    this.used--;
    if (this.gens[slot] < MAX_GENERATION) this.free.push(slot); // else retired for good
    obj.releaseHandle();
    return 0;
  }

  /** Close every handle (process exit). */
  closeAll(): void {
    for (let slot = 0; slot < this.objects.length; slot++) {
      if (this.objects[slot] !== null) this.close((this.gens[slot] << SLOT_BITS) | slot);
    }
  }

  /** Live handles (for invariant checks in tests). */
  *entries(): IterableIterator<{ handle: number; object: KernelObject; rights: number }> {
    for (let slot = 0; slot < this.objects.length; slot++) {
      const object = this.objects[slot];
      if (object !== null) yield { handle: (this.gens[slot] << SLOT_BITS) | slot, object, rights: this.rights[slot] };
    }
  }
}
