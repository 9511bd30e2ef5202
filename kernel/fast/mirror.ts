// The handle mirror: what a capability check needs, per process and per
// handle slot, written by the kernel into words a kernel-owned wasm module
// reads (host/runtime/fast-path.ts, docs/fastpath.md "Capability checks in
// wasm"). The TypeScript kernel stays the authority: every word here is a
// copy of kernel state, rewritten in the same step that changes that state
// (HandleTable insert and vacate, process exit, memory revocation, pledge),
// so the very next call the fast path answers already sees the change. The
// guest never sees these words: they live in a memory only the fast-path
// module imports.
//
// Only tables of processes whose module imports a served call have a mirror
// (HandleTable.startMirror, from the host at instantiation); every other
// table pays one null check on insert and vacate, and HandleTable.get (in
// every syscall) is untouched.
//
// Layout (i32 words; addresses the wasm side uses are byte addresses = 4 x index):
//   a process header, HEADER_WORDS words:
//     [PROMISES] the process's pledge mask
//     [SLOTS]    byte address of its slot array
//     [CAP]      slots in that array: at least every slot the table has ever used, so a
//                handle whose slot is past it was never issued (EBADH)
//     [SLOW]     non-zero: answer nothing here, every call goes to the kernel
//   a slot, SLOT_WORDS words:
//     [HANDLE]   the live handle (generation and slot); when vacant, the last
//                handle issued there with bit 31 set; 0 if never issued
//     [RIGHTS]   its rights
//     [TYPE]     its object's ObjectType
//     [STATE]    byte address of its object's state word (0: none)
//   an object state word, shared by every mirrored slot naming the object
//   (refcounted by those slots): PROCESS: STATE_EXITED once it has exited;
//   MEMORY: its size in bytes, or -EREVOKED once revoked; PORT: a cell of
//   PORT_CELL_WORDS words, [P_READY] the binder's direct entry slot + 1 while
//   a packet may be delivered wasm-to-wasm now, else 0 (kernel/ipc/ports.ts
//   directWordsOf), [P_KEY] the binding's key, [P_BUDGET] the fuel budget of
//   a direct activation, [P_QUEUE] 1 while a sender's wasm port_send may queue
//   a packet in the cell itself (the binder busy, room left: directWordsOf),
//   [P_QFULL] 1 while one is there, [P_QCODE] its code, [P_QVALUE] its value
//   (i64, two words); the kernel takes it into the port's queue before it
//   reads or appends to it (kernel/ipc/ports.ts drainQueued), and before the
//   cell goes back to the store.
//
// The words live wherever the host puts them (useMirrorWords, as the epoch
// cell: the host backs them with a WebAssembly.Memory, the kernel knows only
// an Int32Array). One store per host, shared by every kernel in it. Word 0..3
// are a header whose SLOW is set: the header of "no mirror". A mirror's words
// go back to the store when its process exits (HandleTable.closeAll); a
// kernel dropped with processes still running leaves theirs allocated (a few
// hundred bytes each), and nothing else alive.

import { Errno, ObjectType } from "../../abi/gen/abi.ts";
import type { KernelObject } from "../object.ts";
import { bumpEpoch, copyEpochTo } from "./epoch.ts";

export const HEADER_WORDS = 4;
export const H_PROMISES = 0;
export const H_SLOTS = 1;
export const H_CAP = 2;
export const H_SLOW = 3;

export const SLOT_WORDS = 4;
export const S_HANDLE = 0;
export const S_RIGHTS = 1;
export const S_TYPE = 2;
export const S_STATE = 3;

/** Bit 31 of a slot's HANDLE word: the handle there is no longer live. */
export const VACANT = 0x80000000 | 0;
/** A PROCESS object's state word: it has exited. */
export const STATE_EXITED = 1;

/** A PORT's state cell (see the layout above). */
export const PORT_CELL_WORDS = 9;
export const P_READY = 0;
export const P_KEY = 1;
export const P_BUDGET = 2;
export const P_QUEUE = 3;
export const P_QFULL = 4;
export const P_QCODE = 5;
export const P_QVALUE = 6;
/** Packets in the port's queue in the kernel (a packet in the cell goes behind them): the port loop takes the cell's only when 0. */
export const P_QKERN = 8;

/** First slot array size; doubled as the table grows. */
const FIRST_CAP = 16;

let words: Int32Array = new Int32Array(1 << 12);
let growWords: ((minWords: number) => Int32Array) | null = null;
/** Next never-used word. Words 0..3: the "no mirror" header. */
let top = HEADER_WORDS;
words[H_SLOW] = 1;
/** Free blocks by size class (a power of two words). */
const freeBlocks = new Map<number, number[]>();
/**
 * The store's cell epoch (words 4-5, the first after the "no mirror" header; 64 bits, low word first: bumpWord): bumped whenever a port's cell goes
 * back to the store, so a port loop allowed to take packets from a cell (kernel/ipc/ports.ts takeCellPacket)
 * stops before the words can serve another object.
 */
