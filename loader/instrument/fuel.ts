// Fuel metering: the load-time rewrite that lets a single-threaded kernel
// take the CPU back from a guest that never blocks (DESIGN.md item 4). The
// measurements behind the choices here are in loader/instrument/README.md.
//
// What the pass adds to a module:
//  - a mutable i32 global, the fuel counter, appended after the guest's
//    globals and exported as FUEL_GLOBAL_EXPORT so the host can set and read
//    it. The guest cannot name it: its index did not exist when the module
//    was validated, and export names starting "__wasmos" are refused.
//  - a function import FUEL_IMPORT [] -> [], prepended as function 0 (every
//    other function index moves up by one; the writer renumbers them). The
//    host binds it to a WebAssembly.Suspending function: the guest calls it
//    when its fuel is gone, and the kernel ends the slice or refills it.
//  - in each metered function with a loop that makes no call (one that can
//    return), one i32 local holding the function's working copy of the
//    counter (that loop's charge is then register arithmetic), and a charge
//    at the function's entry and at every loop header:
//        fuel -= W; if (fuel < 0) { global = fuel; call FUEL_IMPORT; fuel = global }
//    A loop without parameters is wrapped so that the call sits outside it
//    (see meterFunction): a loop holding any call, even a cold one, is not
//    unrolled by V8, which cost 1.4x on a tight loop.
//  - in every other metered function (no loop, or every loop makes a call),
//    the same charges on the global itself (GlobalEmit): no local, so
//    nothing to store and reload around its calls. V8 keeps no value in a
//    register across a call, so in a loop that calls, a local counter lives
//    in a stack slot and costs what the global does.
//  - no entry charge in a folded function (loop-free, reached only by
//    direct calls, on no cycle: Analysis.foldAll): its weight is charged
//    at each call site, in the caller's region, as a bounded callee's is.
//  - in a small metered function, the calls inside its loops to small
//    bounded functions that make no call that returns (typed-array
//    accessors) replaced by the callee's body (inlineBody; both variants):
//    V8 would have inlined them into the uninstrumented function, but its
//    inlining budget is fixed for small callers and the charges use it up
//    (INLINE_MAX_BYTES has the measurements). The charges stay what they
//    were: a bounded callee's weight is charged at the call site either
//    way, so the same path burns the same fuel inlined or not.
//
// Instructions whose work grows with an operand (memory.fill/copy/init,
// table.fill/copy/init/grow, memory.grow, the GC array bulk forms) are also
// charged by that operand, just before they run (LENGTH_COSTS, Emit.sizedCharge;
// two scratch globals, i32 and i64, hold the operand meanwhile). The cost
// model and its measurements are in README.md.
//
// Bounded functions are left alone. A function is bounded when it has no
// loop and no sized instruction, and calls only bounded functions (directly, not in a cycle), except
// for calls that cannot return to it (a call followed by `unreachable`, as
// AssemblyScript's abort is): it runs a bounded number of instructions, its
// weight (its instructions plus its callees' weights at each call site, at
// most MAX_BOUNDED_WEIGHT). Typed-array accessors and other small helpers
// are bounded; calling them costs nothing extra, and their weight is charged
// to the caller's region at the call site.
//
// In a metered function with a local, the local is the truth, the global everywhere else:
// the local is stored to the global before every call that may reach the
// counter (anything but a bounded function) and before every way out
// (return, tail calls, a branch to the function's label, the final end),
// and reloaded after every such call that can return (the kernel may have
// refilled or zeroed the counter meanwhile, or the call suspended the
// process). Exceptions are refused by the verifier, so there are no other
// edges. A call that cannot return is not followed by a reload: what the
// local held is lost with the frame.
//
// Weighting: W is the weight of the region the charge point guards. A
// function body and each loop body is a region; an instruction belongs to the
// innermost loop around it, or to the function if none. A region weighs its
// instructions, plus, for each call to a bounded or folded function in it,
// that function's weight, and for each call_indirect, the largest weight of a
// bounded function of that signature that a table may hold. Each instruction
// of a region runs at most once per pass through its charge point (the only
// backward jumps are to loop headers, which charge again), so the fuel a
// slice burns bounds the instructions it ran from above (up to the prefix of
// a region cut short by a trap or exit), and it depends only on the path
// taken: the same run burns the same fuel. Inserted instructions are not
// counted, nor is time in syscalls (the kernel charges a fixed cost per
// context switch instead).
//
// The kernel sets the counter to at most MAX_SLICE_FUEL (2^30 - 1); a charge
// subtracts at most MAX_CHARGE (a heavier region is charged MAX_CHARGE), so
// the counter stays above -2^31 and never wraps.
//
// The epoch variant (planFuel's `preemption: "epoch"`, real-time mode) keeps
// the charge points but counts nothing: each is a load of a flag (the i32 at
// address 0 of a shared page the host's ticker raises) and the same call
// when it is set, with no local, no sync around calls, no sized charges and
// no loop wrapping, and entry checks only where epochEntryChecks says a
// cycle or a heavy call tree needs one. The module's own memories become
// imports so the flag's page is appended without moving any memory index.
// README.md "Two variants" has the measurements and the latency bound.

import { Cursor } from "../../wasm/cursor.ts";
import { decodeExpression, functionBody, forEachInstruction, visitFilter, type Instruction } from "../../wasm/decode.ts";
import { Imm, OpFlag } from "../../wasm/opcodes.ts";
import { funcType, formatSignature, type ByteRange, type FunctionBody, type WasmModule } from "../../wasm/reader.ts";
import { startsValType } from "../../wasm/types.ts";
import { ByteSink, PatchBuffer, type ModuleEdits, type NewGlobal, type PatchRun } from "../../wasm/writer.ts";
import { MAX_SLICE_FUEL } from "../../kernel/sched/params.ts";
import { ENGINE_LIMITS } from "../../wasm/limits.ts";

/** The function import the guest calls when its fuel is gone. Reserved: the verifier refuses it in guest modules. */
export const FUEL_IMPORT = { module: "wasmos", name: "__wasmos_out_of_fuel" } as const;
/**
 * The epoch variant's flag memory (see planFuel's `epoch` option): one
 * shared page the host owns, imported after every other memory. The guest
 * checks the i32 at address 0 at every charge point.
 */
export const EPOCH_MEMORY_IMPORT = { module: "wasmos", name: "__wasmos_epoch" } as const;
/** The epoch variant imports the module's own memories under these names (the i-th defined one: `${prefix}${i}`), made by the host. */
export const OWN_MEMORY_IMPORT_PREFIX = "__wasmos_memory";
/** How an image is preempted: counting fuel (deterministic), checking an epoch flag (real-time), or not at all. */
export type Preemption = "fuel" | "epoch" | "none";
/** Export name of the fuel counter global (i32). */
export const FUEL_GLOBAL_EXPORT = "__wasmos_fuel";
/** Largest value the kernel puts in the counter. */
export { MAX_SLICE_FUEL };
/** Largest single charge. */
export const MAX_CHARGE = 0x3fffffff;
/** A function heavier than this is metered even if it is bounded (keeps each charge small). */
export const MAX_BOUNDED_WEIGHT = 4096;

/** A place the pass charges fuel: where the check goes and what it charges. */
export interface ChargePoint {
  /** Input-module offset the check is inserted before. */
  at: number;
  weight: number;
  kind: "entry" | "loop";
}

export interface FuelPlan {
  /** Edits for editModule (merge with other load-time edits). */
  edits: Pick<
    ModuleEdits,
    | "prependFuncImport"
    | "addGlobals"
    | "addLocals"
    | "codePatches"
    | "addExports"
    | "funcIndexSites"
    | "importDefinedMemories"
    | "appendMemoryImports"
  >;
  /** memory.grow of the module's own memory in each function (for addGrowLimit, which then need not decode). */
  growSites: Map<number, { at: number; end: number }[]>;
  /** The buffer holding the code patches: its release() once the edits are written lets the next plan reuse its storage. */
  patches: PatchBuffer;
  /** Index of the counter global in the output module (-1 in the epoch variant: it has none). */
  globalIndex: number;
  /** Which variant this plan makes. */
  preemption: "fuel" | "epoch";
  /** Defined functions metered (with charge points of their own), left alone as bounded, and folded into their callers' charges (the counting variant). */
  metered: number;
  bounded: number;
  folded: number;
  /** Call sites replaced by the body of a small bounded callee (the counting variant: INLINE_MAX_BYTES). */
  inlined: number;
  chargePoints: number;
  /** Largest single charge. */
  maxWeight: number;
  /**
   * Items the plan visited (instructions decoded, call sites followed, branch
   * labels renumbered, element items): tests hold it to a multiple of the
   * module's size, so no pass can turn quadratic unnoticed.
   */
  work: number;
}

const OP_UNREACHABLE = 0x00;
const OP_LOOP = 0x03;
const OP_BR = 0x0c;
const OP_BR_IF = 0x0d;
const OP_BR_TABLE = 0x0e;
const OP_CALL = 0x10;
const OP_RETURN_CALL = 0x12;
const OP_REF_FUNC = 0xd2;
const OP_MEMORY_GROW = 0x40;
const OP_LOCAL_GET = 0x20;
const OP_LOCAL_SET = 0x21;
const OP_LOCAL_TEE = 0x22;
const OP_RETURN = 0x0f;
const { BLOCK, END, CALL, RETURN, BRANCH } = OpFlag;
const { LABEL: IMM_LABEL, BR_TABLE: IMM_BR_TABLE, TRY_TABLE: IMM_TRY_TABLE, BR_ON_CAST: IMM_BR_ON_CAST } = Imm;

/** Call site flags (CallSites.flags): a tail call; followed by `unreachable` (control never comes back after it). */
const CALL_TAIL = 1;
const CALL_DYING = 2;

