// Direct copies (loader/instrument/direct-copy.ts): a handler's copy computes
// what the handler computes, and where the handler would trap, the copy
// throws the kernel's tag instead, which a wasm caller in another module
// catches (so a trapping binder cannot unwind its sender's frames).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { directCopyCounts, runSpec, specFiles } from "../../conformance/spec/driver.ts";
import { directCopyEntry, type DirectEntry } from "../../host/runtime/fast-ports.ts";
import {
  addDirectCopies,
  DIRECT_ENTRY_PREFIX,
  DIRECT_EXPORT_PREFIX,
  DIRECT_STACK_BUDGET,
  DIRECT_STACK_GLOBAL_EXPORT,
  DIRECT_TAG_IMPORT,
  DIRECT_TRAP_MESSAGES,
  DirectTrap,
  mutateDirectCopyForTest,
  type DirectCopyMutation,
  callingEntriesForTest,
} from "../../loader/instrument/direct-copy.ts";
import { planFuel, FUEL_GLOBAL_EXPORT, FUEL_IMPORT } from "../../loader/instrument/fuel.ts";
import { readModule } from "../../wasm/reader.ts";
import { editModule } from "../../wasm/writer.ts";
import { wat } from "../helpers/wat.ts";

const tag = new WebAssembly.Tag({ parameters: ["i32"] });

interface Made {
  plain: WebAssembly.Exports;
  copied: WebAssembly.Exports;
  budget: WebAssembly.Global;
  refused: Map<string, string>;
}

/** The module as it is and with direct copies of `handlers`, each instantiated on its own (fresh memory). */
function make(src: string, handlers: string[], opts: { metered?: boolean } = {}): Made {
  let bytes = wat(src);
  let m = readModule(bytes);
  if (opts.metered) {
    bytes = editModule(m, planFuel(m).edits);
    m = readModule(bytes);
  }
  const d = addDirectCopies(m, handlers);
  const imports = (withTag: boolean): WebAssembly.Imports => {
    const ns: Record<string, unknown> = {};
    if (opts.metered) ns[FUEL_IMPORT.name] = () => {};
    if (withTag) ns[DIRECT_TAG_IMPORT.name] = tag;
    return Object.keys(ns).length > 0 ? { wasmos: ns as WebAssembly.ModuleImports } : {};
  };
  const plain = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports(false)).exports;
  const copied = new WebAssembly.Instance(new WebAssembly.Module(d.bytes as Uint8Array<ArrayBuffer>), imports(d.copies.size > 0)).exports;
  if (opts.metered) {
    (plain[FUEL_GLOBAL_EXPORT] as WebAssembly.Global).value = 1 << 30;
    (copied[FUEL_GLOBAL_EXPORT] as WebAssembly.Global).value = 1 << 30;
  }
  return { plain, copied, budget: copied[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global, refused: d.refused };
}

/**
 * What a call gives: its result, or the trap's message (plain), or the tag's
 * kind as that message (copy). A copy that traps for real (uncontained) or
 * overflows the engine's stack says so: that is never what the plain call gave.
 */
function outcome(f: () => unknown, copy = false): string {
  try {
    return `ok ${String(f())}`;
  } catch (e) {
    if (e instanceof WebAssembly.Exception && e.is(tag)) return `trap: ${DIRECT_TRAP_MESSAGES[e.getArg(tag, 0) as number]}`;
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) return `${copy ? "uncontained " : ""}trap: ${e.message}`;
    throw e;
  }
}

