// Direct copies: port handlers that cannot trap, by construction
// (docs/fastpath.md "Port dispatch in wasm, wasm-to-wasm").
//
// A handler reached wasm-to-wasm from another process's stack must not trap:
// wasm cannot catch a trap, so the trap would unwind the sender's frames too.
// It can catch an exception, though, from any module on the stack, through a
// funcref table, on a JSPI stack as well (measured; the doc has the figures).
// So this pass gives a module a *direct copy* of every function reachable
// from the handler exports it is asked for, in which every instruction that
// can trap throws a kernel-owned exception tag instead:
//
//   unreachable                      -> throw (UNREACHABLE)
//   load / store (any width)         -> if ea + size > memory.size << 16: throw (MEMORY); then the access
//   memory.fill / memory.copy        -> the same check on each range
//   i32/i64 div_s                    -> divisor 0: throw (DIV_ZERO); INT_MIN / -1: throw (DIV_UNREPRESENTABLE)
//   div_u, rem_s, rem_u              -> divisor 0: throw (DIV_ZERO / REM_ZERO)
//   non-saturating float -> int      -> NaN or out of range: throw (FLOAT_UNREPRESENTABLE)
//   every function entry             -> stack budget (a global) minus the frame's bound, below 0: throw (STACK)
//   call of a copied function        -> call its copy, then give its frame's bound back to the budget
//
// The tag is an import (DIRECT_TAG_IMPORT, one i32 parameter: the DirectTrap
// kind), so only the kernel's catcher can name it; a guest cannot catch it
// because the verifier refuses exception handling in guest modules. Calls of
// imports stay as they are: the host's guards in front of the syscalls that
// may block answer EDIRECT during a direct activation, and a JavaScript
// exception thrown by an import (an exit, an overrun) is caught by the
// catcher's catch_all like the tag.
//
// What cannot be made trap-free cheaply is refused (the handler then has no
// copy and keeps the JavaScript-frame path): indirect and reference calls
// (call_indirect, call_ref and their tail forms: a signature or null check per
// call), tail calls, table instructions that can trap, memory.init, any SIMD,
// atomic or GC instruction, ref.as_non_null, exception handling, 64-bit memories.
//
// Stack. An engine stack overflow (RangeError) is not catchable by wasm
// either, so the copies bound their own depth: each copy's entry subtracts a
// bound on its frame's size from DIRECT_STACK_GLOBAL_EXPORT and throws STACK
// below zero; the caller adds it back after the call returns (an exception
// unwinds to the catcher, which sets the budget afresh for each activation).
// The bound is frameBound(): measured V8 frames (Liftoff, the larger tier)
// are ~48 bytes plus 8 per i64 local; the bound takes 16 per parameter,
// local and instruction (the operand stack is at most one value per
// instruction) plus 128.
//
// The static bound. The budget contains an overflow only where the copy's
// frames have room below it: run on a sender's stack (wasm-to-wasm) a copy
// may find less than the budget left there. So the pass also records, per
// handler, the largest sum of frame bounds along any call path of its copy
// (the copies have no indirect calls, so the call graph is known), or -1 when
// that graph has a cycle (recursion: no bound but the budget), as an exported
// immutable i32 global (DIRECT_BOUND_EXPORT_PREFIX + handler). The host runs
// wasm-to-wasm only copies whose bound is small (host/runtime/fast-ports.ts
// W2W_STACK_BOUND); the rest run behind a JavaScript frame, on the central
// stack, where the budget alone contains them.
//
// Fuel: the copies are made from the instrumented module, so they carry the
// same charges as the originals and call the same out-of-fuel import.

import { Cursor } from "../../wasm/cursor.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { SectionId, SECTION_ORDER, type Section, type WasmModule } from "../../wasm/reader.ts";
import { ByteSink } from "../../wasm/writer.ts";
import { encodeValType } from "../../wasm/types.ts";

/** The tag the copies throw: (param i32), the DirectTrap kind. Reserved (the verifier refuses "__wasmos" names and any tag). */
export const DIRECT_TAG_IMPORT = { module: "wasmos", name: "__wasmos_direct_trap" } as const;
/** Export name prefix of a handler's direct copy: `${DIRECT_EXPORT_PREFIX}${handler}`. */
export const DIRECT_EXPORT_PREFIX = "__wasmos_direct:";
/** Export name prefix of a handler's static stack bound: an immutable i32 global, bytes (the largest sum of frame bounds on a call path), -1 when its copy recurses. */
export const DIRECT_BOUND_EXPORT_PREFIX = "__wasmos_direct_bound:";
/** Export name of the copies' stack budget (mutable i32, bytes): set before each direct activation. */
export const DIRECT_STACK_GLOBAL_EXPORT = "__wasmos_direct_stack";
/**
 * Export name prefix of a handler's direct entry (with the `fuelGlobal` option): `${DIRECT_ENTRY_PREFIX}${handler}`,
 * (param $key i32) (param $code i32) (param $value i64) (param $budget i32) (result i32): the copy run on a
 * budget of its own, returning the fuel it burned (see addDirectCopies).
 */
