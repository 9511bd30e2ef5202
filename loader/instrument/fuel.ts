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
//  - in each metered function with loops, one i32 local holding the
//    function's working copy of the counter (a loop's charge is then
//    register arithmetic), and a charge at the function's entry and at every
//    loop header:
//        fuel -= W; if (fuel < 0) { global = fuel; call FUEL_IMPORT; fuel = global }
//    A loop without parameters is wrapped so that the call sits outside it
//    (see meterFunction): a loop holding any call, even a cold one, is not
//    unrolled by V8, which cost 1.4x on a tight loop.
//  - in each metered function without loops (recursive, or calling metered
//    code or imports), one charge at entry, on the global itself: no local,
//    so nothing to store and reload around its calls.
//
// Bounded functions are left alone. A function is bounded when it has no
// loop and calls only bounded functions (directly, not in a cycle), except
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
// instructions, plus, for each call to a bounded function in it, that
// function's weight, and for each call_indirect, the largest weight of a
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

import { Cursor } from "../../wasm/cursor.ts";
import { functionBody, forEachInstruction } from "../../wasm/decode.ts";
import { Imm, OpFlag } from "../../wasm/opcodes.ts";
import { funcType, formatSignature, type WasmModule } from "../../wasm/reader.ts";
import { startsValType } from "../../wasm/types.ts";
import { ByteSink, type CodePatch, type ModuleEdits } from "../../wasm/writer.ts";
import { MAX_SLICE_FUEL } from "../../kernel/sched/params.ts";

/** The function import the guest calls when its fuel is gone. Reserved: the verifier refuses it in guest modules. */
export const FUEL_IMPORT = { module: "wasmos", name: "__wasmos_out_of_fuel" } as const;
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
  edits: Pick<ModuleEdits, "prependFuncImport" | "addGlobals" | "addLocals" | "codePatches" | "addExports">;
  /** Index of the counter global in the output module. */
  globalIndex: number;
  /** Defined functions metered, and left alone as bounded. */
  metered: number;
  bounded: number;
  chargePoints: number;
  /** Largest single charge. */
  maxWeight: number;
}

const OP_UNREACHABLE = 0x00;
const OP_LOOP = 0x03;
const OP_BR = 0x0c;
const OP_BR_IF = 0x0d;
const OP_BR_TABLE = 0x0e;
const OP_CALL = 0x10;
const OP_RETURN_CALL = 0x12;
const { BLOCK, END, CALL, RETURN, BRANCH } = OpFlag;

/** What one call instruction calls. */
interface CallSite {
  offset: number;
  end: number;
  /** Direct target (function index), or -1 for call_indirect / call_ref. */
  target: number;
  /** Signature of an indirect call ("(i32) -> i32"), else "". */
  signature: string;
  tail: boolean;
  /** Followed by `unreachable`: control never comes back after it. */
  dying: boolean;
}

interface FunctionFacts {
  instructions: number;
  hasLoop: boolean;
  calls: CallSite[];
}

/** Everything the plan needs to know about the module's functions. */
class Analysis {
  readonly m: WasmModule;
  readonly facts = new Map<number, FunctionFacts>();
  /** Weight of each bounded function; metered ones are absent. */
  readonly bounded = new Map<number, number>();
  /** Per signature: the largest weight of a bounded function a table or ref.func may reach. */
  readonly indirectWeight = new Map<string, number>();

  constructor(m: WasmModule) {
    this.m = m;
    for (const body of m.code) this.facts.set(body.index, this.scan(body.index));
    const state = new Map<number, "visiting" | "done">();
    for (const body of m.code) this.classify(body.index, state);
    for (const f of this.escaped()) {
      const w = this.bounded.get(f);
      if (w === undefined) continue;
      const sig = this.signatureOf(f);
      this.indirectWeight.set(sig, Math.max(this.indirectWeight.get(sig) ?? 0, w));
    }
  }

  private signatureOf(func: number): string {
    const t = funcType(this.m, func);
    return t ? formatSignature(t.params, t.results) : "?";
  }

