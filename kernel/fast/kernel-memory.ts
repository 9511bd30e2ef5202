// The kernel memory: the scheduler's words, in records a future kernel-owned wasm module (the vDSO of
// docs/fastpath.md, "The kernel's switch state in linear memory") reads and writes with plain loads and
// stores. Unlike the handle mirror (kernel/fast/mirror.ts), these words are not a copy: they ARE the state.
// The TypeScript fields that hold it (VirtualClock.t, CpuScheduler's deferred billing, fuel mark and beyond
// and running, Process.cpuTimeNs, SchedState's quantum left, ready-since, fuel held and latency misses) are
// accessors over them, so there is one copy and, once the vDSO exists, two writers that never run at once
// (the vDSO only inside its process's call, the kernel only between).
//
// Records. The memory is an array of RECORD_BYTES-byte slots; slot 0 is never used (0 means "none" in a
// word that names a record, as `running` does). A record is a kernel's (one per KernelCore: its clock, its
// billing, its open slice) or a process's (one per process, from admission to exit). Its byte address is
// slot × RECORD_BYTES. Every word's place is in LAYOUT below, the one table both sides take it from (the
// constants the accessors use are checked against it, test/sched/kernel-memory.test.ts, and so is the
// table in docs/fastpath.md). Times, CPU time and fuel are f64: the kernel's numbers are doubles, exact to
// 2^53, and wasm does the same arithmetic on f64 exactly; counts and record numbers are i32.
//
// Views. A record object (WordRecord: the kernel's KernelWords, a process's SchedState) holds a
// Float64Array and an Int32Array over its own slot, so an access is one field load and an element load with
// a constant index. When the memory grows (a slot past its end) or the host hands over its own buffer
// (useKernelMemory), every live record's views are remade over the new buffer: records are reached through
// weak references, so the store never keeps a kernel or a process alive.
//
// Lifetime. release() ends a record: its words are copied into a buffer of the record's own (whoever still
// holds the object, e.g. a parent reading a dead child's CPU time, reads its last values there and never
// the slot), the slot's words are cleared to 0 and the slot goes on the free list, to be reused by the next
// record. A record dropped without release (a kernel dropped with processes still alive) gets its slot back
// once it is collected (FinalizationRegistry); nothing reads the slot in between, since nothing holds the
// record.
//
// The memory lives wherever the host puts it (useKernelMemory, as the mirror's words: the host backs it
// with a WebAssembly.Memory; the kernel sees an ArrayBuffer and typed arrays, never WebAssembly). One store
// per host, shared by every kernel in it. Until the host provides one, a plain ArrayBuffer holds it.

/** Bytes of one record (a slot). */
export const RECORD_BYTES = 128;
/** Words of a record, as f64 and as i32. */
export const RECORD_F64 = RECORD_BYTES / 8;
export const RECORD_I32 = RECORD_BYTES / 4;

// ---- the layout (indices into a record's f64 or i32 view; LAYOUT gives the byte offsets) ------------------

/** Every record: [W_KIND] what it is (KIND_*), 0 when the slot is free. */
export const W_KIND = 30;
/** Every record: [W_OWNER] a process's pid (0 for a kernel). */
export const W_OWNER = 31;
export const KIND_KERNEL = 1;
export const KIND_PROCESS = 2;

/** The kernel's record: the virtual clock's time (ns; VirtualClock.t). */
export const K_TIME = 0;
/** Deferred billing (CpuScheduler.billNs / billAt / billEnd): ns billed to the system partition and not yet added, the time of the first, the end of their bucket (-1: none). */
export const K_BILL_NS = 1;
export const K_BILL_AT = 2;
export const K_BILL_END = 3;
/** The open slice's fuel mark (the counter at the last sync) and the fuel beyond it (a kept counter; CpuScheduler.fuelMark / fuelBeyond). */
export const K_FUEL_MARK = 4;
export const K_FUEL_BEYOND = 5;
/**
 * The slot of the record of the process whose slice is open (CpuScheduler.running); 0: none. An f64 like the
 * other words the switch touches, so that the switch's JavaScript reads and writes one typed array of the
 * kernel's record, not two (each typed array an optimized function touches pays its own checks).
 */
export const K_RUNNING = 6;