export const DIRECT_ENTRY_PREFIX = "__wasmos_direct_entry:";
/** Stack bytes a direct copy may use (the budget its entry sets); well inside the 984 KiB of a JSPI stack. */
export const DIRECT_STACK_BUDGET = 256 * 1024;

/** What a direct copy threw instead of trapping (the tag's payload). */
export const DirectTrap = {
  UNREACHABLE: 1,
  MEMORY: 2,
  DIV_ZERO: 3,
  REM_ZERO: 4,
  DIV_UNREPRESENTABLE: 5,
  FLOAT_UNREPRESENTABLE: 6,
  STACK: 7,
  /** The copy reached the out-of-fuel import (only with the `overrun` option): its budget is spent. */
  OVERRUN: 8,
} as const;

/** V8's message for the trap each kind stands for (so the host can end the binder with the message the trap would have given). */
export const DIRECT_TRAP_MESSAGES: Readonly<Record<number, string>> = {
  [DirectTrap.UNREACHABLE]: "unreachable",
  [DirectTrap.MEMORY]: "memory access out of bounds",
  [DirectTrap.DIV_ZERO]: "divide by zero",
  [DirectTrap.REM_ZERO]: "remainder by zero",
  [DirectTrap.DIV_UNREPRESENTABLE]: "divide result unrepresentable",
  [DirectTrap.FLOAT_UNREPRESENTABLE]: "float unrepresentable in integer range",
  [DirectTrap.STACK]: "Maximum call stack size exceeded",
  [DirectTrap.OVERRUN]: "out of fuel in a direct activation",
};

export interface DirectCopies {
  /** The module with the copies appended (no existing index moves), or the input bytes when nothing was copied. */
  bytes: Uint8Array;
  /** Handler export -> its copy's export name. */
  copies: Map<string, string>;
  /** Handler export -> why it has no copy. */
  refused: Map<string, string>;
  /** Functions copied (shared by the handlers that reach them). */
  functions: number;
  /** Handler export -> its copy's static stack bound in bytes (exported as DIRECT_BOUND_EXPORT_PREFIX + handler), Infinity when it recurses (exported as -1). */
  stackBound: Map<string, number>;
}

/**
 * Test only: a planted bug, each of which the differential tests must catch
 * (test/instrument/direct-copy.test.ts): "bounds" checks one byte too few of
 * each access, "div" leaves out the INT_MIN / -1 check, "trunc" the
 * truncations' range check, "stack" gives no frame back after a call, "entry" leaves the direct entry's
 * budget in the fuel counter (the counter not restored). null: as built.
 */
export type DirectCopyMutation = "bounds" | "div" | "trunc" | "stack" | "entry";
let mutation: DirectCopyMutation | null = null;
export function mutateDirectCopyForTest(m: DirectCopyMutation | null): void {
  mutation = m;
}

/** A bound on the stack bytes one frame of function `f` takes, in either V8 tier (see the file comment). */
export function frameBound(params: number, locals: number, instructions: number): number {
  return 128 + 16 * (params + locals + instructions);
}

// Opcodes (single byte unless noted).
const UNREACHABLE = 0x00;
const BR = 0x0c;
const RETURN = 0x0f;
const CALL = 0x10;
const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const LOAD_FIRST = 0x28;
const STORE_LAST = 0x3e;
const FIRST_STORE = 0x36;
const I32_DIV_S = 0x6d;
const I32_REM_U = 0x70;
const I64_DIV_S = 0x7f;
const I64_REM_U = 0x82;
const TRUNC_FIRST = 0xa8; // i32.trunc_f32_s
const TRUNC_LAST = 0xb1; // i64.trunc_f64_u
const MISC = 0xfc;

// Access sizes of the loads and stores 0x28..0x3e.
const ACCESS_SIZE = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4];
// Stored value types of the stores 0x36..0x3e.
const STORE_TYPE = ["i32", "i64", "f32", "f64", "i32", "i32", "i64", "i64", "i64"];

/** Single-byte opcodes a copy refuses: indirect/reference/tail calls, exception handling, table.get/set, ref.as_non_null. */
const REFUSED_SINGLE = new Map<number, string>([
  [0x06, "try"],
  [0x07, "catch"],
  [0x08, "throw"],
  [0x09, "rethrow"],
  [0x0a, "throw_ref"],
  [0x11, "call_indirect"],
  [0x12, "return_call"],
  [0x13, "return_call_indirect"],
  [0x14, "call_ref"],
  [0x15, "return_call_ref"],
  [0x18, "delegate"],
  [0x19, "catch_all"],
  [0x1f, "try_table"],
  [0x25, "table.get"],
  [0x26, "table.set"],
  [0xd4, "ref.as_non_null"],
]);
/** 0xfc sub-opcodes a copy takes: the saturating truncations (0-7), data.drop (9), memory.copy (10), memory.fill (11), table.grow (15), table.size (16). */
const MISC_ALLOWED = new Set([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 15, 16]);