/**
 * Every call site the scan found, of every body, in scan order (a body's
 * are FunctionFacts.firstCall on, FunctionFacts.calls of them), in typed
 * arrays: an object per site was 99,416 of them on the 10 MB module, kept
 * to the end of the plan.
 */
class CallSites {
  /** Direct target (function index), or -1 for call_indirect / call_ref. */
  target = new Int32Array(1024);
  /** The type index of an indirect call's signature, else -1. */
  type = new Int32Array(1024);
  /** The region it is in (an index in its function's FunctionFacts.regions). */
  region = new Int32Array(1024);
  /** CALL_TAIL, CALL_DYING. */
  flags = new Uint8Array(1024);
  count = 0;
  add(target: number, type: number, region: number, flags: number): void {
    const k = this.count;
    if (k === this.target.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.target = grow(this.target);
      this.type = grow(this.type);
      this.region = grow(this.region);
      this.flags = grow(this.flags);
    }
    this.target[k] = target;
    this.type[k] = type;
    this.region[k] = region;
    this.flags[k] = flags;
    this.count = k + 1;
  }
}

interface FunctionFacts {
  instructions: number;
  hasLoop: boolean;
  /** Holds an instruction whose work grows with an operand (charged by it: see LENGTH_COSTS). */
  hasSized: boolean;
  /** Branches with a labelled instruction other than br, br_if and br_table (its loops are then not wrapped). */
  otherLabels: boolean;
  /** Its call sites: Analysis.sites from firstCall on, this many (a call's index in its function: its number among them). */
  firstCall: number;
  calls: number;
  /** Its regions, in body order (entry, then each loop header): instructions counted (call sites name their region). */
  regions: Region[];
  /** Offsets of the instructions with a function index (call, return_call, ref.func): the writer renumbers them without decoding. */
  funcSites: number[];
  /** memory.grow of the module's own memory, for loader/grow-limit.ts. */
  grows: { at: number; end: number }[];
  /** The scan saw the body's final end. */
  complete: boolean;
  /**
   * The instructions the metering pass acts on, in body order, three int32
   * each (EV_RECORD): offset, end, and the EV_* kind in the low bits of the
   * third with a value above them (EV_SHIFT): blocks (1 for a loop), ends,
   * calls, returns, branches (the label, -1 for br_table, EV_LABEL_IN_CODE
   * for a label too large to keep: read from the code), sized instructions
   * (1 for an i64 count, plus the shift + 16 times 2). Depths are not kept:
   * the pass counts the blocks it replays. It replays them instead of
   * decoding the body again. A view of the scan's one log (EventLog), set
   * when the body's scan completes.
   */
  events: Int32Array;
}

const EV_BLOCK = 1;
const EV_END = 2;
const EV_CALL = 3;
const EV_RETURN = 4;
const EV_BRANCH = 5;
const EV_SIZED = 6;
/** int32s per event, the kind's bits in its third word, and the branch label that means "read it from the code". */
const EV_RECORD = 3;
const EV_SHIFT = 3;
const EV_KIND = (1 << EV_SHIFT) - 1;
const EV_LABEL_IN_CODE = -2;
/** Labels at least this large are read from the code (label << EV_SHIFT must fit an int32). */
const EV_LABEL_MAX = 1 << (31 - EV_SHIFT - 1);

/** A region found by the scan; its weight is known once bounded callees are. */
interface Region {
  at: number;
  kind: "entry" | "loop";
  instructions: number;
  /** Index (in FunctionFacts.regions) of the region around it (-1 for the entry region). */
  parent: number;
}

/**
 * Instructions whose work grows with an operand, and what they are charged:
 * the count on top of the stack when they run (bytes, elements or pages),
 * times 2^shift units (a negative shift divides). Measured costs are in
 * README.md ("Instructions that cost by their operand").
 */
export const LENGTH_COSTS: ReadonlyMap<number, { what: string; shift: number }> = new Map([
  [0xfc0008, { what: "byte", shift: -2 }], // memory.init
  [0xfc000a, { what: "byte", shift: -2 }], // memory.copy
  [0xfc000b, { what: "byte", shift: -2 }], // memory.fill
  [0x40, { what: "page", shift: 10 }], // memory.grow
  [0xfc000c, { what: "element", shift: 6 }], // table.init
  [0xfc000e, { what: "element", shift: 6 }], // table.copy
  [0xfc0011, { what: "element", shift: 6 }], // table.fill
  [0xfc000f, { what: "element", shift: 8 }], // table.grow
  [0xfb0006, { what: "element", shift: 2 }], // array.new
  [0xfb0007, { what: "element", shift: 2 }], // array.new_default
  [0xfb0009, { what: "element", shift: 2 }], // array.new_data
  [0xfb000a, { what: "element", shift: 2 }], // array.new_elem
  [0xfb0010, { what: "element", shift: 2 }], // array.fill
  [0xfb0011, { what: "element", shift: 2 }], // array.copy
  [0xfb0012, { what: "element", shift: 2 }], // array.init_data
  [0xfb0013, { what: "element", shift: 2 }], // array.init_elem
]);

/**
 * The instructions the scan (Analysis.visitorFor) acts on beyond counting
 * them: blocks, ends, calls, returns, branches and other labelled
 * instructions, ref.func, and the sized ones (memory.grow; the rest are
 * prefixed, which every filter visits). A call's `unreachable` after it is
 * read from the bytes.
 */
const SCAN_FILTER = visitFilter(
  (op) =>
    (op.flags & (BLOCK | END | CALL | RETURN | BRANCH)) !== 0 ||
    op.imm === IMM_LABEL ||
    op.imm === IMM_BR_TABLE ||
    op.imm === IMM_TRY_TABLE ||
    op.imm === IMM_BR_ON_CAST ||
    op.code === OP_REF_FUNC ||
    op.code === OP_MEMORY_GROW ||
    LENGTH_COSTS.has(op.code),
);

/**
 * The scan's events of every body, EV_RECORD int32 a record, in one growable
 * buffer (a list per body made the collector's work a third of a load; five
 * words a record were 14 MB for the 10 MB module, three are 8.5).
 */
/**
 * A chunk of the body scan done on another thread (Analysis.pack), in
 * arrays it can transfer: per body PACK_HEAD int32 (instructions; hasLoop,
 * hasSized, otherLabels as bits 0-2; calls; then how many regions, function
 * index sites, grows and event int32 it has in the arrays after), regions as
 * (at, 1 for a loop, instructions, parent), grows as (at, end), the bodies'
 * events and call sites back to back, and the functions ref.func named, in
 * the order first seen.
 */
export interface PackedScan {
  head: Int32Array;
  regions: Int32Array;
  funcSites: Int32Array;
  grows: Int32Array;
  events: Int32Array;
  siteTarget: Int32Array;
  siteType: Int32Array;
  siteRegion: Int32Array;
  siteFlags: Uint8Array;
  escapes: Int32Array;
}
const PACK_HEAD = 8;

class EventLog {
  private buf = takeLogBuffer();
  length = 0;
  /**
   * Hands the buffer back for the next plan's log (a fresh buffer costs a
   * page fault per 4 KiB at its first write: 4-60 ms for a 14 MB log on the
   * shared 2-core machine, against 2-10 ms for a buffer written before). The
   * views given out are dead from here on.
   */
  release(): void {
    const buf = this.buf;
    this.buf = new Int32Array(0);
    this.length = 0;
    if (buf.length <= SPARE_LOG_MAX && (spareLog === null || spareLog.length < buf.length)) spareLog = buf;
  }
  /** Appends an event: its kind and a small value (|value| < EV_LABEL_MAX). */
  push(kind: number, offset: number, end: number, value: number): void {
    let buf = this.buf;
    const n = this.length;
    if (n + EV_RECORD > buf.length) {
      const grown = new Int32Array(Math.max(buf.length * 2, 1 << 12));
      grown.set(buf);
      this.buf = buf = grown;
    }
    buf[n] = offset;
    buf[n + 1] = end;
    buf[n + 2] = (value << EV_SHIFT) | kind;
    this.length = n + EV_RECORD;
  }
  /** A copy of every record (a chunk scanned on another thread hands its log over: loader/parallel-scan.ts). */
  copy(): Int32Array {
    return this.buf.slice(0, this.length);
  }
  /** The records from `start` on (a view: later growth copies the buffer, this view keeps the old one). */
  view(start: number): Int32Array {
    return this.buf.subarray(start, this.length);
  }
}
const NO_EVENTS = new Int32Array(0);

/** The largest log buffer kept for reuse between plans (int32s: 32 MiB; a larger module's plan allocates its own). */
const SPARE_LOG_MAX = 8 << 20;
/** A released log's buffer, free for the next plan's (one plan at a time takes it). */
let spareLog: Int32Array | null = null;
function takeLogBuffer(): Int32Array {
  const buf = spareLog ?? new Int32Array(1 << 12);
  spareLog = null;
  return buf;
}

const UNSEEN = 0;
const VISITING = 1;
const DONE = 2;
/** walkDirectCalls: a call site whose target is not a defined function (an import, or an indirect call). */
const OUTSIDE = 3;