/** A process's record: its CPU time (ns; Process.cpuTimeNs). */
export const P_CPU = 0;
/** When it last became ready (ns; SchedState.readySince). */
export const P_READY_SINCE = 1;
/** Fuel left of its round-robin quantum (SchedState.quantumLeft). */
export const P_QUANTUM = 2;
/** What its fuel counter holds while off the CPU, if the kernel knows, else -1 (SchedState.fuelHeld). */
export const P_FUEL_HELD = 3;
/** i32: dispatches later than its tier's deadline (SchedState.latencyMisses). */
export const P_LATENCY_MISSES = 8;
/** i32: its index in its kernel's member table (what turns `running` back into the process in TypeScript). */
export const P_MEMBER = 9;

export type WordType = "f64" | "i32";
export interface WordField {
  readonly record: "any" | "kernel" | "process";
  /** The exported constant (an index into the record's view of `type`). */
  readonly constant: string;
  readonly type: WordType;
  /** Byte offset in the record. */
  readonly at: number;
  /** The TypeScript state it is. */
  readonly holds: string;
}

/**
 * The declared layout: what a wasm module reading the kernel memory is generated from, and what the
 * constants above must agree with (test/sched/kernel-memory.test.ts). Byte offsets within a record.
 */
export const LAYOUT: readonly WordField[] = [
  { record: "any", constant: "W_KIND", type: "i32", at: 120, holds: "KIND_KERNEL, KIND_PROCESS; 0: a free slot" },
  { record: "any", constant: "W_OWNER", type: "i32", at: 124, holds: "a process's pid; 0 for a kernel" },
  { record: "kernel", constant: "K_TIME", type: "f64", at: 0, holds: "VirtualClock.t" },
  { record: "kernel", constant: "K_BILL_NS", type: "f64", at: 8, holds: "CpuScheduler.billNs" },
  { record: "kernel", constant: "K_BILL_AT", type: "f64", at: 16, holds: "CpuScheduler.billAt" },
  { record: "kernel", constant: "K_BILL_END", type: "f64", at: 24, holds: "CpuScheduler.billEnd" },
  { record: "kernel", constant: "K_FUEL_MARK", type: "f64", at: 32, holds: "CpuScheduler.fuelMark" },
  { record: "kernel", constant: "K_FUEL_BEYOND", type: "f64", at: 40, holds: "CpuScheduler.fuelBeyond" },
  { record: "kernel", constant: "K_RUNNING", type: "f64", at: 48, holds: "CpuScheduler.running (its record's slot; 0: none)" },
  { record: "process", constant: "P_CPU", type: "f64", at: 0, holds: "Process.cpuTimeNs" },
  { record: "process", constant: "P_READY_SINCE", type: "f64", at: 8, holds: "SchedState.readySince" },
  { record: "process", constant: "P_QUANTUM", type: "f64", at: 16, holds: "SchedState.quantumLeft" },
  { record: "process", constant: "P_FUEL_HELD", type: "f64", at: 24, holds: "SchedState.fuelHeld" },
  { record: "process", constant: "P_LATENCY_MISSES", type: "i32", at: 32, holds: "SchedState.latencyMisses" },
  { record: "process", constant: "P_MEMBER", type: "i32", at: 36, holds: "its index in CpuScheduler's member table" },
];

// ---- the store ---------------------------------------------------------------------------------------------

/** Slots the first buffer holds (the default store's; doubled as it grows). */
const FIRST_SLOTS = 64;

let buffer: ArrayBuffer = new ArrayBuffer(FIRST_SLOTS * RECORD_BYTES);
/** The host's grow (a grown wasm memory's new buffer, holding what the old one held), or null: copy. */
let growBuffer: ((minBytes: number) => ArrayBuffer) | null = null;
/** The whole memory as i32 (tests and the host read it; the records write their own slots). */
let all = new Int32Array(buffer);
/** Next never-used slot. Slot 0: never used. */
let top = 1;
/** Released slots, reused last-in first-out. */
const free: number[] = [];
/** The live record in each slot (weakly: the store keeps nothing alive), for remaking views. */
const records: (WeakRef<WordRecord> | undefined)[] = [undefined];
/** A record collected without release gives its slot back. */
const collected = new FinalizationRegistry<number>((slot) => vacate(slot));