// Scratch locals appended to each copy (relative to its first new local).
const S_I32 = 0; // three i32
const S_I64 = 3; // two i64
const S_F32 = 5;
const S_F64 = 6;
const SCRATCH = ["i32", "i32", "i32", "i64", "i64", "f32", "f64"];

interface Plan {
  /** Defined function index -> copy index (function index space). */
  copyOf: Map<number, number>;
  /** Functions copied, in order (function index space). */
  order: number[];
  /** Per copied function: its frame bound. */
  bound: Map<number, number>;
  /** DirectCopyOptions.callsAs. */
  callsAs: ReadonlyMap<number, number>;
}

export interface DirectCopyOptions {
  /**
   * Whether a copy may call this function import (default: every one). A
   * copy calls imports as they are, so each must be unable to trap: a
   * JavaScript function (its exceptions are catchable) or kernel wasm that
   * cannot trap. A guest's imports are all the kernel's; another module's
   * wasm function (the spec suite links modules) may trap, and is refused.
   */
  callableImport?: (module: string, name: string) => boolean;
  /**
   * Function index of the out-of-fuel import (loader/instrument/fuel.ts's
   * FUEL_IMPORT, function 0 of a metered module): its calls in the copies
   * become a throw of OVERRUN. A direct activation runs on one budget (a
   * quantum, set in the counter by the kernel's trampoline) and cannot be
   * preempted, so reaching the import ends it; no JavaScript runs for it.
   */
  overrunAt?: number;
  /**
   * Index of the module's fuel counter (a mutable i32 global: loader/instrument/fuel.ts FUEL_GLOBAL_EXPORT's).
   * Given, each handler also gets a direct entry (DIRECT_ENTRY_PREFIX), the kernel's trampoline inside the
   * module, so the host calls one function of the binder's where it called a trampoline instance that called
   * the copy (one cross-instance call and the imported globals' indirections fewer, and the copy a direct
   * callee the engine may inline):
   *
   *   (func (param $key i32) (param $code i32) (param $value i64) (param $budget i32) (result i32) (local $kept i32)
   *     (local.set $kept (global.get $fuel))       ;; what the scheduler left in it (a kept counter)
   *     (global.set $fuel (local.get $budget))     ;; the copy runs on its budget at most
   *     (global.set $stack (i32.const DIRECT_STACK_BUDGET))
   *     (call $copy (local.get $key) (local.get $code) (local.get $value))
   *     (local.set $budget (i32.sub (local.get $budget) (global.get $fuel)))   ;; burned
   *     (global.set $fuel (local.get $kept))       ;; as the scheduler left it
   *     (local.get $budget))
   *
   * with the copy's body inlined in place of the call (copyBody's `entryFuel`; since PREPARE_VERSION 12:
   * V8 inlines no callee that much larger than so small a caller, so each activation paid the call).
   */
  fuelGlobal?: number;
  /**
   * Calls of a key call its value in the copies (a function the copies reach in its place, or an import). For
   * the module's own port_send function (loader/instrument/port-send.ts), which calls the port_send import and
   * charges what a wasm-to-wasm delivery burned: a copy runs as a direct activation, during which no port_send
   * delivers wasm-to-wasm (the host's dispatcher checks the direct-depth word first), so the import's result is
   * already the function's, and the copy calls the import itself.
   */
  callsAs?: ReadonlyMap<number, number>;
}

/**
 * Appends direct copies of `handlers` (exports of `m`, an instrumented module)
 * and of everything they reach. A handler that reaches a refused instruction,
 * an import that is not a function, or that is not an exported function, gets
 * no copy (its reason in `refused`).
 */