const CELL_EPOCH = HEADER_WORDS;
/**
 * A copy of the capability epoch (kernel/fast/epoch.ts; words 6-7, low word first, 8-aligned):
 * a module that imports the store as its first memory reads it with one i64.load (host/runtime/fast-ports.ts
 * port_send's cached check).
 */
const CAP_EPOCH = HEADER_WORDS + 2;
/**
 * Host-wide counts the wasm port paths keep (words 8-10, one each): packets the port loops took from their cells
 * themselves (host/runtime/port-loop.ts), packets the senders' wasm port_send delivered wasm-to-wasm and queued in
 * cells (host/runtime/fast-ports.ts). Tests and the bench read them. In the store, which both modules import as
 * memory 0, an increment is a load and a store at a constant address; as imported mutable globals they cost
 * ≈1 ns of a ≈20 ns direct round trip (portsend4).
 */
const COUNTS = HEADER_WORDS + 4;
export const TAKEN_COUNT_ADDRESS = COUNTS * 4;
export const DELIVERED_COUNT_ADDRESS = (COUNTS + 1) * 4;
export const QUEUED_COUNT_ADDRESS = (COUNTS + 2) * 4;
top = HEADER_WORDS + 8;
copyEpochTo((e) => {
  words[CAP_EPOCH] = e; // the low 32 bits (ToInt32)
  words[CAP_EPOCH + 1] = e / 0x1_0000_0000; // the high word
});
/** The byte address of the store's copy of the capability epoch. */
export const CAP_EPOCH_ADDRESS = CAP_EPOCH * 4;
/** The byte address of the store's cell epoch word. */
export const CELL_EPOCH_ADDRESS = CELL_EPOCH * 4;

/**
 * Keep the mirror in `view` from now on (what was written so far carried
 * over); `grow(minWords)` must return a view of at least that many words
 * holding what the current one holds (a grown wasm memory's new buffer).
 */
export function useMirrorWords(view: Int32Array, grow: (minWords: number) => Int32Array): void {
  if (view === words) return;
  if (view.length < top) view = grow(top);
  view.set(words.subarray(0, top));
  words = view;
  growWords = grow;
}

/** The current words (tests and the host read them; only this module writes them). */
export function mirrorWords(): Int32Array {
  return words;
}

function sizeClass(n: number): number {
  let c = 1;
  while (c < n) c <<= 1;
  return c;
}

function alloc(n: number): number {
  const c = sizeClass(n);
  const list = freeBlocks.get(c);
  if (list !== undefined && list.length > 0) return list.pop()!;
  const at = top;
  if (at + c > words.length) {
    const want = Math.max(at + c, words.length * 2);
    if (growWords !== null) words = growWords(want);
    else {
      const w = new Int32Array(want);
      w.set(words);
      words = w;
    }
  }
  top = at + c;
  return at;
}

function release(at: number, n: number): void {
  words.fill(0, at, at + n);
  const c = sizeClass(n);
  let list = freeBlocks.get(c);
  if (list === undefined) freeBlocks.set(c, (list = []));
  list.push(at);
}

// ---- object state words -------------------------------------------------------------

interface StateCell {
  at: number;
  refs: number;
}
// Weak: a kernel dropped with processes still running (tests, benchmarks) must not be kept alive by the
// objects its mirrors named; only its words stay allocated in the store.
const cells = new WeakMap<KernelObject, StateCell>();
let liveCells = 0;

/** Write o's state word (or a port's cell) at word `at` (see the layout above); types without one are not mirrored. */
function writeState(o: KernelObject, at: number): void {
  if (o.type === ObjectType.PROCESS) words[at] = (o as unknown as { exit: unknown }).exit !== null ? STATE_EXITED : 0;
  else if (o.type === ObjectType.PORT) {
    const pt = o as unknown as PortCellOwner;
    words[at + P_KEY] = pt.key;
    words[at + P_BUDGET] = pt.fastBudget;
    words[at + P_QUEUE] = pt.fastQueue;
    words[at + P_QKERN] = pt.packets.length;
    words[at + P_READY] = pt.fastReady;
  } else {
    const m = o as unknown as { revoked: boolean; size: number };
    words[at] = m.revoked ? -Errno.EREVOKED : m.size;
  }
}

function hasState(o: KernelObject): boolean {
  return o.type === ObjectType.PROCESS || o.type === ObjectType.MEMORY || o.type === ObjectType.PORT;
}

function cellWords(o: KernelObject): number {
  return o.type === ObjectType.PORT ? PORT_CELL_WORDS : 1;
}