function vacate(slot: number): void {
  all.fill(0, slot * RECORD_I32, (slot + 1) * RECORD_I32);
  records[slot] = undefined;
  free.push(slot);
}

/** Remake every live record's views over the current buffer. */
function remakeViews(): void {
  all = new Int32Array(buffer);
  for (let s = 1; s < top; s++) {
    const r = records[s]?.deref();
    if (r !== undefined && r.slot === s) {
      r.f = new Float64Array(buffer, s * RECORD_BYTES, RECORD_F64);
      r.w = new Int32Array(buffer, s * RECORD_BYTES, RECORD_I32);
    }
  }
}

function allocSlot(): number {
  if (free.length > 0) return free.pop()!;
  const slot = top;
  const need = (slot + 1) * RECORD_BYTES;
  if (need > buffer.byteLength) {
    const want = Math.max(need, buffer.byteLength * 2);
    if (growBuffer !== null) buffer = growBuffer(want);
    else {
      const b = new ArrayBuffer(want);
      new Uint8Array(b).set(new Uint8Array(buffer));
      buffer = b;
    }
    top = slot + 1;
    remakeViews();
  } else top = slot + 1;
  return slot;
}

/**
 * Keep the kernel memory in `view` from now on (what it holds so far is copied over, every record's views
 * remade); `grow(minBytes)` must return a buffer of at least that many bytes holding what the current one
 * holds (a grown wasm memory's new buffer). Nothing else may grow or write the memory's records.
 */
export function useKernelMemory(view: ArrayBuffer, grow: (minBytes: number) => ArrayBuffer): void {
  if (view === buffer) return;
  if (view.byteLength < top * RECORD_BYTES) view = grow(top * RECORD_BYTES);
  new Uint8Array(view).set(new Uint8Array(buffer, 0, top * RECORD_BYTES));
  buffer = view;
  growBuffer = grow;
  remakeViews();
}

/** The whole memory as i32 words (tests and the host read it). */
export function kernelMemoryWords(): Int32Array {
  return all;
}

/** The buffer the records live in now. */
export function kernelMemoryBuffer(): ArrayBuffer {
  return buffer;
}

/** Slots ever used (the memory's high-water mark) and slots free for reuse. */
export function kernelMemoryUsage(): { slots: number; free: number } {
  return { slots: top - 1, free: free.length };
}

/**
 * A record in the kernel memory: its slot's words as f64 (`f`) and i32 (`w`). Subclasses put accessors
 * over them. Views are remade when the memory moves, so code must not keep `f` or `w` across anything that
 * can make a record (a spawn, a kernel).
 */
export class WordRecord {
  /** The record's words as f64 (after release: a copy of its own). */
  f: Float64Array;
  /** The record's words as i32 (the same bytes). */
  w: Int32Array;
  /** Its slot (byte address / RECORD_BYTES); -1 once released (never a slot, nor 0, "none", in a word naming a record). */
  slot: number;

  constructor(kind: number, owner: number) {
    const s = allocSlot();
    this.slot = s;
    this.f = new Float64Array(buffer, s * RECORD_BYTES, RECORD_F64);
    this.w = new Int32Array(buffer, s * RECORD_BYTES, RECORD_I32);
    this.w[W_KIND] = kind;
    this.w[W_OWNER] = owner;
    records[s] = new WeakRef(this);
    collected.register(this, s, this);
  }

  /** The record's byte address in the kernel memory (0 once released). */
  get address(): number {
    return this.slot > 0 ? this.slot * RECORD_BYTES : 0;
  }

  /**
   * End the record: its words move into a buffer of its own (readers of the object see its last values,
   * never the slot), the slot's words are cleared and the slot is free for the next record. Idempotent.
   */
  release(): void {
    const s = this.slot;
    if (s < 0) return;
    const own = new ArrayBuffer(RECORD_BYTES);
    new Uint8Array(own).set(new Uint8Array(buffer, s * RECORD_BYTES, RECORD_BYTES));
    this.f = new Float64Array(own);
    this.w = new Int32Array(own);
    this.slot = -1;
    collected.unregister(this);
    vacate(s);
  }
}

/** A kernel's record: its clock's time, its deferred billing, its open slice. */
export class KernelWords extends WordRecord {
  constructor() {
    super(KIND_KERNEL, 0);
    this.f[K_BILL_END] = -1;
  }
}