export function addDirectCopies(m: WasmModule, handlers: readonly string[], options: DirectCopyOptions = {}): DirectCopies {
  const refused = new Map<string, string>();
  const callsAs = options.callsAs ?? new Map<number, number>();
  const roots: [string, number][] = [];
  if (m.memories.some((l) => l.index64) || m.importedTags + m.tags.length > 0) {
    for (const h of handlers)
      refused.set(h, m.importedTags + m.tags.length > 0 ? "the module uses exception handling" : "the module has a 64-bit memory");
    return { bytes: m.bytes, copies: new Map(), refused, functions: 0, stackBound: new Map() };
  }
  // Per defined function: what it calls (defined functions), why it cannot be copied (or null), its instruction count.
  const facts = new Map<number, { calls: number[]; why: string | null; count: number }>();
  const factsOf = (f: number) => {
    let r = facts.get(f);
    if (r !== undefined) return r;
    const calls: number[] = [];
    let why: string | null = null;
    const count = forEachInstruction(m, f, (ins) => {
      const op = ins.opcode;
      if (op < 0x100) {
        const name = REFUSED_SINGLE.get(op);
        if (name !== undefined) why ??= `function ${f} uses ${name}`;
        else if (op === CALL && (callsAs.get(ins.index) ?? ins.index) >= m.importedFuncs) calls.push(callsAs.get(ins.index) ?? ins.index);
        else if (op === CALL && options.callableImport !== undefined) {
          const imp = funcImport(m, callsAs.get(ins.index) ?? ins.index);
          if (imp !== null && !options.callableImport(imp.module, imp.name))
            why ??= `function ${f} calls import ${imp.module}.${imp.name}, which may trap`;
        } else if (op >= LOAD_FIRST && op <= STORE_LAST && memory64(m, ins.memory)) why ??= `function ${f} accesses a 64-bit memory`;
        return;
      }
      const prefix = op >>> 16;
      if (prefix !== MISC || !MISC_ALLOWED.has(op & 0xffff)) why ??= `function ${f} uses ${ins.op.name}`;
    });
    r = { calls, why, count };
    facts.set(f, r);
    return r;
  };
  for (const h of handlers) {
    const e = m.exports.find((x) => x.name === h && x.kind === "func");
    if (e === undefined || e.index < m.importedFuncs) {
      refused.set(h, e === undefined ? "no such function export" : "the export is an import");
      continue;
    }
    // Everything it reaches, with an explicit stack (a long call chain is no deeper for the host).
    const seen = new Set<number>([e.index]);
    const todo = [e.index];
    let why: string | null = null;
    while (todo.length > 0 && why === null) {
      const f = todo.pop()!;
      const fx = factsOf(f);
      why = fx.why;
      for (const g of fx.calls) if (!seen.has(g)) (seen.add(g), todo.push(g));
    }
    if (why !== null) refused.set(h, why);
    else roots.push([h, e.index]);
  }
  if (roots.length === 0) return { bytes: m.bytes, copies: new Map(), refused, functions: 0, stackBound: new Map() };

  const plan: Plan = { copyOf: new Map(), order: [], bound: new Map(), callsAs };
  const total = m.importedFuncs + m.functions.length;
  const visit = (f: number) => {
    if (plan.copyOf.has(f)) return;
    plan.copyOf.set(f, total + plan.order.length);
    plan.order.push(f);
  };
  for (const [, f] of roots) {
    const todo = [f];
    visit(f);
    while (todo.length > 0) {
      for (const g of facts.get(todo.pop()!)!.calls) {
        if (!plan.copyOf.has(g)) (visit(g), todo.push(g));
      }
    }
  }
  for (const f of plan.order) {
    const type = m.types[m.functions[f - m.importedFuncs]];
    const body = m.code[f - m.importedFuncs];
    const locals = body.locals.reduce((n, r) => n + r.count, 0) + SCRATCH.length;
    plan.bound.set(f, frameBound(type.params.length, locals, facts.get(f)!.count));
  }

  const depth = staticDepths(plan, (f) => facts.get(f)!.calls);
  const stackBound = new Map<string, number>(roots.map(([h, f]) => [h, depth.get(f)!]));

  const tagType = m.types.length; // appended: (param i32) -> ()
  const entryType = tagType + 1; // appended with entries: (param i32 i32 i64 i32) (result i32)
  const budgetGlobal = m.importedGlobals + m.globals.length;
  const copies = new Map<string, string>();
  for (const [h] of roots) copies.set(h, DIRECT_EXPORT_PREFIX + h);
  const bodies = plan.order.map((f) => copyBody(m, f, plan, budgetGlobal, options.overrunAt ?? -1));
  const functionTypes = plan.order.map((f) => m.functions[f - m.importedFuncs]);
  const exports = roots.map(([h, f]) => [DIRECT_EXPORT_PREFIX + h, plan.copyOf.get(f)!] as [string, number]);
  const fuel = options.fuelGlobal;
  if (fuel !== undefined)
    roots.forEach(([h, f]) => {
      exports.push([DIRECT_ENTRY_PREFIX + h, total + functionTypes.length]);
      functionTypes.push(entryType);
      bodies.push(
        entryMutation
          ? entryBody(fuel, budgetGlobal, plan.copyOf.get(f)!)
          : copyBody(m, f, plan, budgetGlobal, options.overrunAt ?? -1, fuel),
      );
    });
  const bytes = appendToModule(m, {
    tagType,
    entryType: fuel !== undefined,
    functionTypes,
    bodies,
    exports,
    budgetGlobal,
    bounds: roots.map(([h]) => [DIRECT_BOUND_EXPORT_PREFIX + h, boundWord(stackBound.get(h)!)] as [string, number]),
  });
  return { bytes, copies, refused, functions: plan.order.length, stackBound };
}

/**
 * Test only: direct entries that call the root's copy (the function shown at DirectCopyOptions.fuelGlobal)
 * instead of having it inlined (copyBody's `entryFuel`): test/instrument/direct-copy.test.ts shows both give
 * the same, value for value. Read when the copies are made.
 */
let entryMutation = false;
export function callingEntriesForTest(calling: boolean): void {
  entryMutation = calling;
}