/** Everything the plan needs to know about the module's functions. */
class Analysis {
  readonly m: WasmModule;
  /** Facts of each defined function, by index - importedFuncs. */
  readonly facts: FunctionFacts[] = [];
  /** Weight of each bounded function; metered ones are absent. */
  readonly bounded = new Map<number, number>();
  /**
   * Weight of each folded function (metered, but charged at its callers'
   * call sites instead of at its own entry: see foldAll); the rest are absent.
   */
  readonly folded = new Map<number, number>();
  /**
   * The same two as flat arrays by function index (the plan asks per call
   * site, ≈100,000 times on a 10 MB module: a Map lookup each was ≈3 ms):
   * callWeight[f] the weight of a bounded or folded function, else 0;
   * isBounded[f] 1 for a bounded one. Written with the Maps (setBounded,
   * setFolded); an index past them (a call of a function that does not
   * exist, in a module the engine gate refuses later) reads as neither.
   */
  private callWeight = new Float64Array(0);
  private isBounded = new Uint8Array(0);
  /** Per signature: the largest weight of a bounded function a table or ref.func may reach. */
  readonly indirectWeight = new Map<string, number>();
  /** Canonical signature key of each type index (computed once per type). */
  private readonly sigKeys: string[] = [];
  /** Functions a table or a funcref may hold. */
  private readonly escapes = new Set<number>();
  /** Items visited (FuelPlan.work). */
  work = 0;
  /** FuelOptions.redirectFuncs of the plan being made (inlined bodies name the functions the writer would). */
  redirect: ReadonlyMap<number, number> | null = null;
  /** Every body's call sites. */
  readonly sites = new CallSites();
  /** Every body's scan events (FunctionFacts.events are views of it). */
  private readonly log = new EventLog();

  private finished = false;
  /** Whether release() ran: the event log is gone, so planFuel cannot use this analysis again. */
  released = false;

  /** Gives the event log's buffer back for the next plan (planFuel calls it when done: the facts' events are dead after it). */
  release(): void {
    this.released = true;
    this.log.release();
    for (const f of this.facts) if (f !== undefined) f.events = NO_EVENTS;
  }

  /** With `deferScan`, bodies are scanned by visitors from visitorFor (riding on another walk) until finish(). */
  constructor(m: WasmModule, deferScan = false) {
    this.m = m;
    if (!deferScan) this.finish();
  }

  private setBounded(func: number, weight: number): void {
    this.bounded.set(func, weight);
    this.callWeight[func] = weight;
    this.isBounded[func] = 1;
  }

  private setFolded(func: number, weight: number): void {
    this.folded.set(func, weight);
    this.callWeight[func] = weight;
  }

  /**
   * What the scan found in bodies [first, end) (indices in m.code, each
   * scanned completely by this analysis and no other body: a chunk of the
   * body walk done on another thread), in arrays that thread can hand over.
   */
  pack(first: number, end: number): PackedScan {
    const head = new Int32Array((end - first) * PACK_HEAD);
    let regions = 0;
    let funcSites = 0;
    let grows = 0;
    for (let i = first; i < end; i++) {
      const f = this.facts[i];
      regions += f.regions.length;
      funcSites += f.funcSites.length;
      grows += f.grows.length;
    }
    const out: PackedScan = {
      head,
      regions: new Int32Array(regions * 4),
      funcSites: new Int32Array(funcSites),
      grows: new Int32Array(grows * 2),
      events: this.log.copy(),
      siteTarget: this.sites.target.slice(0, this.sites.count),
      siteType: this.sites.type.slice(0, this.sites.count),
      siteRegion: this.sites.region.slice(0, this.sites.count),
      siteFlags: this.sites.flags.slice(0, this.sites.count),
      escapes: Int32Array.from(this.escapes),
    };
    let r = 0;
    let s = 0;
    let g = 0;
    for (let i = first; i < end; i++) {
      const f = this.facts[i];
      if (f === undefined || !f.complete) throw new Error(`FuelScan.pack: body ${i} was not scanned`);
      const h = (i - first) * PACK_HEAD;
      head[h] = f.instructions;
      head[h + 1] = (f.hasLoop ? 1 : 0) | (f.hasSized ? 2 : 0) | (f.otherLabels ? 4 : 0);
      head[h + 2] = f.calls;
      head[h + 3] = f.regions.length;
      head[h + 4] = f.funcSites.length;
      head[h + 5] = f.grows.length;
      head[h + 6] = f.events.length;
      for (const region of f.regions) {
        out.regions[r] = region.at;
        out.regions[r + 1] = region.kind === "loop" ? 1 : 0;
        out.regions[r + 2] = region.instructions;
        out.regions[r + 3] = region.parent;
        r += 4;
      }
      out.funcSites.set(f.funcSites, s);
      s += f.funcSites.length;
      for (const grow of f.grows) {
        out.grows[g] = grow.at;
        out.grows[g + 1] = grow.end;
        g += 2;
      }
    }
    return out;
  }

  /**
   * Takes the facts another thread's scan packed for bodies [first, end) as
   * if this analysis had scanned them here: chunks are adopted in body order
   * between the bodies scanned here, so the call sites, the escapes and
   * every fact come out exactly as one walk would leave them.
   */
  adopt(first: number, end: number, p: PackedScan): void {
    const sites = this.sites;
    let r = 0;
    let s = 0;
    let g = 0;
    let e = 0;
    let k = 0;
    for (let i = first; i < end; i++) {
      const h = (i - first) * PACK_HEAD;
      const flags = p.head[h + 1];
      const calls = p.head[h + 2];
      const nRegions = p.head[h + 3];
      const nSites = p.head[h + 4];
      const nGrows = p.head[h + 5];
      const nEvents = p.head[h + 6];
      const regions: Region[] = [];
      for (let j = 0; j < nRegions; j++, r += 4) {
        regions.push({
          at: p.regions[r],
          kind: p.regions[r + 1] === 1 ? "loop" : "entry",
          instructions: p.regions[r + 2],
          parent: p.regions[r + 3],
        });
      }
      const funcSites: number[] = [];
      for (let j = 0; j < nSites; j++) funcSites.push(p.funcSites[s + j]);
      s += nSites;
      const grows: { at: number; end: number }[] = [];
      for (let j = 0; j < nGrows; j++, g += 2) grows.push({ at: p.grows[g], end: p.grows[g + 1] });
      const firstCall = sites.count;
      for (let j = 0; j < calls; j++, k++) sites.add(p.siteTarget[k], p.siteType[k], p.siteRegion[k], p.siteFlags[k]);
      this.facts[i] = {
        instructions: p.head[h],
        hasLoop: (flags & 1) !== 0,
        hasSized: (flags & 2) !== 0,
        otherLabels: (flags & 4) !== 0,
        firstCall,
        calls,
        regions,
        funcSites,
        grows,
        complete: true,
        events: p.events.subarray(e, e + nEvents),
      };
      e += nEvents;
    }
    for (let j = 0; j < p.escapes.length; j++) this.escapes.add(p.escapes[j]);
  }

  /** Scans what no other walk scanned, then decides bounded functions and indirect weights. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const m = this.m;
    this.callWeight = new Float64Array(m.importedFuncs + m.code.length);
    this.isBounded = new Uint8Array(m.importedFuncs + m.code.length);
    for (let i = 0; i < m.code.length; i++) {
      const f = this.facts[i];
      if (f === undefined || !f.complete) {
        const body = m.code[i];
        this.work += forEachInstruction(m, body, this.visitorFor(body), SCAN_FILTER);
      } else this.work += f.instructions;
    }
    this.classifyAll();
    this.findEscapes();
    for (const f of this.escapes) {
      const w = this.bounded.get(f);
      if (w === undefined) continue;
      const sig = this.signatureOf(f);
      this.indirectWeight.set(sig, Math.max(this.indirectWeight.get(sig) ?? 0, w));
    }
    this.foldAll();
  }

  /** Whether each memory and table (index space order) has 64-bit addresses. */
  private memory64: boolean[] | null = null;
  private table64: boolean[] | null = null;

  /** Whether a sized instruction's count operand is an i64 (64-bit memories and tables; copies only when both sides are). */
  countIsI64(ins: Instruction): boolean {
    const m = this.m;
    if (this.memory64 === null) {
      this.memory64 = [];
      this.table64 = [];
      for (const imp of m.imports) {
        if (imp.kind === "memory") this.memory64.push(imp.memory.index64);
        else if (imp.kind === "table") this.table64.push(imp.table.limits.index64);
      }
      for (const l of m.memories) this.memory64.push(l.index64);
      for (const t of m.tables) this.table64!.push(t.limits.index64);
    }
    const mem = this.memory64;
    const tab = this.table64!;
    switch (ins.opcode) {
      case 0x40: // memory.grow
      case 0xfc000b: // memory.fill
        return mem[ins.memory] === true;
      case 0xfc000a: // memory.copy
        return mem[ins.memory] === true && mem[ins.memory2] === true;
      case 0xfc000f: // table.grow
      case 0xfc0011: // table.fill
        return tab[ins.index] === true;
      case 0xfc000e: // table.copy
        return tab[ins.index] === true && tab[ins.index2] === true;
      default:
        return false; // memory.init, table.init and the array instructions count in i32
    }
  }

  factsOf(func: number): FunctionFacts {
    return this.facts[func - this.m.importedFuncs];
  }

  private typeKey(typeIndex: number): string {
    let key = this.sigKeys[typeIndex];
    if (key === undefined) {
      const t = this.m.types[typeIndex];
      key = t?.kind === "func" ? formatSignature(t.params, t.results) : "?";
      this.sigKeys[typeIndex] = key;
    }
    return key;
  }

  private signatureOf(func: number): string {
    const m = this.m;
    const type = func < m.importedFuncs ? m.importedFuncTypes[func] : m.functions[func - m.importedFuncs];
    return type === undefined ? "?" : this.typeKey(type);
  }