/** What the mirror reads and keeps on a PORT (kernel/objects/port.ts). */
interface PortCellOwner {
  fastReady: number;
  key: number;
  fastBudget: number;
  fastQueue: number;
  /** Word index of its cell while it has one, else -1 (kept here). */
  cellAt: number;
  packets: readonly unknown[];
  direct: boolean;
}

/**
 * The port's queue in the kernel changed length: its cell's P_QKERN word, if it has a cell and is bound
 * PORT_BIND_DIRECT (only such a port's cell holds packets a loop may take; port_bind writes it afresh).
 */
export function portQueueLength(o: KernelObject): void {
  const pt = o as unknown as PortCellOwner;
  if (pt.direct && pt.cellAt >= 0) words[pt.cellAt + P_QKERN] = pt.packets.length;
}

/**
 * A counter of a kernel's own in the store (the run-on's version, KernelCore.runOnChanged): 64 bits, low word
 * first, at the returned word index. Never given back (one per kernel, a few per test process).
 */
export function kernelWord(): number {
  const at = alloc(2);
  words[at] = 0;
  words[at + 1] = 0;
  return at;
}

/** What a bump adds to a counter's low word: 1, or 0 under setCounterHighOnlyForTest (the high word moves). */
let lowStep = 1;

/**
 * Add one to the 64-bit counter at word `at` (kernelWord's, or the cell epoch): the low word, carried into the
 * high one. 64 bits so that a port loop's permission (host/runtime/port-loop.ts), which compares the values it
 * saw, never sees one come back after a wrap (kernel/fast/epoch.ts says why for the capability epoch).
 */
export function bumpWord(at: number): void {
  const w = words;
  const lo = (w[at] + lowStep) | 0;
  w[at] = lo;
  if (lo === 0 || lowStep === 0) w[at + 1] = (w[at + 1] + 1) | 0;
}

/**
 * Test only: with `on`, every bump of a counter (the run-on's versions, the cell epoch) moves only its high
 * word, as if 2^32 bumps had passed: a check comparing 32 bits would see no change (test/ports/handoff.test.ts).
 */
export function setCounterHighOnlyForTest(on: boolean): void {
  lowStep = on ? 0 : 1;
}

/** The word at `at`. */
export function wordAt(at: number): number {
  return words[at];
}

/**
 * The port whose cell is at each word index (the sender's wasm port_send names a cell by its address). Weak,
 * as `cells`: the words of a dropped kernel's mirrors stay allocated, its objects must not.
 */
const portCells = new Map<number, WeakRef<KernelObject>>();

/** The port whose cell is at byte address `address` (a sender's wasm port_send's), or null. */
export function portAtCell(address: number): KernelObject | null {
  return portCells.get(address >> 2)?.deref() ?? null;
}

/** Takes a packet still in a port's cell into the port's queue (kernel/ipc/ports.ts drainQueued); set by that module. */
let drainPort: ((o: KernelObject) => void) | null = null;
export function onPortCellDropped(drain: (o: KernelObject) => void): void {
  drainPort = drain;
}

function cellRef(o: KernelObject): number {
  let c = cells.get(o);
  if (c === undefined) {
    c = { at: alloc(cellWords(o)), refs: 0 };
    if (o.type === ObjectType.PORT) {
      (o as unknown as PortCellOwner).cellAt = c.at;
      portCells.set(c.at, new WeakRef(o));
    }
    writeState(o, c.at);
    cells.set(o, c);
    liveCells++;
  }
  c.refs++;
  return c.at;
}

function cellUnref(o: KernelObject): void {
  const c = cells.get(o);
  if (c === undefined) return;
  if (--c.refs === 0) {
    if (o.type === ObjectType.PORT) {
      // A packet a sender queued in the cell is the port's: into its queue before the words go.
      if (words[c.at + P_QFULL] !== 0 && drainPort !== null) drainPort(o);
      (o as unknown as PortCellOwner).cellAt = -1;
      portCells.delete(c.at);
    }
    cells.delete(o);
    liveCells--;
    release(c.at, cellWords(o));
    if (o.type === ObjectType.PORT) bumpWord(CELL_EPOCH);
  }
}

// ---- a packet queued in a port's cell ----------------------------------------------------

let view: DataView | null = null;

/** Whether a sender's wasm port_send left a packet in the port cell at word `at`. */
export function portQueuedFull(at: number): boolean {
  return words[at + P_QFULL] !== 0;
}

/** The code of the packet in the cell at `at`. */
export function portQueuedCode(at: number): number {
  return words[at + P_QCODE];
}

/** The value of the packet in the cell at `at` (an i64 the wasm side stored, little-endian). */
export function portQueuedValue(at: number): bigint {
  if (view === null || view.buffer !== words.buffer) view = new DataView(words.buffer, words.byteOffset, words.byteLength);
  return view.getBigInt64((at + P_QVALUE) * 4, true);
}