/** A handler's direct entry (DirectCopyOptions.fuelGlobal) that calls its copy: the body of the function shown there. */
function entryBody(fuel: number, stack: number, copy: number): Uint8Array {
  const b = new ByteSink(48).u32(1).u32(1).u8(0x7f); // one local: $kept
  b.u8(0x23).u32(fuel).u8(0x21).u32(4); // kept = fuel
  b.u8(0x20).u32(3).u8(0x24).u32(fuel); // fuel = budget
  b.u8(0x41).s32(DIRECT_STACK_BUDGET).u8(0x24).u32(stack); // stack = DIRECT_STACK_BUDGET
  b.u8(0x20).u32(0).u8(0x20).u32(1).u8(0x20).u32(2).u8(0x10).u32(copy); // copy(key, code, value)
  b.u8(0x20).u32(3).u8(0x23).u32(fuel).u8(0x6b).u8(0x21).u32(3); // budget -= fuel: burned
  if (mutation !== "entry") b.u8(0x20).u32(4).u8(0x24).u32(fuel); // fuel = kept
  b.u8(0x20).u32(3).u8(0x0b);
  return b.finish();
}

/** A static bound as its exported word: -1 for none (recursion), else the bytes, saturated below 2^31. */
function boundWord(b: number): number {
  return b === Infinity ? -1 : Math.min(b, 0x7fffffff);
}

/**
 * Per copied function: the largest sum of frame bounds along any call path starting at it (its own frame
 * included), Infinity when a cycle is reachable from it. An iterative depth-first walk (a long call chain is
 * no deeper for the host): a callee still on the walk's path closes a cycle.
 */
function staticDepths(plan: Plan, calls: (f: number) => number[]): Map<number, number> {
  const depth = new Map<number, number>();
  const onPath = new Set<number>();
  for (const root of plan.order) {
    if (depth.has(root)) continue;
    const stack: [number, number][] = [[root, 0]]; // function, next callee to look at
    onPath.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const cs = calls(top[0]);
      if (top[1] < cs.length) {
        const g = cs[top[1]++];
        if (depth.has(g)) continue;
        if (onPath.has(g)) {
          // A cycle: g and every function on the path below it are unbounded (the rest of the path then too).
          for (let i = stack.length - 1; i >= 0 && stack[i][0] !== g; i--) depth.set(stack[i][0], Infinity);
          depth.set(g, Infinity);
          continue;
        }
        onPath.add(g);
        stack.push([g, 0]);
        continue;
      }
      stack.pop();
      onPath.delete(top[0]);
      if (depth.get(top[0]) === Infinity) continue;
      let most = 0;
      for (const g of cs) most = Math.max(most, depth.get(g)!);
      depth.set(top[0], plan.bound.get(top[0])! + most);
    }
  }
  return depth;
}

/** The import that is function `index` (an imported one). */
function funcImport(m: WasmModule, index: number): { module: string; name: string } | null {
  let i = 0;
  for (const imp of m.imports) {
    if (imp.kind !== "func") continue;
    if (i++ === index) return imp;
  }
  return null;
}

function memory64(m: WasmModule, memory: number): boolean {
  const l = memory < m.importedMemories ? memoryImportLimits(m, memory) : m.memories[memory - m.importedMemories];
  return l?.index64 === true;
}

function memoryImportLimits(m: WasmModule, memory: number) {
  let i = 0;
  for (const imp of m.imports) {
    if (imp.kind !== "memory") continue;
    if (i++ === memory) return (imp as unknown as { limits?: { index64: boolean } }).limits ?? null;
  }
  return null;
}

/**
 * The copy of function f: the same locals plus the scratch ones, the entry's stack check, every trap site rewritten.
 *
 * With `entryFuel` (a handler's, whose type is (i32 i32 i64) -> ()): its direct entry instead, the function
 * shown at DirectCopyOptions.fuelGlobal with the copy's body inlined rather than called (V8 does not inline
 * it: the entry is too small a caller for the copy's size, so each activation paid a call). The entry's
 * fourth parameter ($budget) takes local index 3, so every local of the copy from 3 on moves up by one and
 * $kept comes after the scratch ones; the body runs inside a block, its `return`s become branches to that
 * block's end, after which the entry computes what was burned:
 *
 *   (local.set $kept (global.get $fuel)) (global.set $fuel (local.get $budget))
 *   (global.set $stack (i32.const DIRECT_STACK_BUDGET))
 *   (block ...the copy's body...)
 *   (local.set $budget (i32.sub (local.get $budget) (global.get $fuel))) (global.set $fuel (local.get $kept)) (local.get $budget)
 */