  private scan(func: number): FunctionFacts {
    const m = this.m;
    const facts: FunctionFacts = { instructions: 0, hasLoop: false, calls: [] };
    let last: CallSite | null = null;
    forEachInstruction(m, func, (ins) => {
      facts.instructions++;
      if (ins.opcode === OP_UNREACHABLE && last !== null && last.end === ins.offset) last.dying = true;
      last = null;
      if (ins.opcode === OP_LOOP) facts.hasLoop = true;
      if (ins.op.flags & CALL) {
        const direct = ins.opcode === OP_CALL || ins.opcode === OP_RETURN_CALL;
        let signature = "";
        if (!direct) {
          const t = m.types[ins.index];
          signature = t?.kind === "func" ? formatSignature(t.params, t.results) : "?";
        }
        last = {
          offset: ins.offset,
          end: ins.end,
          target: direct ? ins.index : -1,
          signature,
          tail: (ins.op.flags & RETURN) !== 0,
          dying: false,
        };
        facts.calls.push(last);
      }
    });
    return facts;
  }

  /** Decide whether `func` is bounded (memoized; a cycle makes every function on it metered). */
  private classify(func: number, state: Map<number, "visiting" | "done">): void {
    if (state.get(func) !== undefined) return;
    state.set(func, "visiting");
    const facts = this.facts.get(func)!;
    let weight = facts.instructions;
    let ok = !facts.hasLoop;
    for (const c of facts.calls) {
      if (!ok) break;
      const w = c.target >= this.m.importedFuncs ? this.calleeWeight(c.target, state) : undefined;
      if (w !== undefined) weight += w;
      else if (!c.dying || c.tail) ok = false;
    }
    if (ok && weight <= MAX_BOUNDED_WEIGHT) this.bounded.set(func, weight);
    state.set(func, "done");
  }

  private calleeWeight(func: number, state: Map<number, "visiting" | "done">): number | undefined {
    if (state.get(func) === "visiting") return undefined; // recursion
    this.classify(func, state);
    return this.bounded.get(func);
  }

  /** Functions a table or a funcref may hold: element segments and ref.func anywhere. */
  private escaped(): Set<number> {
    const m = this.m;
    const out = new Set<number>();
    for (const seg of m.elements) {
      for (const f of seg.funcs ?? []) out.add(f);
      if (seg.exprs !== null) for (const f of m.code.map((b) => b.index)) out.add(f); // expressions: assume any
    }
    for (const body of m.code) {
      forEachInstruction(m, body, (ins) => {
        if (ins.opcode === 0xd2) out.add(ins.index); // ref.func
      });
    }
    for (const g of m.globals) {
      const c = new Cursor(m.bytes, g.init.start, g.init.end, "global");
      if (c.u8() === 0xd2) out.add(c.u32());
    }
    return out;
  }

  /** Fuel a call site adds to the caller's region (bounded callees and indirect calls that may reach one). */
  siteWeight(c: CallSite): number {
    if (c.target >= 0) return this.bounded.get(c.target) ?? 0;
    return this.indirectWeight.get(c.signature) ?? 0;
  }

  /** Whether a call must keep the global in sync (it may reach the counter). */
  syncs(c: CallSite): boolean {
    return !(c.target >= 0 && this.bounded.has(c.target));
  }
}

/** The charge points of one metered function, in body order: its entry, then each loop header. */
function regions(a: Analysis, func: number): ChargePoint[] {
  const m = a.m;
  const body = functionBody(m, func);
  const sites = new Map(a.facts.get(func)!.calls.map((c) => [c.offset, c]));
  const points: ChargePoint[] = [{ at: body.bodyStart, weight: 0, kind: "entry" }];
  // The point each open loop (and the function) charges, innermost last; whether each open block is a loop.
  const open: number[] = [0];
  const isLoop: boolean[] = [];
  forEachInstruction(m, body, (ins) => {
    const flags = ins.op.flags;
    const region = points[open[open.length - 1]];
    region.weight++;
    if (flags & CALL) region.weight += a.siteWeight(sites.get(ins.offset)!);
    if (flags & BLOCK) {
      const loop = ins.opcode === OP_LOOP;
      isLoop.push(loop);
      if (loop) {
        points.push({ at: ins.end, weight: 0, kind: "loop" });
        open.push(points.length - 1);
      }
    } else if (flags & END && ins.depth > 0) {
      if (isLoop.pop()) open.pop();
    }
  });
  for (const p of points) p.weight = Math.min(p.weight, MAX_CHARGE);
  return points;
}

/** The charge points the pass would put in a function (none if it is bounded). */
export function chargePoints(m: WasmModule, func: number): ChargePoint[] {
  const a = new Analysis(m);
  return a.bounded.has(func) ? [] : regions(a, func);
}