const TRAPS = `(module
  (memory (export "memory") 1 4)
  (func (export "load") (param $a i32) (result i32) (i32.load offset=4 (local.get $a)))
  (func (export "load8") (param $a i32) (result i32) (i32.load8_u (local.get $a)))
  (func (export "load64") (param $a i32) (result i64) (i64.load offset=65528 (local.get $a)))
  (func (export "store") (param $a i32) (result i32) (i64.store16 offset=2 (local.get $a) (i64.const 0x1234)) (i32.load16_u offset=2 (local.get $a)))
  (func (export "storef") (param $a i32) (result i32) (f64.store (local.get $a) (f64.const 1.5)) (i32.trunc_f64_s (f64.load (local.get $a))))
  (func (export "fill") (param $a i32) (result i32) (memory.fill (local.get $a) (i32.const 7) (i32.const 16)) (i32.load8_u (local.get $a)))
  (func (export "copy") (param $a i32) (result i32) (memory.copy (i32.const 100) (local.get $a) (i32.const 32)) (i32.load (i32.const 100)))
  (func (export "grow") (param $a i32) (result i32) (drop (memory.grow (i32.const 1))) (i32.load (local.get $a)))
  (func (export "divs") (param $a i32) (param $b i32) (result i32) (i32.div_s (local.get $a) (local.get $b)))
  (func (export "divu") (param $a i32) (param $b i32) (result i32) (i32.div_u (local.get $a) (local.get $b)))
  (func (export "rems") (param $a i32) (param $b i32) (result i32) (i32.rem_s (local.get $a) (local.get $b)))
  (func (export "divs64") (param $a i64) (param $b i64) (result i64) (i64.div_s (local.get $a) (local.get $b)))
  (func (export "remu64") (param $a i64) (param $b i64) (result i64) (i64.rem_u (local.get $a) (local.get $b)))
  (func (export "t32s") (param $x f64) (result i32) (i32.trunc_f64_s (local.get $x)))
  (func (export "t32u") (param $x f32) (result i32) (i32.trunc_f32_u (local.get $x)))
  (func (export "t32sf") (param $x f32) (result i32) (i32.trunc_f32_s (local.get $x)))
  (func (export "t64s") (param $x f64) (result i64) (i64.trunc_f64_s (local.get $x)))
  (func (export "t64u") (param $x f32) (result i64) (i64.trunc_f32_u (local.get $x)))
  (func (export "sat") (param $x f64) (result i32) (i32.trunc_sat_f64_s (local.get $x)))
  (func (export "unreach") (param $a i32) (result i32) (if (local.get $a) (then unreachable)) (i32.const 5))
  (func $deep (param $n i32) (result i32) (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0)) (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "deep") (param $n i32) (result i32) (call $deep (local.get $n)))
)`;

const EXPORTS = [
  "load",
  "load8",
  "load64",
  "store",
  "storef",
  "fill",
  "copy",
  "grow",
  "divs",
  "divu",
  "rems",
  "divs64",
  "remu64",
  "t32s",
  "t32u",
  "t32sf",
  "t64s",
  "t64u",
  "sat",
  "unreach",
  "deep",
];

const I32_EDGES = [0, 1, -1, 2, 7, 65532, 65533, 65535, 65536, 131068, 131072, 0x7fffffff, -0x80000000, -4, -8];
const I64_EDGES = [0n, 1n, -1n, 3n, -(1n << 63n), (1n << 63n) - 1n, 1n << 32n];
const F_EDGES = [
  0,
  -0,
  0.5,
  -0.9,
  -1,
  1.5,
  2147483647.9,
  2147483648,
  -2147483648.5,
  -2147483649,
  -2147483648,
  4294967295.5,
  4294967296,
  9.2e18,
  9.3e18,
  -9.3e18,
  1.8e19,
  1.9e19,
  NaN,
  Infinity,
  -Infinity,
  3.4e38,
];

function argsFor(name: string): unknown[][] {
  if (["divs", "divu", "rems"].includes(name)) return I32_EDGES.flatMap((a) => I32_EDGES.map((b) => [a, b]));
  if (["divs64", "remu64"].includes(name)) return I64_EDGES.flatMap((a) => I64_EDGES.map((b) => [a, b]));
  if (name.startsWith("t") || name === "sat") return F_EDGES.map((x) => [x]);
  if (name === "deep") return [[0], [10], [1000]];
  return I32_EDGES.map((a) => [a]);
}