function copyBody(m: WasmModule, f: number, plan: Plan, budget: number, overrunAt: number, entryFuel = -1): Uint8Array {
  const type = m.types[m.functions[f - m.importedFuncs]];
  const body = m.code[f - m.importedFuncs];
  const bytes = m.bytes;
  const entry = entryFuel >= 0;
  const params = type.params.length; // 3 for an entry's handler
  const moved = entry ? 1 : 0; // the entry's $budget parameter
  const firstScratch = params + moved + body.locals.reduce((n, r) => n + r.count, 0);
  const s = (k: number) => firstScratch + k;
  const kept = firstScratch + SCRATCH.length;
  const out = new ByteSink(Math.ceil((body.end - body.entryStart) * 1.5) + 96);
  // Locals: the original declarations, then the scratch runs (and an entry's $kept).
  const runs = new Cursor(bytes, body.localsStart, body.bodyStart, "code");
  const n = runs.u32();
  out.u32(n + SCRATCH.length + moved);
  out.bytes(bytes.subarray(runs.pos, body.bodyStart));
  for (const t of SCRATCH) out.u32(1).u8(encodeValType(t));
  if (entry) {
    out.u32(1).u8(0x7f); // $kept
    out.u8(0x23).u32(entryFuel).u8(0x21).u32(kept); // kept = fuel
    out.u8(0x20).u32(params).u8(0x24).u32(entryFuel); // fuel = budget
    out.u8(0x41).s32(DIRECT_STACK_BUDGET).u8(0x24).u32(budget); // stack = DIRECT_STACK_BUDGET
    out.u8(0x02).u8(0x40); // block: the copy's body
  }
  // Entry: the stack budget.
  const bound = plan.bound.get(f)!;
  out.u8(0x23).u32(budget).u8(0x41).s32(bound).u8(0x6b).u8(0x24).u32(budget);
  out.u8(0x23).u32(budget).u8(0x41).s32(0).u8(0x48); // i32.lt_s
  thrownIf(out, DirectTrap.STACK);

  let at = body.bodyStart;
  const copyTo = (end: number) => {
    if (end > at) out.bytes(bytes.subarray(at, end));
  };
  forEachInstruction(m, f, (ins) => {
    const op = ins.opcode;
    if (entry && op >= LOCAL_GET && op <= LOCAL_TEE) {
      if (ins.index < params) return;
      copyTo(ins.offset);
      out.u8(op).u32(ins.index + moved);
      at = ins.end;
    } else if (entry && op === RETURN) {
      copyTo(ins.offset);
      out.u8(BR).u32(ins.depth - 1); // to the end of the entry's block around the body
      at = ins.end;
    } else if (op === UNREACHABLE) {
      copyTo(ins.offset);
      out.u8(0x41).s32(DirectTrap.UNREACHABLE).u8(0x08).u32(0);
      at = ins.end;
    } else if (op === CALL && ins.index === overrunAt) {
      copyTo(ins.offset);
      out.u8(0x41).s32(DirectTrap.OVERRUN).u8(0x08).u32(0);
      at = ins.end;
    } else if (op === CALL) {
      const target = plan.callsAs.get(ins.index) ?? ins.index;
      const copy = plan.copyOf.get(target);
      if (copy === undefined) {
        if (target === ins.index) return; // an import: as it is
        copyTo(ins.offset);
        out.u8(CALL).u32(target); // the import in its place
        at = ins.end;
        return;
      }
      copyTo(ins.offset);
      out.u8(CALL).u32(copy);
      if (mutation !== "stack") out.u8(0x23).u32(budget).u8(0x41).s32(plan.bound.get(target)!).u8(0x6a).u8(0x24).u32(budget);
      at = ins.end;
    } else if (op >= LOAD_FIRST && op <= STORE_LAST) {
      copyTo(ins.offset);
      const size = ACCESS_SIZE[op - LOAD_FIRST];
      if (op >= FIRST_STORE) {
        const t = STORE_TYPE[op - FIRST_STORE];
        const v = t === "i32" ? s(S_I32 + 1) : t === "i64" ? s(S_I64) : t === "f32" ? s(S_F32) : s(S_F64);
        out.u8(0x21).u32(v); // local.set value
        boundsCheck(out, s(S_I32), ins.memOffset + size, ins.memory, true);
        out.u8(0x20).u32(s(S_I32)).u8(0x20).u32(v);
      } else {
        boundsCheck(out, s(S_I32), ins.memOffset + size, ins.memory, true);
        out.u8(0x20).u32(s(S_I32));
      }
      out.bytes(bytes.subarray(ins.offset, ins.end));
      at = ins.end;
    } else if ((op >= I32_DIV_S && op <= I32_REM_U) || (op >= I64_DIV_S && op <= I64_REM_U)) {
      copyTo(ins.offset);
      const wide = op >= I64_DIV_S;
      const kind = op - (wide ? I64_DIV_S : I32_DIV_S); // 0 div_s, 1 div_u, 2 rem_s, 3 rem_u
      const a = wide ? s(S_I64) : s(S_I32);
      const b = wide ? s(S_I64 + 1) : s(S_I32 + 1);
      out.u8(0x21).u32(b).u8(0x21).u32(a);
      out
        .u8(0x20)
        .u32(b)
        .u8(wide ? 0x50 : 0x45); // eqz
      thrownIf(out, kind >= 2 ? DirectTrap.REM_ZERO : DirectTrap.DIV_ZERO);
      if (kind === 0 && mutation !== "div") {
        // INT_MIN / -1
        out.u8(0x20).u32(a);
        if (wide)
          out
            .u8(0x42)
            .s64(-(1n << 63n))
            .u8(0x51);
        else out.u8(0x41).s32(-0x80000000).u8(0x46);
        out.u8(0x20).u32(b);
        if (wide) out.u8(0x42).s64(-1n).u8(0x51);
        else out.u8(0x41).s32(-1).u8(0x46);
        out.u8(0x71); // i32.and
        thrownIf(out, DirectTrap.DIV_UNREPRESENTABLE);
      }
      out.u8(0x20).u32(a).u8(0x20).u32(b).u8(op);
      at = ins.end;
    } else if (op >= TRUNC_FIRST && op <= TRUNC_LAST && op !== 0xac && op !== 0xad) {
      // 0xac, 0xad are i64.extend_i32_s/u, between the two groups of truncations.
      copyTo(ins.offset);
      if (mutation !== "trunc") truncCheck(out, op, s(S_F32), s(S_F64));
      out.u8(op);
      at = ins.end;
    } else if (op === ((MISC << 16) | 10) || op === ((MISC << 16) | 11)) {
      copyTo(ins.offset);
      const n32 = s(S_I32 + 2);
      const src = s(S_I32 + 1);
      const dst = s(S_I32);
      out.u8(0x21).u32(n32).u8(0x21).u32(src).u8(0x21).u32(dst);
      rangeCheck(out, dst, n32, ins.memory);
      if (op === ((MISC << 16) | 10)) rangeCheck(out, src, n32, ins.memory2);
      out.u8(0x20).u32(dst).u8(0x20).u32(src).u8(0x20).u32(n32);
      out.bytes(bytes.subarray(ins.offset, ins.end));
      at = ins.end;
    }
  });
  copyTo(body.end); // an entry's: the body's final end closes its block
  if (entry) {
    out.u8(0x20).u32(params).u8(0x23).u32(entryFuel).u8(0x6b).u8(0x21).u32(params); // budget -= fuel: burned
    if (mutation !== "entry") out.u8(0x20).u32(kept).u8(0x24).u32(entryFuel); // fuel = kept
    out.u8(0x20).u32(params).u8(0x0b);
  }
  return out.finish();
}