/** Instruction encoders for the inserted code. */
class Emit {
  private readonly global: number;
  private readonly local: number;
  constructor(global: number, local: number) {
    this.global = global;
    this.local = local;
  }
  /** global = local (before a call or a way out). */
  store(b = new ByteSink(8)): ByteSink {
    return b.u8(0x20).u32(this.local).u8(0x24).u32(this.global);
  }
  /** local = global (after a call). */
  reload(b = new ByteSink(8)): ByteSink {
    return b.u8(0x23).u32(this.global).u8(0x21).u32(this.local);
  }
  /** local -= weight, leaving the new count on the stack; at function entry the count comes from the global. */
  private subtract(b: ByteSink, weight: number, entry: boolean): ByteSink {
    if (entry)
      b.u8(0x23).u32(this.global); // global.get
    else b.u8(0x20).u32(this.local); // local.get
    return b.u8(0x41).s32(weight).u8(0x6b).u8(0x22).u32(this.local); // i32.const W; i32.sub; local.tee
  }
  /** The charge with the call in line: if (fuel < 0) { store; call; reload }. */
  charge(weight: number, entry: boolean): Uint8Array {
    const b = this.subtract(new ByteSink(32), weight, entry);
    b.u8(0x41).s32(0).u8(0x48); // i32.const 0; i32.lt_s
    b.u8(0x04).u8(0x40); // if
    this.store(b).u8(0x10).u32(0); // call the fuel import
    return this.reload(b).u8(0x0b).finish(); // end
  }
  /** The charge of a loop-free function, on the global itself (no local, nothing to sync around calls). */
  directCharge(weight: number): Uint8Array {
    const b = new ByteSink(32);
    b.u8(0x23).u32(this.global).u8(0x41).s32(weight).u8(0x6b).u8(0x24).u32(this.global); // global -= W
    b.u8(0x23).u32(this.global).u8(0x41).s32(0).u8(0x48); // global < 0
    return b.u8(0x04).u8(0x40).u8(0x10).u32(0).u8(0x0b).finish(); // if call end
  }
  /** A wrapped loop's header charge: br_if to the wrapper block (label 1) when the fuel is gone. */
  loopCharge(weight: number): Uint8Array {
    const b = this.subtract(new ByteSink(24), weight, false);
    return b.u8(0x41).s32(0).u8(0x48).u8(0x0d).u32(1).finish(); // i32.const 0; i32.lt_s; br_if 1
  }
  /** Before a wrapped loop: block $exit (bt); loop $retry (bt); block $out. */
  loopPrefix(blockType: Uint8Array): Uint8Array {
    return new ByteSink(8).u8(0x02).bytes(blockType).u8(0x03).bytes(blockType).u8(0x02).u8(0x40).finish();
  }
  /**
   * After a wrapped loop: br $exit; end $out; store; call; reload; give back
   * the header's charge (it is taken again on re-entry); br $retry; end; end.
   */
  loopSuffix(weight: number): Uint8Array {
    const b = new ByteSink(32).u8(0x0c).u32(2).u8(0x0b);
    this.store(b).u8(0x10).u32(0);
    this.reload(b);
    b.u8(0x20).u32(this.local).u8(0x41).s32(weight).u8(0x6a).u8(0x21).u32(this.local); // local += W
    return b.u8(0x0c).u32(0).u8(0x0b).u8(0x0b).finish();
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

/** Number of parameters and declared locals of a defined function (the index the next local gets). */
function localCount(m: WasmModule, func: number): number {
  const params = funcType(m, func)?.params.length ?? 0;
  return functionBody(m, func).locals.reduce((n, run) => n + run.count, params);
}

/** Whether the function branches with anything but br, br_if and br_table (then its loops are not wrapped). */
function hasOtherLabelUses(m: WasmModule, func: number): boolean {
  let found = false;
  forEachInstruction(m, func, (ins) => {
    const imm = ins.op.imm;
    const labelled = imm === Imm.LABEL || imm === Imm.BR_TABLE || imm === Imm.TRY_TABLE || imm === Imm.BR_ON_CAST;
    if (labelled && ins.opcode !== OP_BR && ins.opcode !== OP_BR_IF && ins.opcode !== OP_BR_TABLE) found = true;
  });
  return found;
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
function meterFunction(a: Analysis, func: number, emit: Emit, points: ChargePoint[]): CodePatch[] {
  const m = a.m;
  const sites = new Map(a.facts.get(func)!.calls.map((c) => [c.offset, c]));
  const wrapAllowed = !hasOtherLabelUses(m, func);
  const charges = new Map(points.map((p) => [p.at, p]));
  const patches: CodePatch[] = [];
  const insert = (at: number, bytes: Uint8Array) => patches.push({ at, end: at, bytes });
  const store = emit.store().finish();
  const reload = emit.reload().finish();
  /** Open blocks, innermost last: for a wrapped loop its header weight, else -1. */
  const open: number[] = [];
  /** Bytes owed before the next instruction: a loop suffix or a reload. */
  let pending: Uint8Array | null = null;
  forEachInstruction(m, func, (ins) => {
    if (pending !== null) {
      insert(ins.offset, pending);
      pending = null;
    }
    const charge = charges.get(ins.offset);
    if (charge !== undefined) {
      const wrapped = charge.kind === "loop" && open[open.length - 1] >= 0;
      insert(ins.offset, wrapped ? emit.loopCharge(charge.weight) : emit.charge(charge.weight, charge.kind === "entry"));
    }
    const flags = ins.op.flags;
    if (flags & BLOCK) {
      let wrapped = -1;
      if (ins.opcode === OP_LOOP && wrapAllowed) {
        const bt = m.bytes.subarray(ins.offset + 1, ins.end);
        if (bt.length === 1 && (bt[0] === 0x40 || startsValType(bt[0]))) {
          wrapped = charges.get(ins.end)!.weight;
          insert(ins.offset, emit.loopPrefix(bt));
        }
      }
      open.push(wrapped);
      return;
    }
    if (flags & END) {
      if (ins.depth === 0) {
        insert(ins.offset, store);
        return;
      }
      const weight = open.pop()!;
      if (weight >= 0) pending = emit.loopSuffix(weight);
      return;
    }
    if (flags & CALL) {
      const site = sites.get(ins.offset)!;
      if (site.tail)
        insert(ins.offset, store); // leaves the function: even a bounded callee returns past us
      else if (a.syncs(site)) {
        insert(ins.offset, store);
        if (!site.dying) pending = reload;
      }
      return;
    }
    if (flags & RETURN) {
      insert(ins.offset, store);
      return;
    }
    if (flags & BRANCH) {
      // Leaving the function: store first. Crossing wrapped loops: renumber.
      const depth = ins.depth;
      const labels = ins.opcode === OP_BR_TABLE ? brTableLabels(m, ins.offset, ins.end) : [ins.index];
      if (labels.includes(depth - 1)) insert(ins.offset, store);
      const renumbered = labels.map((l) => {
        let extra = 0;
        for (let i = 0; i < l && i < open.length; i++) if (open[open.length - 1 - i] >= 0) extra += 3;
        return l + extra;
      });
      if (renumbered.some((l, i) => l !== labels[i])) {
        const b = new ByteSink(8 + 5 * labels.length).u8(ins.opcode);
        if (ins.opcode === OP_BR_TABLE) b.u32(labels.length - 1);
        for (const l of renumbered) b.u32(l);
        patches.push({ at: ins.offset, end: ins.end, bytes: b.finish() });
      }
    }
  });
  return patches;
}

/**
 * Plans the fuel rewrite of a verified module. Throws WasmParseError if a
 * body is malformed (a verified module's are not).
 */
export function planFuel(m: WasmModule): FuelPlan {
  const a = new Analysis(m);
  const globalIndex = m.importedGlobals + m.globals.length;
  const codePatches = new Map<number, CodePatch[]>();
  const addLocals = new Map<number, readonly string[]>();
  let count = 0;
  let maxWeight = 0;
  for (const body of m.code) {
    if (a.bounded.has(body.index)) continue;
    const points = regions(a, body.index);
    for (const pt of points) if (pt.weight > maxWeight) maxWeight = pt.weight;
    count += points.length;
    const emit = new Emit(globalIndex, localCount(m, body.index));
    if (points.length === 1) {
      // No loop: one charge, on the global (a local would cost a store and a reload around every call).
      codePatches.set(body.index, [{ at: points[0].at, end: points[0].at, bytes: emit.directCharge(points[0].weight) }]);
      continue;
    }
    codePatches.set(body.index, meterFunction(a, body.index, emit, points));
    addLocals.set(body.index, ["i32"]);
  }
  return {
    edits: {
      prependFuncImport: { module: FUEL_IMPORT.module, name: FUEL_IMPORT.name, params: [], results: [] },
      addGlobals: [{ type: "i32", mutable: true, init: 0 }],
      addExports: [{ name: FUEL_GLOBAL_EXPORT, kind: "global", index: globalIndex }],
      addLocals,
      codePatches,
    },
    globalIndex,
    metered: codePatches.size,
    bounded: a.bounded.size,
    chargePoints: count,
    maxWeight,
  };
}