  /** The visitor that scans one body (its facts are recorded as it goes; complete once the body's final end is seen). */
  visitorFor(body: FunctionBody): (ins: Instruction) => void {
    const m = this.m;
    const ownMemory = m.importedMemories;
    const regions: Region[] = [{ at: body.bodyStart, kind: "entry", instructions: 0, parent: -1 }];
    const sites = this.sites;
    const facts: FunctionFacts = {
      instructions: 0,
      hasLoop: false,
      hasSized: false,
      otherLabels: false,
      firstCall: sites.count,
      calls: 0,
      regions,
      funcSites: [],
      grows: [],
      complete: false,
      events: NO_EVENTS,
    };
    const ev = this.log;
    const evStart = ev.length;
    this.facts[body.index - m.importedFuncs] = facts;
    // The region each open loop (and the function) charges, innermost last; whether each open block is a loop.
    const open: Region[] = [regions[0]];
    const openIndex: number[] = [0];
    const isLoop: boolean[] = [];
    let region = regions[0];
    const bytes = m.bytes;
    // Instructions counted so far: the walk may visit only those SCAN_FILTER selects (the others only count, in the region current when they ran).
    let counted = 0;
    return (ins) => {
      const seen = ins.count - counted;
      counted = ins.count;
      facts.instructions += seen;
      region.instructions += seen;
      const opcode = ins.opcode;
      const flags = ins.op.flags;
      const imm = ins.op.imm;
      if (
        (imm === IMM_LABEL || imm === IMM_BR_TABLE || imm === IMM_TRY_TABLE || imm === IMM_BR_ON_CAST) &&
        opcode !== OP_BR &&
        opcode !== OP_BR_IF &&
        opcode !== OP_BR_TABLE
      ) {
        facts.otherLabels = true;
      }
      if (flags & (BLOCK | END)) {
        if (flags & BLOCK) {
          const loop = opcode === OP_LOOP;
          ev.push(EV_BLOCK, ins.offset, ins.end, loop ? 1 : 0);
          isLoop.push(loop);
          if (loop) {
            facts.hasLoop = true;
            region = { at: ins.end, kind: "loop", instructions: 0, parent: openIndex[openIndex.length - 1] };
            openIndex.push(regions.length);
            regions.push(region);
            open.push(region);
          }
        } else if ((ev.push(EV_END, ins.offset, ins.end, 0), ins.depth === 0)) {
          facts.events = ev.view(evStart);
          facts.complete = true;
        } else if (isLoop.pop()) {
          open.pop();
          openIndex.pop();
          region = open[open.length - 1];
        }
        return;
      }
      if (flags & CALL) {
        const direct = opcode === OP_CALL || opcode === OP_RETURN_CALL;
        if (direct) facts.funcSites.push(ins.offset);
        // Followed by `unreachable` (the next instruction starts at its end; the body's final end comes later): it cannot return.
        const callFlags = ((flags & RETURN) !== 0 ? CALL_TAIL : 0) | (bytes[ins.end] === OP_UNREACHABLE ? CALL_DYING : 0);
        sites.add(direct ? ins.index : -1, direct ? -1 : ins.index, openIndex[openIndex.length - 1], callFlags);
        facts.calls++;
        ev.push(EV_CALL, ins.offset, ins.end, 0);
        return;
      }
      if (flags & RETURN) ev.push(EV_RETURN, ins.offset, ins.end, 0);
      else if (flags & BRANCH) {
        const label = opcode === OP_BR_TABLE ? -1 : ins.index < EV_LABEL_MAX ? ins.index : EV_LABEL_IN_CODE;
        ev.push(EV_BRANCH, ins.offset, ins.end, label);
      }
      if (opcode === OP_REF_FUNC) {
        this.escapes.add(ins.index);
        facts.funcSites.push(ins.offset);
      } else if (opcode === OP_MEMORY_GROW || opcode > 0xffff) {
        const sized = LENGTH_COSTS.get(opcode);
        if (sized !== undefined) {
          facts.hasSized = true;
          ev.push(EV_SIZED, ins.offset, ins.end, (this.countIsI64(ins) ? 1 : 0) | ((sized.shift + 16) << 1));
        }
        if (opcode === OP_MEMORY_GROW && ins.memory === ownMemory) facts.grows.push({ at: ins.offset, end: ins.end });
      }
    };
  }

  /**
   * Decides which functions are bounded: no loop, no sized instruction, and
   * every call to a bounded function not on a cycle (or one that cannot
   * return). A depth-first walk over the direct calls with an explicit stack:
   * the module controls the call chain's length, so no recursion here.
   */
  private classifyAll(): void {
    const n = this.m.code.length;
    const weight = new Float64Array(n);
    const ok = new Uint8Array(n);
    this.walkDirectCalls({
      open: (f) => {
        const facts = this.facts[f];
        weight[f] = facts.instructions;
        ok[f] = facts.hasLoop || facts.hasSized || facts.instructions > MAX_BOUNDED_WEIGHT ? 0 : 1;
      },
      more: (f) => ok[f] === 1, // once unbounded, its other call sites do not matter
      site: (f, k, state) => {
        // DONE: the callee's bound if it has one; VISITING: recursion; OUTSIDE: an import or an indirect call.
        const target = this.sites.target[k];
        if (state === DONE && this.isBounded[target] === 1) {
          const w = this.callWeight[target];
          weight[f] += w;
          if (weight[f] > MAX_BOUNDED_WEIGHT) ok[f] = 0;
        } else if (this.sites.flags[k] !== CALL_DYING) {
          ok[f] = 0; // a call that can return, or a tail call
        }
      },
      close: (f) => {
        if (ok[f]) this.setBounded(f + this.m.importedFuncs, weight[f]);
      },
    });
  }

  /**
   * Decides which metered functions are folded: their entry charge goes
   * away and every direct call to them adds their weight to the caller's
   * region instead, as a bounded callee's does. A folded function has no
   * loop and no sized instruction (so no charge point of its own is left),
   * is reached only by direct calls (not exported, not the start function,
   * in no table and named by no ref.func: the host and indirect calls enter
   * functions that charge themselves), is not the target of a back edge of
   * the depth-first walk over direct calls (every cycle of direct calls
   * keeps one charged function; a cycle through an indirect call passes an
   * escaping function, which is charged), and weighs at most
   * MAX_BOUNDED_WEIGHT: its instructions plus, at each call site, the
   * callee's bounded or folded weight (or the indirect weight of its
   * signature). Each call site of a region runs at most once per pass
   * through the region's charge point, so the caller's charge still bounds
   * what runs from above, and it still depends only on the path taken.
   * Its calls to metered code still make the caller store and reload its
   * counter (Analysis.syncs: a folded function is not bounded).
   */
  private foldAll(): void {
    const m = this.m;
    const base = m.importedFuncs;
    const n = m.code.length;
    const entered = new Set<number>(this.escapes);
    for (const e of m.exports) if (e.kind === "func") entered.add(e.index);
    if (m.start !== null) entered.add(m.start);
    const weight = new Float64Array(n);
    const ok = new Uint8Array(n);
    this.walkDirectCalls({
      open: (f) => {
        const facts = this.facts[f];
        const func = f + base;
        weight[f] = facts.instructions;
        ok[f] = this.isBounded[func] === 0 && !facts.hasLoop && !facts.hasSized && !entered.has(func) ? 1 : 0;
      },
      site: (f, k, state) => {
        const target = this.sites.target[k];
        if (state === VISITING)
          ok[target - base] = 0; // a back edge: its target keeps its entry charge and breaks the cycle
        else if (state === DONE || target < 0) weight[f] += this.siteWeight(k); // (an import adds nothing)
      },
      close: (f) => {
        if (ok[f] && weight[f] <= MAX_BOUNDED_WEIGHT) this.setFolded(f + base, weight[f]);
      },
    });
  }

  /**
   * A depth-first walk over the direct calls between defined functions, with
   * an explicit stack (the module controls the call chain's length, so no
   * recursion here), every function once. `open(f)` when f is first reached;
   * `site(f, k, state)` for each of f's call sites (k: its index in
   * Analysis.sites) in order while `more(f)`,
   * once the callee is decided (DONE), on the stack (VISITING: a back edge) or
   * not a defined function (OUTSIDE); `close(f)` when all are seen.
   */
  private walkDirectCalls(v: {
    open(f: number): void;
    more?(f: number): boolean;
    site(f: number, k: number, state: number): void;
    close(f: number): void;
  }): void {
    const base = this.m.importedFuncs;
    const n = this.m.code.length;
    const state = new Uint8Array(n);
    // next[f]: f's next call site to look at (its index in Analysis.sites), up to last[f].
    const next = new Int32Array(n);
    const last = new Int32Array(n);
    for (let f = 0; f < n; f++) {
      const facts = this.facts[f];
      next[f] = facts.firstCall;
      last[f] = facts.firstCall + facts.calls;
    }
    const stack = new Int32Array(n);
    const targets = this.sites.target;
    const more = v.more;
    let work = 0;
    for (let root = 0; root < n; root++) {
      if (state[root] !== UNSEEN) continue;
      state[root] = VISITING;
      v.open(root);
      stack[0] = root;
      let sp = 1;
      while (sp > 0) {
        work++;
        const f = stack[sp - 1];
        const k = next[f];
        if (k < last[f] && (more === undefined || more(f))) {
          const target = targets[k];
          const callee = target - base;
          const inside = target >= base && callee < n;
          if (inside && state[callee] === UNSEEN) {
            // Come back to this call site when the callee is decided.
            state[callee] = VISITING;
            v.open(callee);
            stack[sp++] = callee;
            continue;
          }
          v.site(f, k, inside ? state[callee] : OUTSIDE);
          next[f] = k + 1;
          continue;
        }
        v.close(f);
        state[f] = DONE;
        sp--;
      }
    }
    this.work += work;
  }

  /** Functions a table or a funcref may hold: element segments, and ref.func in code (found by scan) and constant expressions. */
  private findEscapes(): void {
    const m = this.m;
    const out = this.escapes;
    const visit = (ins: Instruction) => {
      this.work++;
      if (ins.opcode === OP_REF_FUNC) out.add(ins.index);
    };
    const scanExpr = (e: ByteRange, section: string) => decodeExpression(m.bytes, e.start, e.end, section, "", false, visit);
    for (const seg of m.elements) {
      this.work += 1 + (seg.funcs?.length ?? 0);
      for (const f of seg.funcs ?? []) out.add(f);
      for (const e of seg.exprs ?? []) scanExpr(e, "element");
    }
    for (const g of m.globals) scanExpr(g.init, "global");
    for (const t of m.tables) if (t.init !== null) scanExpr(t.init, "table");
  }