/** `if (cond) throw kind` (cond: the i32 on the stack). */
function thrownIf(out: ByteSink, kind: number): void {
  out.u8(0x04).u8(0x40).u8(0x41).s32(kind).u8(0x08).u32(0).u8(0x0b);
}

/** The address on the stack into local `addr` (kept), and a throw if addr + extent passes memory `mem`'s size. */
function boundsCheck(out: ByteSink, addr: number, extent: number, mem: number, tee: boolean): void {
  out
    .u8(tee ? 0x22 : 0x20)
    .u32(addr)
    .u8(0xad); // local.tee; i64.extend_i32_u
  out
    .u8(0x42)
    .s64(BigInt(mutation === "bounds" ? extent - 1 : extent))
    .u8(0x7c); // i64.add (offset + size fits: offsets are u32)
  memoryBytes(out, mem);
  out.u8(0x56); // i64.gt_u
  thrownIf(out, DirectTrap.MEMORY);
}

/** A throw if local start + local len passes memory `mem`'s size. */
function rangeCheck(out: ByteSink, start: number, len: number, mem: number): void {
  out.u8(0x20).u32(start).u8(0xad).u8(0x20).u32(len).u8(0xad).u8(0x7c);
  memoryBytes(out, mem);
  out.u8(0x56);
  thrownIf(out, DirectTrap.MEMORY);
}

/** memory `mem`'s size in bytes, as an i64. */
function memoryBytes(out: ByteSink, mem: number): void {
  out.u8(0x3f).u32(mem).u8(0xad).u8(0x42).s64(16n).u8(0x86); // memory.size; i64.extend_i32_u; i64.shl 16
}

/**
 * Before a non-saturating truncation: the float on the stack into a scratch
 * local, and a throw unless lo <(=) x < hi (NaN fails every comparison). The
 * bounds are exact: the smallest and largest values whose truncation fits.
 */
function truncCheck(out: ByteSink, op: number, f32: number, f64: number): void {
  // op: 0xa8 i32.trunc_f32_s, a9 i32.trunc_f32_u, aa i32.trunc_f64_s, ab i32.trunc_f64_u,
  //     ae i64.trunc_f32_s, af i64.trunc_f32_u, b0 i64.trunc_f64_s, b1 i64.trunc_f64_u
  const from64 = op === 0xaa || op === 0xab || op === 0xb0 || op === 0xb1;
  const signed = op === 0xa8 || op === 0xaa || op === 0xae || op === 0xb0;
  const bits = op <= 0xab ? 32 : 64;
  const hi = 2 ** (signed ? bits - 1 : bits);
  // Low bound: signed: -2^(bits-1), inclusive when representable exactly (always in f64 for 32 bits? no: use exclusive lo-1 for f64 i32);
  // unsigned: > -1.
  let lo: number;
  let inclusive: boolean;
  if (!signed) ((lo = -1), (inclusive = false));
  else if (bits === 32 && from64) ((lo = -2147483649), (inclusive = false));
  else ((lo = -(2 ** (bits - 1))), (inclusive = true));
  const local = from64 ? f64 : f32;
  const konst = (v: number) => {
    if (from64) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, true);
      out.u8(0x44).bytes(b);
    } else {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, v, true);
      out.u8(0x43).bytes(b);
    }
  };
  out.u8(0x22).u32(local); // local.tee
  konst(lo);
  out.u8(from64 ? (inclusive ? 0x66 : 0x64) : inclusive ? 0x60 : 0x5e); // f64.ge/gt, f32.ge/gt
  out.u8(0x20).u32(local);
  konst(hi);
  out.u8(from64 ? 0x63 : 0x5d); // f64.lt / f32.lt
  out.u8(0x71).u8(0x45); // i32.and; i32.eqz
  thrownIf(out, DirectTrap.FLOAT_UNREPRESENTABLE);
  out.u8(0x20).u32(local);
}