/** The value of the packet in the cell at `at` as its low and high 32-bit words (no BigInt). */
export function portQueuedLow(at: number): number {
  return words[at + P_QVALUE];
}
export function portQueuedHigh(at: number): number {
  return words[at + P_QVALUE + 1];
}

/** The cell at `at` holds no packet now. */
export function clearPortQueued(at: number): void {
  words[at + P_QFULL] = 0;
}

/** A port's cell words changed (kernel/ipc/ports.ts directWordsOf): rewrite them, if it has a cell (its cellAt, no lookup). */
export function portChanged(o: KernelObject): void {
  const at = (o as unknown as PortCellOwner).cellAt;
  if (at >= 0) writeState(o, at);
}

/**
 * o's state changed (a process exited, a memory object was revoked, a port's
 * direct delivery became possible or impossible): rewrite its state word, if
 * a mirrored slot names it. One Map lookup when none does.
 */
export function objectChanged(o: KernelObject): void {
  if (liveCells === 0) return;
  const c = cells.get(o);
  if (c !== undefined) writeState(o, c.at);
}

// ---- per process ----------------------------------------------------------------------

/** One process's header and slot array (owned by its HandleTable). */
export class HandleMirror {
  /** Word index of the header; its byte address (x4) is what the fast-path module is given. */
  readonly header: number;
  private slots: number;
  private cap: number;
  /** The object each mirrored live slot names (to drop its state word's reference). */
  private readonly named: (KernelObject | null)[] = [];

  constructor(promises: number) {
    this.header = alloc(HEADER_WORDS);
    this.cap = FIRST_CAP;
    this.slots = alloc(FIRST_CAP * SLOT_WORDS);
    const h = this.header;
    words[h + H_PROMISES] = promises;
    words[h + H_SLOTS] = this.slots * 4;
    words[h + H_CAP] = this.cap;
    words[h + H_SLOW] = 0;
  }

  /** The byte address of the header. */
  get address(): number {
    return this.header * 4;
  }

  setPromises(promises: number): void {
    words[this.header + H_PROMISES] = promises;
    bumpEpoch(); // a check cached with the epoch (host/runtime/fast-ports.ts port_send) read the old mask
  }

  /** From now on every call goes to the kernel (a grant of the process was revoked while it ran). */
  goSlow(): void {
    words[this.header + H_SLOW] = 1;
    bumpEpoch(); // a check cached with the epoch (host/runtime/fast-ports.ts port_send) read the word as 0
  }

  private ensure(slot: number): void {
    if (slot < this.cap) return;
    let cap = this.cap;
    while (cap <= slot) cap <<= 1;
    const at = alloc(cap * SLOT_WORDS); // may grow (and so replace) `words`
    words.copyWithin(at, this.slots, this.slots + this.cap * SLOT_WORDS);
    words.fill(0, at + this.cap * SLOT_WORDS, at + cap * SLOT_WORDS);
    release(this.slots, this.cap * SLOT_WORDS);
    this.slots = at;
    this.cap = cap;
    words[this.header + H_SLOTS] = at * 4;
    words[this.header + H_CAP] = cap;
  }

  /** Slot now holds live handle h naming o with rights. */
  live(slot: number, h: number, o: KernelObject, rights: number): void {
    this.ensure(slot);
    const at = this.slots + slot * SLOT_WORDS;
    const state = hasState(o) ? cellRef(o) * 4 : 0;
    words[at + S_RIGHTS] = rights;
    words[at + S_TYPE] = o.type;
    words[at + S_STATE] = state;
    words[at + S_HANDLE] = h;
    while (this.named.length <= slot) this.named.push(null);
    this.named[slot] = state !== 0 ? o : null;
  }

  /** Slot's handle h left the table (its last issued handle stays, marked VACANT, for EBADH vs ESTALE). */
  vacant(slot: number, h: number): void {
    this.ensure(slot); // startMirror writes vacant slots too, in slot order
    const at = this.slots + slot * SLOT_WORDS;
    words[at + S_HANDLE] = h | VACANT;
    words[at + S_RIGHTS] = 0;
    words[at + S_TYPE] = 0;
    words[at + S_STATE] = 0;
    const o = this.named[slot];
    if (o != null) {
      this.named[slot] = null;
      cellUnref(o);
    }
  }

  /** The table is gone (its process exited): the words go back to the store. */
  free(): void {
    for (let s = 0; s < this.named.length; s++) {
      const o = this.named[s];
      if (o !== null) cellUnref(o);
    }
    this.named.length = 0;
    release(this.slots, this.cap * SLOT_WORDS);
    release(this.header, HEADER_WORDS);
    words[this.header + H_SLOW] = 1; // until reused: a stale dispatcher (its process never runs again) could only ask the kernel
  }
}