  /** Fuel a call site adds to the caller's region (bounded callees and indirect calls that may reach one). */
  siteWeight(k: number): number {
    const target = this.sites.target[k];
    if (target >= 0) return target < this.callWeight.length ? this.callWeight[target] : 0;
    return this.indirectWeight.get(this.typeKey(this.sites.type[k])) ?? 0;
  }

  private readonly inlinableMemo = new Map<number, boolean>();

  /**
   * Whether a bounded function may be inlined at its call sites (inlineBody):
   * a body of at most INLINE_MAX_BYTES whose only calls are direct ones that
   * cannot return (AssemblyScript's abort), at most one result, and at most
   * INLINE_MAX_CALLEE_LOCALS parameters and locals, all numeric (a local
   * declaration of a few bytes may declare thousands, each zeroed at the site).
   */
  inlinable(func: number): boolean {
    let ok = this.inlinableMemo.get(func);
    if (ok !== undefined) return ok;
    const m = this.m;
    ok = false;
    const body = func >= m.importedFuncs ? m.code[func - m.importedFuncs] : undefined;
    const type = funcType(m, func);
    if (body !== undefined && type !== undefined && this.bounded.has(func) && body.end - body.bodyStart <= INLINE_MAX_BYTES) {
      ok =
        this.onlyDyingDirectCalls(this.factsOf(func)) &&
        type.results.length <= 1 &&
        body.locals.reduce((n, run) => n + run.count, type.params.length) <= INLINE_MAX_CALLEE_LOCALS &&
        [...type.params, ...type.results].every((t) => VALTYPE_BYTE[t] !== undefined) &&
        body.locals.every((run) => VALTYPE_BYTE[run.type] !== undefined);
    }
    this.inlinableMemo.set(func, ok);
    return ok;
  }

  /** Whether every call a function makes is a direct one that cannot return (not a tail call). */
  private onlyDyingDirectCalls(facts: FunctionFacts): boolean {
    const { target, flags } = this.sites;
    for (let k = facts.firstCall; k < facts.firstCall + facts.calls; k++) if (flags[k] !== CALL_DYING || target[k] < 0) return false;
    return true;
  }

  /** Whether a call must keep the global in sync (it may reach the counter). */
  syncs(k: number): boolean {
    const target = this.sites.target[k];
    return !(target >= 0 && target < this.isBounded.length && this.isBounded[target] === 1);
  }

  /**
   * The epoch variant's entry checks (by defined function, 1: checked). A
   * check-free stretch of execution passes no loop header (each has a check)
   * and enters only unchecked functions, so entry checks need only break
   * every cycle of calls and every long loop-free call tree:
   *  - a function making an indirect call (call_indirect, call_ref, their
   *    tail forms) is checked: every cycle through an indirect call has one;
   *  - a depth-first walk over direct calls checks the target of every back
   *    edge: every cycle of direct calls has one;
   *  - a function whose unchecked weight (its instructions plus, at each
   *    direct call to an unchecked function, that function's unchecked
   *    weight) passes MAX_BOUNDED_WEIGHT is checked (so is a call tree
   *    exponential in the module's size: each level is at most that heavy).
   * A check-free stretch thus runs at most MAX_BOUNDED_WEIGHT instructions
   * per unchecked frame it returns through. Explicit stack, linear.
   */
  epochEntryChecks(): Uint8Array {
    const n = this.m.code.length;
    const base = this.m.importedFuncs;
    const checked = new Uint8Array(n);
    const weight = new Float64Array(n);
    this.walkDirectCalls({
      open: (f) => {
        const facts = this.facts[f];
        weight[f] = facts.instructions;
        for (let k = facts.firstCall; k < facts.firstCall + facts.calls; k++) if (this.sites.target[k] < 0) checked[f] = 1;
      },
      site: (f, k, state) => {
        const callee = this.sites.target[k] - base;
        if (state === VISITING)
          checked[callee] = 1; // a back edge: its target breaks the cycle
        else if (state === DONE && !checked[callee]) weight[f] += weight[callee];
      },
      close: (f) => {
        if (weight[f] > MAX_BOUNDED_WEIGHT) checked[f] = 1;
      },
    });
    return checked;
  }
}

/** The charge points of one metered function, in body order: its entry, then each loop header (from the scan: no decoding). */
function regions(a: Analysis, func: number): ChargePoint[] {
  const facts = a.factsOf(func);
  const rs = facts.regions;
  const points: ChargePoint[] = new Array(rs.length);
  for (let i = 0; i < rs.length; i++) points[i] = { at: rs[i].at, weight: rs[i].instructions, kind: rs[i].kind };
  const region = a.sites.region;
  for (let k = facts.firstCall; k < facts.firstCall + facts.calls; k++) points[region[k]].weight += a.siteWeight(k);
  for (let i = 0; i < points.length; i++) if (points[i].weight > MAX_CHARGE) points[i].weight = MAX_CHARGE;
  return points;
}

/** The charge points the pass would put in a function (none if it is bounded). */
export function chargePoints(m: WasmModule, func: number): ChargePoint[] {
  const a = new Analysis(m);
  return a.bounded.has(func) || a.folded.has(func) ? [] : regions(a, func);
}

/**
 * What meterFunction inserts: the fuel counter's code, or the epoch flag's.
 * Each method writes its code to the sink it is given (the plan's
 * PatchBuffer pool: no byte array per patch).
 */
interface Emitter {
  /** Whether the function's working copy of the counter must be kept in sync with the global (the counting variant with a local). */
  readonly syncs: boolean;
  /** Whether sized instructions are charged (the counting variant). */
  readonly counts: boolean;
  /** Whether loops without parameters are wrapped so the out-of-fuel call sits outside them (meterFunction). */
  readonly wraps: boolean;
  store(b: ByteSink): ByteSink;
  reload(b: ByteSink): ByteSink;
  sizedCharge(b: ByteSink, i64: boolean, shift: number, local: boolean): void;
  charge(b: ByteSink, weight: number, entry: boolean): void;
  directCharge(b: ByteSink, weight: number): void;
  loopCharge(b: ByteSink, weight: number): void;
  /** `blockType`: the loop's one-byte block type (empty or one value type; other loops are not wrapped). */
  loopPrefix(b: ByteSink, blockType: number): void;
  loopSuffix(b: ByteSink, weight: number): void;
}

/**
 * The epoch variant's code: at each charge point, a load of the flag (the
 * i32 at address 0 of the epoch memory) and a call of the fuel import when
 * it is set. No counter, so no local, no arithmetic, no store: nothing to
 * keep in sync around calls and exits, and sized instructions are not
 * charged (time ends an epoch slice, not instructions).
 */
class EpochEmit implements Emitter {
  readonly syncs = false;
  readonly counts = false;
  readonly wraps = false;
  private readonly memory: number;
  constructor(memory: number) {
    this.memory = memory;
  }
  store(b: ByteSink): ByteSink {
    return b;
  }
  reload(b: ByteSink): ByteSink {
    return b;
  }
  sizedCharge(): void {}
  /** i32.const 0; i32.load (memory E) align=4 offset=0: the flag. */
  private flag(b: ByteSink): ByteSink {
    return b.u8(0x41).s32(0).u8(0x28).u8(0x42).u32(this.memory).u32(0);
  }
  charge(b: ByteSink): void {
    this.flag(b).u8(0x04).u8(0x40).u8(0x10).u32(0).u8(0x0b); // if call end
  }
  directCharge(b: ByteSink): void {
    this.charge(b);
  }
  loopCharge(b: ByteSink): void {
    this.flag(b).u8(0x0d).u32(1); // br_if $out
  }
  loopPrefix(b: ByteSink, blockType: number): void {
    b.u8(0x02).u8(blockType).u8(0x03).u8(blockType).u8(0x02).u8(0x40);
  }
  /** After a wrapped loop: br $exit; end $out; call; br $retry; end; end. */
  loopSuffix(b: ByteSink): void {
    b.u8(0x0c).u32(2).u8(0x0b).u8(0x10).u32(0).u8(0x0c).u32(0).u8(0x0b).u8(0x0b);
  }
}