describe("direct copies of port handlers", () => {
  /** Every export on its edge operands both ways: the calls whose outcomes differ, and how many trapped. */
  function compare(metered: boolean): { differ: string[]; traps: number; memoryEqual: boolean } {
    const { plain, copied, budget, refused } = make(TRAPS, EXPORTS, { metered });
    expect([...refused]).toEqual([]);
    const differ: string[] = [];
    let traps = 0;
    for (const name of EXPORTS) {
      for (const args of argsFor(name)) {
        budget.value = 1 << 20;
        const a = outcome(() => (plain[name] as (...x: unknown[]) => unknown)(...args));
        const b = outcome(() => (copied[DIRECT_EXPORT_PREFIX + name] as (...x: unknown[]) => unknown)(...args), true);
        if (a !== b) differ.push(`${name}(${args.join(", ")}): ${a} / ${b}`);
        if (a.startsWith("trap")) traps++;
      }
    }
    const memoryEqual =
      Buffer.compare(
        new Uint8Array((copied.memory as WebAssembly.Memory).buffer),
        new Uint8Array((plain.memory as WebAssembly.Memory).buffer),
      ) === 0;
    return { differ, traps, memoryEqual };
  }

  for (const metered of [false, true]) {
    it(`give the handler's result wherever it returns, and throw the kernel's tag with the trap's kind wherever it traps (every trap kind, edge operands${metered ? ", fuel-metered" : ""})`, () => {
      const r = compare(metered);
      expect(r.differ).toEqual([]);
      expect(r.memoryEqual).toBe(true); // both saw the same stores (grow included)
      expect(r.traps).toBeGreaterThan(100);
    });
  }

  it("the comparison catches each planted bug (a bounds check a byte short, no INT_MIN / -1 check, no truncation check, frames not given back)", () => {
    try {
      for (const m of ["bounds", "div", "trunc"] as DirectCopyMutation[]) {
        mutateDirectCopyForTest(m);
        expect(compare(false).differ.length, m).toBeGreaterThan(0);
      }
      mutateDirectCopyForTest("stack");
      const { copied, budget } = make(TRAPS, ["deep"]);
      budget.value = 64 * 1024;
      (copied[DIRECT_EXPORT_PREFIX + "deep"] as (n: number) => number)(0);
      const afterOne = budget.value;
      budget.value = 64 * 1024;
      (copied[DIRECT_EXPORT_PREFIX + "deep"] as (n: number) => number)(50);
      expect(budget.value).not.toBe(afterOne);
    } finally {
      mutateDirectCopyForTest(null);
    }
  });

  it("end at the out-of-fuel import with OVERRUN when asked (overrunAt), without calling it: a direct activation runs on one budget", () => {
    const src = `(module (memory 1)
      (func (export "spin") (param $n i32) (result i32) (local $i i32)
        (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $i)))`;
    const metered = editModule(readModule(wat(src)), planFuel(readModule(wat(src))).edits);
    const d = addDirectCopies(readModule(metered), ["spin"], { overrunAt: 0 });
    let calls = 0;
    const refill = () => {
      calls++;
      fuel.value = 1000;
    };
    const inst = new WebAssembly.Instance(new WebAssembly.Module(d.bytes as Uint8Array<ArrayBuffer>), {
      wasmos: { [FUEL_IMPORT.name]: refill, [DIRECT_TAG_IMPORT.name]: tag },
    } as unknown as WebAssembly.Imports).exports;
    const fuel = inst[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
    const budget = inst[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global;
    const copy = inst[DIRECT_EXPORT_PREFIX + "spin"] as (n: number) => number;
    fuel.value = 1000;
    budget.value = 1 << 16;
    expect(copy(10)).toBe(10); // within budget
    fuel.value = 1000;
    expect(outcome(() => copy(1_000_000), true)).toBe(`trap: ${DIRECT_TRAP_MESSAGES[DirectTrap.OVERRUN]}`);
    expect(calls).toBe(0);
    expect(fuel.value as number).toBeLessThan(0);
    fuel.value = 10;
    expect((inst.spin as (n: number) => number)(10_000)).toBe(10_000); // the original calls the import (refilled) and runs on
    expect(calls).toBeGreaterThan(0);
  });

  describe("direct entries (fuelGlobal): the kernel's trampoline inside the binder's module", () => {
    const SRC = `(module (memory 1)
      (func (export "on_spin") (param $key i32) (param $code i32) (param $value i64) (local $i i32)
        (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $code))))
        (i64.store (local.get $key) (i64.add (local.get $value) (i64.extend_i32_u (local.get $i))))))`;
    /**
     * A handler whose copy the entry inlines with more to rewrite: locals of every type past the parameters
     * (each moves up one for the entry's $budget), `return`s at three depths (branches to the end of the
     * entry's block), a `br` to the function's own label, calls of a copied function, a trap (a throw).
     */
    const RETURNS = `(module (memory 1)
      (func $twice (param $x i64) (result i64) (i64.add (local.get $x) (local.get $x)))
      (func (export "on_spin") (param $key i32) (param $code i32) (param $value i64)
          (local $i i32) (local $f f64) (local $w i64) (local $g f32) (local $j i32)
        (local.set $w (call $twice (local.get $value)))
        (local.set $f (f64.convert_i64_s (local.get $w)))
        (local.set $g (f32.demote_f64 (local.get $f)))
        (if (i32.eq (local.get $code) (i32.const 1)) (then (i64.store (local.get $key) (local.get $w)) (return)))
        (block $out
          (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $j (i32.add (local.get $j) (local.get $i)))
            (if (i32.eq (local.get $i) (i32.const 7)) (then (if (i32.eq (local.get $code) (i32.const 2)) (then
              (i64.store (local.get $key) (i64.extend_i32_u (local.get $j))) (return)))))
            (if (i32.eq (local.get $code) (i32.const 3)) (then (br 2)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $code)))))
        (if (i32.eq (local.get $code) (i32.const 400)) (then (drop (i32.div_u (i32.const 1) (i32.sub (local.get $i) (local.get $i))))))
        (i64.store (local.get $key) (i64.add (i64.trunc_f32_s (local.get $g)) (i64.extend_i32_u (local.get $j))))))`;
    /** Two instances of the metered module with copies and entries: what the entry and the host's trampoline around the copy give. */
    const pair = (src = SRC) => {
      const metered = editModule(readModule(wat(src)), planFuel(readModule(wat(src))).edits);
      const m = readModule(metered);
      const fuelAt = m.exports.find((e) => e.name === FUEL_GLOBAL_EXPORT)!.index;
      const d = addDirectCopies(m, ["on_spin"], { overrunAt: 0, fuelGlobal: fuelAt });
      const mod = new WebAssembly.Module(d.bytes as Uint8Array<ArrayBuffer>);
      const inst = () =>
        new WebAssembly.Instance(mod, {
          wasmos: { [FUEL_IMPORT.name]: () => {}, [DIRECT_TAG_IMPORT.name]: tag },
        } as unknown as WebAssembly.Imports).exports;
      const own = inst();
      const ref = inst();
      const side = (e: WebAssembly.Exports, run: DirectEntry) => ({
        run,
        fuel: e[FUEL_GLOBAL_EXPORT] as WebAssembly.Global,
        stack: e[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global,
        memory: new BigInt64Array((e.memory as WebAssembly.Memory | undefined)?.buffer ?? new ArrayBuffer(8)),
      });
      return [
        side(own, own[DIRECT_ENTRY_PREFIX + "on_spin"] as DirectEntry),
        side(
          ref,
          directCopyEntry(
            ref[FUEL_GLOBAL_EXPORT] as WebAssembly.Global,
            ref[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global,
            ref[DIRECT_EXPORT_PREFIX + "on_spin"],
          ),
        ),
      ];
    };
    /** Each side through the same activations: the burned fuel or the thrown kind, the counter after, the stack budget after. */
    const ACTIVATIONS = [
      [1, 1000],
      [50, 1000],
      [50, 5000],
      [400, 700], // runs out: OVERRUN
      [3, 1 << 20],
    ];
    const trace = (s: ReturnType<typeof pair>[number], activations = ACTIVATIONS) => {
      const out: string[] = [];
      s.fuel.value = 12_345; // what the scheduler left (a kept counter)
      for (const [code, budget] of activations) {
        s.stack.value = 7;
        let r: string;
        try {
          r = `burned ${s.run(8, code, 100n, budget)}`;
        } catch (e) {
          r = e instanceof WebAssembly.Exception && e.is(tag) ? `threw ${e.getArg(tag, 0)}` : `other ${String(e)}`;
          s.fuel.value = 12_345; // the host puts the kept counter back after a throw (runDirect, directBurned)
        }
        out.push(`${r} fuel ${s.fuel.value} stack used ${DIRECT_STACK_BUDGET - (s.stack.value as number)}`); // the budget set, less the copy's frame
      }
      return out;
    };

    it("run the copy on the budget given, return the fuel burned and leave the counter as they found it: the host's trampoline instance, value for value", () => {
      const [own, ref] = pair();
      const a = trace(own);
      expect(a).toEqual(trace(ref));
      expect(a.some((l) => l.startsWith(`threw ${DirectTrap.OVERRUN}`))).toBe(true);
      expect(a[0]).toMatch(/^burned [1-9]\d* fuel 12345 stack used [1-9]\d{1,3}$/);
    });

    it("inline their copy's body (locals moved up one, returns at any depth branching to the entry's end) with the same outcomes, memory and fuel as the trampoline around the copy", () => {
      const [own, ref] = pair(RETURNS);
      const activations = [...ACTIVATIONS, [2, 1 << 20], [400, 1 << 20], [9, 1 << 20]]; // the deep return; the trap
      const a = trace(own, activations);
      expect(a).toEqual(trace(ref, activations));
      expect([...own.memory.slice(1, 2)]).toEqual([...ref.memory.slice(1, 2)]); // the last store, at key 8
      expect(a.some((l) => l.startsWith(`threw ${DirectTrap.OVERRUN}`) || l.startsWith(`threw ${DirectTrap.DIV_ZERO}`))).toBe(true);
      // The entry that calls its copy (as before porttake3's inlining) gives the same again.
      callingEntriesForTest(true);
      try {
        const [calling] = pair(RETURNS);
        expect(trace(calling, activations)).toEqual(a);
      } finally {
        callingEntriesForTest(false);
      }
    });

    it('fail that comparison when the entry leaves its budget in the counter (mutateDirectCopyForTest("entry"))', () => {
      mutateDirectCopyForTest("entry");
      try {
        const [own, ref] = pair();
        expect(trace(own)).not.toEqual(trace(ref));
      } finally {
        mutateDirectCopyForTest(null);
      }
    });
  });

  it("bound their stack: a recursion past the budget throws STACK where the engine's own limit is far away, and the budget is whole again after every return", () => {
    const { copied, budget } = make(TRAPS, ["deep"]);
    const deep = copied[DIRECT_EXPORT_PREFIX + "deep"] as (n: number) => number;
    // The activation's entry takes its own frame (the catcher sets the budget afresh for each activation); every inner frame is given back.
    budget.value = 64 * 1024;
    expect(deep(0)).toBe(0);
    const afterOne = budget.value as number;
    expect(afterOne).toBeLessThan(64 * 1024);
    budget.value = 64 * 1024;
    expect(deep(50)).toBe(50);
    expect(budget.value).toBe(afterOne);
    expect(outcome(() => deep(100_000), true)).toBe(`trap: ${DIRECT_TRAP_MESSAGES[DirectTrap.STACK]}`);
    budget.value = 64 * 1024;
    expect(outcome(() => deep(300), true)).toBe(`trap: ${DIRECT_TRAP_MESSAGES[DirectTrap.STACK]}`); // 300 frames of >= 128 bytes
  });

  it("bound frames from above in both of V8's tiers: with a budget of all but 64 KiB of the engine's 984 KiB stack, a runaway recursion of any shape throws STACK and never overflows the engine (central and JSPI stacks)", async () => {
    for (const [locals, depth] of [
      [0, 0],
      [64, 0],
      [0, 200],
      [16, 100],
      [200, 0],
    ]) {
      const decl = locals > 0 ? `(local ${"i64 ".repeat(locals)})` : "";
      let touch = "";
      for (let i = 1; i <= locals; i++) touch += `(local.set ${i} (i64.add (local.get ${i}) (i64.extend_i32_u (local.get 0))))`;
      const src = `(module (memory 1)
        (func $r (param i32) (result i64) ${decl} ${touch}
          (if (result i64) (i32.eqz (local.get 0)) (then (i64.const 0)) (else
            ${"(i64.extend_i32_u (local.get 0)) ".repeat(depth)}
            (call $r (i32.sub (local.get 0) (i32.const 1)))
            ${"(i64.add) ".repeat(depth)})))
        (func (export "go") (param i32) (result i64) (call $r (local.get 0))))`;
      const d = addDirectCopies(readModule(wat(src)), ["go"]);
      const e = new WebAssembly.Instance(new WebAssembly.Module(d.bytes as Uint8Array<ArrayBuffer>), {
        wasmos: { [DIRECT_TAG_IMPORT.name]: tag },
      } as unknown as WebAssembly.Imports).exports;
      const copy = e[DIRECT_EXPORT_PREFIX + "go"] as (n: number) => bigint;
      const budget = e[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global;
      const onJspi = WebAssembly.promising(copy);
      for (let round = 0; round < 3; round++) {
        for (const run of [async (n: number) => copy(n), onJspi]) {
          budget.value = (984 - 64) * 1024;
          let got = "returned";
          try {
            await run(10_000_000);
          } catch (x) {
            got = x instanceof WebAssembly.Exception && x.is(tag) ? `kind ${x.getArg(tag, 0)}` : String(x);
          }
          expect(got, `${locals} locals, operand depth ${depth}`).toBe(`kind ${DirectTrap.STACK}`);
        }
      }
    }
  });

  it("are caught by a wasm caller in another module (try_table, through a funcref table), which carries on", () => {
    const { copied, budget } = make(TRAPS, ["unreach", "load", "deep"]);
    const table = new WebAssembly.Table({ element: "anyfunc", initial: 3 });
    table.set(0, copied[DIRECT_EXPORT_PREFIX + "unreach"] as () => void);
    table.set(1, copied[DIRECT_EXPORT_PREFIX + "load"] as () => void);
    table.set(2, copied[DIRECT_EXPORT_PREFIX + "deep"] as () => void);
    const sender = new WebAssembly.Instance(
      new WebAssembly.Module(
        wat(`(module
      (import "k" "tag" (tag $t (param i32)))
      (import "k" "table" (table $tab 3 funcref))
      (type $h (func (param i32) (result i32)))
      ;; -kind on the tag, the handler's result otherwise
      (func (export "send") (param $slot i32) (param $v i32) (result i32)
        (block $caught (result i32)
          (try_table (catch $t $caught)
            (return (call_indirect $tab (type $h) (local.get $v) (local.get $slot))))
          unreachable)
        (i32.mul (i32.const -1)))
    )`) as Uint8Array<ArrayBuffer>,
      ),
      { k: { tag, table } } as unknown as WebAssembly.Imports,
    ).exports.send as (slot: number, v: number) => number;
    budget.value = 1 << 20;
    expect(sender(0, 0)).toBe(5);
    expect(sender(0, 1)).toBe(-DirectTrap.UNREACHABLE);
    expect(sender(1, 8)).toBe(0);
    expect(sender(1, 70000)).toBe(-DirectTrap.MEMORY);
    expect(sender(2, 1 << 22)).toBe(-DirectTrap.STACK);
  });

  it("are refused, naming the instruction, for handlers that reach an indirect call, a tail call or a trapping table access; other handlers of the module still get theirs", () => {
    const src = `(module
      (memory 1)
      (table 2 funcref)
      (type $v (func))
      (func $leaf)
      (func $ind (call_indirect (type $v) (i32.const 0)))
      (func (export "a") (param i32 i32 i64) (call $ind))
      (func (export "b") (param i32 i32 i64) (return_call $leaf))
      (func (export "c") (param i32 i32 i64) (drop (table.get 0 (i32.const 5))))
      (func (export "ok") (param i32 i32 i64) (call $leaf)))`;
    const m = readModule(wat(src));
    const d = addDirectCopies(m, ["a", "b", "c", "ok", "missing"]);
    expect(Object.fromEntries(d.refused)).toEqual({
      a: "function 1 uses call_indirect",
      b: "function 3 uses return_call",
      c: "function 4 uses table.get",
      missing: "no such function export",
    });
    expect([...d.copies.keys()]).toEqual(["ok"]);
    expect(WebAssembly.validate(d.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});

const SUITE = process.env.SPEC_SUITE ?? "../shared/wasm-spec-testsuite";
const FULL = process.env.SPEC_FULL === "1";

describe.skipIf(!existsSync(SUITE))(`direct copies on the official spec suite (${FULL ? "every script" : "every 5th script"})`, () => {
  it("call a direct copy of every exported function that gets one in place of the export: every outcome is the assembled module's (a tag read as its trap), no copy traps", async () => {
    const all = specFiles(SUITE);
    const files = FULL ? all : all.filter((_, i) => i % 5 === 0);
    const before = { ...directCopyCounts };
    const t = await runSpec({ dir: SUITE, files, variants: ["assembled", "direct"] });
    const actions = directCopyCounts.actions - before.actions;
    const trapped = directCopyCounts.trapped - before.trapped;
    console.log(
      `spec suite, direct copies: ${t.files} scripts, ${actions} actions through a copy (${trapped} of them trapping), ${t.differences.length} differences`,
    );
    expect(t.differences.slice(0, 5)).toEqual([]);
    expect(t.hostExceptions.slice(0, 5)).toEqual([]);
    expect(actions).toBeGreaterThan(FULL ? 20_000 : 3_000);
    expect(trapped).toBeGreaterThan(FULL ? 500 : 50);
  }, 600_000);
});

describe.skipIf(!existsSync(SUITE))("the spec-suite comparison of direct copies", () => {
  it("fails with a planted bug: a bounds check one byte short lets a copy trap for real (address.wast, memory_trap.wast)", async () => {
    mutateDirectCopyForTest("bounds");
    try {
      const t = await runSpec({ dir: SUITE, files: ["address.wast", "memory_trap.wast"], variants: ["assembled", "direct"] });
      expect(t.differences.length).toBeGreaterThan(0);
      expect(t.differences[0].got).toMatch(/^uncontained trap: memory access out of bounds/);
    } finally {
      mutateDirectCopyForTest(null);
    }
  });
});