// ---- the module around the copies ----------------------------------------

interface Appended {
  tagType: number;
  /** A second type appended after the tag's, at tagType + 1: the direct entries' (param i32 i32 i64 i32) (result i32). */
  entryType: boolean;
  functionTypes: number[];
  bodies: Uint8Array[];
  exports: [string, number][];
  budgetGlobal: number;
  /** Appended after the budget global: one immutable i32 global each, exported under the name. */
  bounds: [string, number][];
}

/**
 * Re-emits m with: a type (param i32) -> () appended, the tag import
 * appended after every import (tags have their own index space: nothing
 * moves), the functions and bodies appended, the budget global (mutable i32)
 * appended and exported with the copies. Sections the append does not touch
 * are copied byte for byte.
 */
function appendToModule(m: WasmModule, a: Appended): Uint8Array {
  const out = new ByteSink(m.bytes.length + a.bodies.reduce((n, b) => n + b.length + 5, 0) + 256);
  out.bytes(m.bytes.subarray(0, 8));
  const rewritten = new Map<number, (s: Section | null) => ByteSink>([
    [
      SectionId.TYPE,
      (s) =>
        counted(
          m,
          s,
          (b) => {
            b.u8(0x60).u32(1).u8(0x7f).u32(0);
            if (a.entryType) b.u8(0x60).u32(4).u8(0x7f).u8(0x7f).u8(0x7e).u8(0x7f).u32(1).u8(0x7f);
          },
          a.entryType ? 2 : 1,
        ),
    ],
    [
      SectionId.IMPORT,
      (s) => counted(m, s, (b) => b.name(DIRECT_TAG_IMPORT.module).name(DIRECT_TAG_IMPORT.name).u8(0x04).u8(0x00).u32(a.tagType)),
    ],
    [SectionId.FUNCTION, (s) => counted(m, s, (b) => a.functionTypes.forEach((t) => b.u32(t)), a.functionTypes.length)],
    [
      SectionId.GLOBAL,
      (s) =>
        counted(
          m,
          s,
          (b) => {
            b.u8(0x7f).u8(0x01).u8(0x41).s32(0).u8(0x0b);
            for (const [, v] of a.bounds) b.u8(0x7f).u8(0x00).u8(0x41).s32(v).u8(0x0b);
          },
          1 + a.bounds.length,
        ),
    ],
    [
      SectionId.EXPORT,
      (s) =>
        counted(
          m,
          s,
          (b) => {
            for (const [name, f] of a.exports) b.name(name).u8(0x00).u32(f);
            b.name(DIRECT_STACK_GLOBAL_EXPORT).u8(0x03).u32(a.budgetGlobal);
            a.bounds.forEach(([name], i) =>
              b
                .name(name)
                .u8(0x03)
                .u32(a.budgetGlobal + 1 + i),
            );
          },
          a.exports.length + 1 + a.bounds.length,
        ),
    ],
    [SectionId.CODE, (s) => counted(m, s, (b) => a.bodies.forEach((body) => b.u32(body.length).bytes(body)), a.bodies.length)],
  ]);
  const done = new Set<number>();
  let next = 0;
  const missing = (order: number) => {
    for (const [id, build] of rewritten) {
      const o = SECTION_ORDER[id];
      if (!done.has(id) && o >= next && o < order) {
        out.section(id, build(null));
        done.add(id);
      }
    }
  };
  for (const s of m.sections) {
    if (s.id !== SectionId.CUSTOM) missing(SECTION_ORDER[s.id]);
    const build = rewritten.get(s.id);
    if (build !== undefined) {
      out.section(s.id, build(s));
      done.add(s.id);
    } else out.bytes(m.bytes.subarray(s.start, s.end));
    if (s.id !== SectionId.CUSTOM) next = SECTION_ORDER[s.id] + 1;
  }
  missing(Infinity);
  return out.finish();
}

/** A vector section with `added` more entries written by `more` after the existing ones. */
function counted(m: WasmModule, s: Section | null, more: (b: ByteSink) => void, added = 1): ByteSink {
  const b = new ByteSink(s === null ? 64 : s.end - s.contentStart + 64);
  if (s === null) b.u32(added);
  else {
    const c = new Cursor(m.bytes, s.contentStart, s.end, s.name);
    b.u32(c.u32() + added);
    b.bytes(m.bytes.subarray(c.pos, s.end));
  }
  more(b);
  return b;
}