/** Instruction encoders for the inserted code. */
class Emit implements Emitter {
  readonly syncs: boolean = true;
  readonly counts = true;
  readonly wraps: boolean = true;
  private readonly global: number;
  private readonly local: number;
  constructor(global: number, local: number) {
    this.global = global;
    this.local = local;
  }
  /** global = local (before a call or a way out). */
  store(b: ByteSink): ByteSink {
    return b.u8(0x20).u32(this.local).u8(0x24).u32(this.global);
  }
  /** local = global (after a call). */
  reload(b: ByteSink): ByteSink {
    return b.u8(0x23).u32(this.global).u8(0x21).u32(this.local);
  }
  /** local -= weight, leaving the new count on the stack; at function entry the count comes from the global. */
  private subtract(b: ByteSink, weight: number, entry: boolean): ByteSink {
    if (entry)
      b.u8(0x23).u32(this.global); // global.get
    else b.u8(0x20).u32(this.local); // local.get
    return b.u8(0x41).s32(weight).u8(0x6b).u8(0x22).u32(this.local); // i32.const W; i32.sub; local.tee
  }
  /**
   * The charge of a sized instruction, inserted just before it: its count
   * (on top of the stack, i32 or i64) is parked in a scratch global, charged
   * as min(count, cap) << shift units (>> -shift for a negative shift; cap
   * keeps the charge at most MAX_CHARGE), and put back. With `local`, on the
   * function's working copy (store, call, reload when the fuel is gone);
   * else on the global.
   */
  sizedCharge(b: ByteSink, i64: boolean, shift: number, local: boolean): void {
    const scratch = i64 ? this.global + 2 : this.global + 1;
    const cap = shift >= 0 ? Math.floor(MAX_CHARGE / 2 ** shift) : Math.min(MAX_CHARGE * 2 ** -shift, 0xffffffff);
    b.u8(0x24).u32(scratch); // global.set $scratch
    if (local) b.u8(0x20).u32(this.local);
    else b.u8(0x23).u32(this.global);
    // min(count, cap): count cap (count <u cap) select
    b.u8(0x23).u32(scratch);
    if (i64)
      b.u8(0x42).s64(BigInt(cap)).u8(0x23).u32(scratch).u8(0x42).s64(BigInt(cap)).u8(0x54).u8(0x1b).u8(0xa7); // ... i64.lt_u select i32.wrap_i64
    else
      b.u8(0x41)
        .s32(cap | 0)
        .u8(0x23)
        .u32(scratch)
        .u8(0x41)
        .s32(cap | 0)
        .u8(0x49)
        .u8(0x1b); // ... i32.lt_u select
    if (shift > 0)
      b.u8(0x41).s32(shift).u8(0x74); // i32.shl
    else if (shift < 0) b.u8(0x41).s32(-shift).u8(0x76); // i32.shr_u
    b.u8(0x6b); // i32.sub
    if (local) {
      b.u8(0x22).u32(this.local).u8(0x41).s32(0).u8(0x48).u8(0x04).u8(0x40); // local.tee; i32.const 0; i32.lt_s; if
      this.store(b).u8(0x10).u32(0);
      this.reload(b).u8(0x0b);
    } else {
      b.u8(0x24).u32(this.global).u8(0x23).u32(this.global).u8(0x41).s32(0).u8(0x48); // global.set; global.get; < 0
      b.u8(0x04).u8(0x40).u8(0x10).u32(0).u8(0x0b); // if call end
    }
    b.u8(0x23).u32(scratch); // global.get $scratch: the count, back on the stack
  }

  /** The charge with the call in line: if (fuel < 0) { store; call; reload }. */
  charge(b: ByteSink, weight: number, entry: boolean): void {
    this.subtract(b, weight, entry);
    b.u8(0x41).s32(0).u8(0x48); // i32.const 0; i32.lt_s
    b.u8(0x04).u8(0x40); // if
    this.store(b).u8(0x10).u32(0); // call the fuel import
    this.reload(b).u8(0x0b); // end
  }
  /** The charge of a loop-free function, on the global itself (no local, nothing to sync around calls). */
  directCharge(b: ByteSink, weight: number): void {
    b.u8(0x23).u32(this.global).u8(0x41).s32(weight).u8(0x6b).u8(0x24).u32(this.global); // global -= W
    b.u8(0x23).u32(this.global).u8(0x41).s32(0).u8(0x48); // global < 0
    b.u8(0x04).u8(0x40).u8(0x10).u32(0).u8(0x0b); // if call end
  }
  /** A wrapped loop's header charge: br_if to the wrapper block (label 1) when the fuel is gone. */
  loopCharge(b: ByteSink, weight: number): void {
    this.subtract(b, weight, false).u8(0x41).s32(0).u8(0x48).u8(0x0d).u32(1); // i32.const 0; i32.lt_s; br_if 1
  }
  /** Before a wrapped loop: block $exit (bt); loop $retry (bt); block $out. */
  loopPrefix(b: ByteSink, blockType: number): void {
    b.u8(0x02).u8(blockType).u8(0x03).u8(blockType).u8(0x02).u8(0x40);
  }
  /**
   * After a wrapped loop: br $exit; end $out; store; call; reload; give back
   * the header's charge (it is taken again on re-entry); br $retry; end; end.
   */
  loopSuffix(b: ByteSink, weight: number): void {
    b.u8(0x0c).u32(2).u8(0x0b);
    this.store(b).u8(0x10).u32(0);
    this.reload(b);
    b.u8(0x20).u32(this.local).u8(0x41).s32(weight).u8(0x6a).u8(0x21).u32(this.local); // local += W
    b.u8(0x0c).u32(0).u8(0x0b).u8(0x0b);
  }
}

/**
 * The counting variant on the global alone, for a function with loops that
 * all make calls: every charge point (entry and loop headers) charges the
 * global in place, as a loop-free function's entry does; no local, so
 * nothing to store and reload around calls and exits. V8 keeps no value in
 * a register across a call (every register is caller-saved in its wasm
 * calling convention), so in such a loop a local counter lives in a stack
 * slot anyway and is not cheaper than the global; the store and reload
 * around each call are saved. Loops are not wrapped (their calls keep them
 * from being unrolled anyway).
 */
class GlobalEmit extends Emit {
  override readonly syncs = false;
  override readonly wraps = false;
  override charge(b: ByteSink, weight: number): void {
    this.directCharge(b, weight);
  }
}

/** The labels of a br_table at `offset` (targets, then the default). */
function brTableLabels(m: WasmModule, offset: number, end: number): number[] {
  const c = new Cursor(m.bytes, offset + 1, end, "code");
  const n = c.u32();
  const labels: number[] = [];
  for (let i = 0; i <= n; i++) labels.push(c.u32());
  return labels;
}

const NO_INLINED: Map<number, Uint8Array> = new Map();

/**
 * Inlining small bounded callees into the loops of small metered functions.
 * V8 inlines small callees itself, within a budget of wire bytes that is
 * fixed for a small caller and grows by 10% of a large one: min(2S,
 * max(700, 1.1S)) for a caller of S bytes (--trace-wasm-inlining, V8 13.6).
 * The rewrite grows a function by about half, so a caller of 400-640 bytes
 * that fit a 100-byte accessor in the fixed budget no longer does (cpu-work's
 * hot function: 529 bytes, 859 metered; its Uint8Array#__get, 97 bytes,
 * stayed a call in two hot loops: 1.4x). A larger caller keeps its room
 * (10% of more bytes), so only small callers are inlined into: callees of
 * at most INLINE_MAX_BYTES into functions of at most INLINE_CALLER_MAX_BYTES
 * (inlining everywhere, clang's 51,339 sites, cost clang about 5% more CPU:
 * code V8 compiles but rarely runs). Fuel is charged as before: a bounded
 * callee's weight is charged at its call site whether or not it is inlined.
 */
export const INLINE_MAX_BYTES = 160;
export const INLINE_CALLER_MAX_BYTES = 1024;
const INLINE_MAX_CALLEE_LOCALS = 32;
/**
 * Most bytes inlining may add to one function, and to the module beyond its
 * own code's size (so a module made of small loops calling such callees
 * grows at most about twofold); functions stay far from the engine's limit
 * on locals.
 */
const INLINE_MAX_GROWTH = 1024;
const INLINE_MODULE_GROWTH = 1 << 16;
const INLINE_MAX_LOCALS = ENGINE_LIMITS.locals / 2;

/** Block type byte of each value type inlining handles, and the constant that zeroes a local of it. */
const VALTYPE_BYTE: Readonly<Record<string, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };
const ZERO_CONST: Readonly<Record<string, readonly number[]>> = {
  i32: [0x41, 0],
  i64: [0x42, 0],
  f32: [0x43, 0, 0, 0, 0],
  f64: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
};

/** The types of a function's parameters and declared locals, in index order. */
function localTypes(m: WasmModule, func: number): string[] {
  const out: string[] = [...(funcType(m, func)?.params ?? [])];
  for (const run of functionBody(m, func).locals) for (let i = 0; i < run.count; i++) out.push(run.type);
  return out;
}

/**
 * The code that replaces `call $callee` (an inlinable function, see
 * Analysis.inlinable) in a caller whose locals from `base` on are the
 * callee's parameters and locals: the arguments popped into the parameters
 * (last first), the declared locals zeroed (a call starts them at zero), and
 * the body as a block of the callee's result type, its `return`s turned
 * into branches to that block (its final end closes it; every other label
 * keeps its depth), local indices moved by `base`, and function indices by
 * one (the fuel import is prepended).
 */
function inlineBody(a: Analysis, callee: number, base: number): Uint8Array {
  const m = a.m;
  const type = funcType(m, callee)!;
  const types = localTypes(m, callee);
  const body = functionBody(m, callee);
  const out = new ByteSink(2 * (body.end - body.bodyStart) + 16);
  for (let p = type.params.length - 1; p >= 0; p--) out.u8(0x21).u32(base + p); // local.set
  for (let l = type.params.length; l < types.length; l++) {
    for (const b of ZERO_CONST[types[l]]) out.u8(b);
    out.u8(0x21).u32(base + l);
  }
  out.u8(0x02).u8(type.results.length === 0 ? 0x40 : VALTYPE_BYTE[type.results[0]]); // block (result)
  a.work += forEachInstruction(m, callee, (ins) => {
    const op = ins.opcode;
    if (op === OP_LOCAL_GET || op === OP_LOCAL_SET || op === OP_LOCAL_TEE) out.u8(op).u32(base + ins.index);
    else if (op === OP_CALL || op === OP_REF_FUNC) out.u8(op).u32((a.redirect?.get(ins.index) ?? ins.index) + 1);
    else if (op === OP_RETURN) out.u8(OP_BR).u32(ins.depth - 1);
    else out.bytes(m.bytes.subarray(ins.offset, ins.end));
  });
  return out.finish();
}

/** What inlining does in one metered function (planInlining). */
interface Inlining {
  /** Calls (by their number among the function's calls) replaced by the callee's body. */
  sites: Set<number>;
  /** The first local of each inlined callee (its parameters, then its locals). */
  bases: Map<number, number>;
  /** The types of the locals inlining adds, in order from the first base. */
  types: string[];
}

const NO_INLINING: Inlining = { sites: new Set(), bases: new Map(), types: [] };

/**
 * The call sites of a metered function to inline: in a function of at most
 * INLINE_CALLER_MAX_BYTES, direct calls to inlinable functions inside loops,
 * in body order, while the function grows by at most INLINE_MAX_GROWTH
 * bytes and keeps fewer than INLINE_MAX_LOCALS locals.
 * Callees get locals from `firstLocal` on (one set per callee, shared by its
 * sites: a callee makes no call that returns, so no two run at once).
 */
function planInlining(a: Analysis, func: number, firstLocal: number, budget: { bytes: number }): Inlining {
  const facts = a.factsOf(func);
  const m = a.m;
  const own = m.code[func - m.importedFuncs];
  if (!facts.hasLoop || firstLocal >= INLINE_MAX_LOCALS || own.end - own.bodyStart > INLINE_CALLER_MAX_BYTES) return NO_INLINING;
  let inlining: Inlining | null = null;
  let growth = 0;
  let next = firstLocal;
  const { target: targets, flags, region } = a.sites;
  // Loops in body order, each one's calls in body order (a small function: a pass over its calls per loop).
  for (let ri = 0; ri < facts.regions.length; ri++) {
    if (facts.regions[ri].kind !== "loop") continue;
    for (let j = 0; j < facts.calls; j++) {
      const k = facts.firstCall + j;
      if (region[k] !== ri) continue;
      const target = targets[k];
      if ((flags[k] & CALL_TAIL) !== 0 || target < 0 || !a.inlinable(target)) continue;
      const body = m.code[target - m.importedFuncs];
      const types = localTypes(m, target);
      const size = body.end - body.bodyStart + 12 * types.length; // the body, and setting its locals
      if (growth + size > INLINE_MAX_GROWTH || size > budget.bytes) continue;
      inlining ??= { sites: new Set(), bases: new Map(), types: [] };
      if (!inlining.bases.has(target)) {
        if (next + types.length >= INLINE_MAX_LOCALS) continue;
        inlining.bases.set(target, next);
        inlining.types.push(...types);
        next += types.length;
      }
      growth += size;
      budget.bytes -= size;
      inlining.sites.add(j);
    }
  }
  return inlining ?? NO_INLINING;
}

/** The code replacing each inlined call site (by call index), one copy per callee. */
function inlinedCode(a: Analysis, facts: FunctionFacts, inlining: Inlining): Map<number, Uint8Array> {
  if (inlining.sites.size === 0) return NO_INLINED;
  const bodies = new Map<number, Uint8Array>();
  const inlined = new Map<number, Uint8Array>();
  for (const k of inlining.sites) {
    const target = a.sites.target[facts.firstCall + k];
    let code = bodies.get(target);
    if (code === undefined) bodies.set(target, (code = inlineBody(a, target, inlining.bases.get(target)!)));
    inlined.set(k, code);
  }
  return inlined;
}

/**
 * Which regions of a function hold, in themselves or in a loop nested in
 * them, a call that can return and is not inlined (not a tail call, not
 * followed by `unreachable`): V8 keeps no counter in a register across
 * such a call, so across the region's iterations.
 */
function deepRegions(a: Analysis, facts: FunctionFacts, inlined: Set<number>): boolean[] {
  const deep = facts.regions.map(() => false);
  const { flags, region } = a.sites;
  for (let j = 0; j < facts.calls; j++) {
    const k = facts.firstCall + j;
    if (flags[k] === 0 && !inlined.has(j)) deep[region[k]] = true; // can return (not a tail call, not dying), not inlined
  }
  // Regions come in body order, so a nested loop comes after its parent: walk backwards to pass deepness outwards.
  for (let i = facts.regions.length - 1; i >= 0; i--) {
    const parent = facts.regions[i].parent;
    if (deep[i] && parent >= 0) deep[parent] = true;
  }
  return deep;
}

/** Number of parameters and declared locals of a defined function (the index the next local gets). */
function localCount(m: WasmModule, func: number): number {
  const params = funcType(m, func)?.params.length ?? 0;
  return functionBody(m, func).locals.reduce((n, run) => n + run.count, params);
}

/**
 * The patches that meter one function. A loop without parameters is
 * wrapped so that its out-of-fuel path leaves the loop:
 *
 *     block $exit (bt)  loop $retry (bt)  block $out
 *       loop (bt)  fuel -= W; br_if $out (fuel < 0) ... end
 *       br $exit
 *     end  store; call; reload; fuel += W; br $retry  end  end
 *
 * so the loop itself holds no call and the engine can still unroll it (an
 * in-loop call, even a cold one, measured 1.4x on a tight loop; this form
 * measured 1.0x). Branches inside a wrapped loop to labels outside it are
 * renumbered past the three wrappers. Other loops (with parameters, or in a
 * function using other labelled instructions) get the in-line charge.
 */
function meterFunction(
  a: Analysis,
  func: number,
  emit: Emitter,
  points: ChargePoint[],
  ps: PatchBuffer,
  inlined: Map<number, Uint8Array> = NO_INLINED,
): PatchRun {
  const m = a.m;
  const facts = a.factsOf(func);
  const callFlags = a.sites.flags;
  let nextCall = 0; // the number of the next call among the function's (its site: facts.firstCall + nextCall)
  // The epoch variant never wraps: measured on cpu-work, its in-line check cost 1.13-1.15x and the wrapped form 1.30x
  // (the counting variant's wrapped and in-line forms measured the same there; README.md "Two variants").
  const wrapAllowed = emit.wraps && !facts.otherLabels;
  let nextPoint = 0; // points are in body order: the next one not yet reached
  // The patches go to the plan's buffer, in order: each is written to its pool, then recorded (at, end, its bytes).
  const first = ps.count;
  const pool = ps.pool;
  /** Open blocks, innermost last: for a wrapped loop its header weight, else -1. */
  const open: number[] = [];
  /** wrappedBelow[i]: wrapped loops among open[0..i-1] (so a label's crossing count is a difference: no walk per label). */
  const wrappedBelow: number[] = [0];
  /** What is owed just after the last event's instruction (at pendingAt): a loop suffix (pendingWeight) or a reload. */
  let pending = NOTHING_PENDING;
  let pendingWeight = 0;
  let pendingAt = 0;
  const ev = facts.events;
  a.work += ev.length / EV_RECORD;
  if (!emit.syncs && !emit.wraps && inlined.size === 0 && !(emit.counts && facts.hasSized)) {
    // No event asks for anything (no counter to keep in sync, no loop to wrap, no sized instruction to charge, no call
    // inlined): the patches are the charge points alone, in order, as the replay below would make them (every point
    // lies at or before the body's final end, the last event). Most metered functions of a large module: loop-free.
    for (let p = 0; p < points.length; p++) {
      const charge = points[p];
      const from = pool.length;
      emit.charge(pool, charge.weight, charge.kind === "entry");
      ps.add(charge.at, charge.at, from);
    }
    return ps.run(first);
  }
  // Replay the scan's events. Before each, in body order: what the previous
  // instruction owes (at its end), then the charge points up to this
  // instruction (a loop header is the offset of the instruction after `loop`).
  for (let i = 0; i < ev.length; i += EV_RECORD) {
    const offset = ev[i];
    const end = ev[i + 1];
    const kind = ev[i + 2] & EV_KIND;
    const value = ev[i + 2] >> EV_SHIFT;
    if (pending !== NOTHING_PENDING) {
      const from = pool.length;
      if (pending === SUFFIX_PENDING) emit.loopSuffix(pool, pendingWeight);
      else emit.reload(pool);
      ps.add(pendingAt, pendingAt, from);
      pending = NOTHING_PENDING;
    }
    while (nextPoint < points.length && points[nextPoint].at <= offset) {
      const charge = points[nextPoint++];
      const wrapped = charge.kind === "loop" && open[open.length - 1] >= 0;
      const from = pool.length;
      if (wrapped) emit.loopCharge(pool, charge.weight);
      else emit.charge(pool, charge.weight, charge.kind === "entry");
      ps.add(charge.at, charge.at, from);
    }
    switch (kind) {
      case EV_SIZED:
        if (emit.counts) {
          const from = pool.length;
          emit.sizedCharge(pool, (value & 1) === 1, (value >> 1) - 16, emit.syncs);
          ps.add(offset, offset, from);
        }
        break;
      case EV_BLOCK: {
        let wrapped = -1;
        if (value === 1 && wrapAllowed) {
          const bytes = m.bytes;
          const b = bytes[offset + 1];
          if (end === offset + 2 && (b === 0x40 || startsValType(b))) {
            wrapped = points[nextPoint].weight; // this loop's header: the next charge point
            const from = pool.length;
            emit.loopPrefix(pool, b);
            ps.add(offset, offset, from);
          }
        }
        open.push(wrapped);
        wrappedBelow.push(wrappedBelow[wrappedBelow.length - 1] + (wrapped >= 0 ? 1 : 0));
        break;
      }
      case EV_END: {
        if (open.length === 0) {
          // The function's final end (every block opened has been closed).
          if (emit.syncs) store(ps, emit, offset);
          break;
        }
        const weight = open.pop()!;
        wrappedBelow.pop();
        if (weight >= 0) {
          pending = SUFFIX_PENDING;
          pendingWeight = weight;
          pendingAt = end;
        }
        break;
      }
      case EV_CALL: {
        const body = inlined.size === 0 ? undefined : inlined.get(nextCall);
        const k = facts.firstCall + nextCall++;
        if (body !== undefined) {
          ps.addBytes(offset, end, body); // a bounded callee: no sync either way
          break;
        }
        if (!emit.syncs) break;
        if ((callFlags[k] & CALL_TAIL) !== 0)
          store(ps, emit, offset); // leaves the function: even a bounded callee returns past us
        else if (a.syncs(k)) {
          store(ps, emit, offset);
          if ((callFlags[k] & CALL_DYING) === 0) {
            pending = RELOAD_PENDING;
            pendingAt = end;
          }
        }
        break;
      }
      case EV_RETURN:
        if (emit.syncs) store(ps, emit, offset);
        break;
      case EV_BRANCH: {
        // Leaving the function: store first. Crossing wrapped loops: renumber.
        // (The opcode is read from the code only for a renumbering: a read at a far offset of a 10 MB module is a cache miss.)
        const top = open.length;
        const depth = top + 1; // the open blocks and the function (Instruction.depth)
        if (value !== -1) {
          // br and br_if: one label, no list (the same steps as below, without allocating).
          const l = value === EV_LABEL_IN_CODE ? new Cursor(m.bytes, offset + 1, end, "code").u32() : value;
          a.work++;
          if (emit.syncs && l === depth - 1) store(ps, emit, offset);
          const extra = 3 * (wrappedBelow[top] - wrappedBelow[top - Math.min(l, top)]);
          if (extra !== 0) {
            const from = pool.length;
            pool.u8(m.bytes[offset]).u32(l + extra);
            ps.add(offset, end, from);
          }
          break;
        }
        const labels = brTableLabels(m, offset, end);
        a.work += labels.length;
        if (emit.syncs && labels.includes(depth - 1)) store(ps, emit, offset);
        let changed = false;
        const renumbered = labels.map((l) => {
          const extra = 3 * (wrappedBelow[top] - wrappedBelow[top - Math.min(l, top)]);
          if (extra !== 0) changed = true;
          return l + extra;
        });
        if (changed) {
          // Only br, br_if and br_table are renumbered: a function with any other labelled instruction wraps no loop.
          const from = pool.length;
          const opcode = m.bytes[offset];
          pool.u8(opcode);
          if (opcode === OP_BR_TABLE) pool.u32(labels.length - 1);
          for (const l of renumbered) pool.u32(l);
          ps.add(offset, end, from);
        }
        break;
      }
    }
  }
  return ps.run(first);
}

const NOTHING_PENDING = 0;
const SUFFIX_PENDING = 1;
const RELOAD_PENDING = 2;

/** Inserts the store of the working counter before the instruction at `at`. */
function store(ps: PatchBuffer, emit: Emitter, at: number): void {
  const from = ps.pool.length;
  emit.store(ps.pool);
  ps.add(at, at, from);
}

/**
 * A fuel scan that rides on another walk of the bodies (the verifier's, so a
 * load decodes each body once less): `begin(body)` gives the visitor to call
 * on each of its instructions; pass the scan to planFuel, which scans any
 * body the walk did not finish.
 */
export class FuelScan {
  /** @internal */
  readonly analysis: Analysis;
  /** The instructions the scan needs to see (decode.ts visitFilter); it counts the others from Instruction.count. */
  readonly filter: Uint8Array = SCAN_FILTER;
  constructor(m: WasmModule) {
    this.analysis = new Analysis(m, true);
  }
  begin(body: FunctionBody): (ins: Instruction) => void {
    return this.analysis.visitorFor(body);
  }
  /** The facts of bodies [first, end) (m.code indices), which this scan, and no other body, visited: for another thread. */
  pack(first: number, end: number): PackedScan {
    return this.analysis.pack(first, end);
  }
  /** Takes bodies [first, end) as scanned on another thread (in body order with the ones visited here). */
  adopt(first: number, end: number, packed: PackedScan): void {
    this.analysis.adopt(first, end, packed);
  }
}

/** What planFuel makes. */
export interface FuelOptions {
  /**
   * "fuel" (default): the counter, exact and deterministic. "epoch": the
   * flag check of real-time mode (same charge points; the host's ticker sets
   * the flag when the slice's time is up; README.md "Two variants").
   */
  preemption?: "fuel" | "epoch";
  /**
   * Inline small bounded callees into loops (the counting variant; default
   * true; INLINE_MAX_BYTES). The charges are the same either way: only
   * benchmarks and tests turn it off, to compare.
   */
  inline?: boolean;
  /**
   * The writer's ModuleEdits.redirectFuncs for this module (calls of a key call its value): callees inlined
   * here are copied with the same redirection.
   */
  redirectFuncs?: ReadonlyMap<number, number>;
}

/**
 * Plans the fuel rewrite of a verified module (`scan`: a FuelScan of it that
 * rode on another walk). Throws WasmParseError if a body is malformed (a
 * verified module's are not).
 */
export function planFuel(m: WasmModule, scan?: FuelScan, options: FuelOptions = {}): FuelPlan {
  let a: Analysis;
  if (scan !== undefined && scan.analysis.m === m && !scan.analysis.released) {
    a = scan.analysis;
    a.finish();
  } else a = new Analysis(m);
  a.redirect = options.redirectFuncs ?? null;
  const epoch = options.preemption === "epoch";
  // The epoch memory comes after every memory of the module (its own ones become imports: no index moves).
  const epochMemory = m.importedMemories + m.memories.length;
  const globalIndex = epoch ? -1 : m.importedGlobals + m.globals.length;
  const sizedAny = !epoch && a.facts.some((f) => f.hasSized);
  const codePatches = new Map<number, PatchRun>();
  const ps = new PatchBuffer(true);
  const addLocals = new Map<number, readonly string[]>();
  let count = 0;
  let inlinedSites = 0;
  const inlineBudget = { bytes: INLINE_MODULE_GROWTH + m.code.reduce((n, b) => n + (b.end - b.bodyStart), 0) };
  let maxWeight = 0;
  const entryChecks = epoch ? a.epochEntryChecks() : null;
  for (const body of m.code) {
    if (a.bounded.has(body.index)) continue;
    // A folded function is charged at its callers' call sites (Analysis.foldAll); the epoch variant has its own entry checks.
    if (!epoch && a.folded.has(body.index)) continue;
    let points = regions(a, body.index);
    // The epoch variant checks at loop headers, and at the entries that break cycles and long call trees (epochEntryChecks).
    if (entryChecks !== null && entryChecks[body.index - m.importedFuncs] === 0) points = points.filter((pt) => pt.kind !== "entry");
    if (points.length === 0) continue;
    for (const pt of points) if (pt.weight > maxWeight) maxWeight = pt.weight;
    count += points.length;
    // Small bounded callees in loops are inlined first (their locals come right after the function's own).
    const facts = a.factsOf(body.index);
    const own = localCount(m, body.index);
    const inlining = options.inline === false ? NO_INLINING : planInlining(a, body.index, own, inlineBudget);
    const inlined = inlinedCode(a, facts, inlining);
    inlinedSites += inlining.sites.size;
    if (epoch) {
      codePatches.set(body.index, meterFunction(a, body.index, new EpochEmit(epochMemory), points, ps, inlined));
      if (inlining.types.length > 0) addLocals.set(body.index, inlining.types);
    } else {
      // An inlined call is no call: a loop whose only calls were inlined is call-free now.
      const deep = deepRegions(a, facts, inlining.sites);
      let emit: Emit;
      const locals = [...inlining.types];
      if (facts.regions.every((r, i) => r.kind === "entry" || deep[i])) {
        // No loop, or every loop makes a call: charge the global in place (GlobalEmit), no local to keep in sync.
        emit = new GlobalEmit(globalIndex, 0);
      } else {
        // A loop without calls: the counter in a local (a register there), synced with the global around calls and exits.
        emit = new Emit(globalIndex, own + inlining.types.length);
        locals.push("i32");
      }
      codePatches.set(body.index, meterFunction(a, body.index, emit, points, ps, inlined));
      if (locals.length > 0) addLocals.set(body.index, locals);
    }
  }
  const funcIndexSites = new Map<number, readonly number[]>();
  const growSites = new Map<number, { at: number; end: number }[]>();
  for (const body of m.code) {
    const facts = a.factsOf(body.index);
    funcIndexSites.set(body.index, facts.funcSites);
    if (facts.grows.length > 0) growSites.set(body.index, facts.grows);
  }
  a.release(); // every event is replayed: the log's buffer serves the next plan
  const prependFuncImport = { module: FUEL_IMPORT.module, name: FUEL_IMPORT.name, params: [], results: [] };
  const common = {
    patches: ps,
    growSites,
    metered: codePatches.size,
    bounded: a.bounded.size,
    folded: epoch ? 0 : a.folded.size,
    inlined: inlinedSites,
    chargePoints: count,
    maxWeight,
    work: a.work,
  };
  if (epoch) {
    return {
      edits: {
        prependFuncImport,
        addLocals,
        codePatches,
        funcIndexSites,
        importDefinedMemories: { module: EPOCH_MEMORY_IMPORT.module, names: m.memories.map((_, i) => `${OWN_MEMORY_IMPORT_PREFIX}${i}`) },
        appendMemoryImports: [{ ...EPOCH_MEMORY_IMPORT, min: 1, max: 1, shared: true }],
      },
      globalIndex,
      preemption: "epoch",
      ...common,
    };
  }
  const addGlobals: NewGlobal[] = [{ type: "i32", mutable: true, init: 0 }];
  // Scratch globals holding a sized instruction's count while it is charged (i32, and i64 for 64-bit memories and tables).
  if (sizedAny) addGlobals.push({ type: "i32", mutable: true, init: 0 }, { type: "i64", mutable: true, init: 0n });
  return {
    edits: {
      prependFuncImport,
      addGlobals,
      addExports: [{ name: FUEL_GLOBAL_EXPORT, kind: "global", index: globalIndex }],
      addLocals,
      codePatches,
      funcIndexSites,
    },
    globalIndex,
    preemption: "fuel",
    ...common,
  };
}
