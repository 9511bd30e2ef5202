// The fuel pass itself: what it adds, where it charges and how much, and how
// the loader applies it (once per module, cached by content hash).
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel, ModuleRefusedError } from "../../host/kernel.ts";
import {
  chargePoints,
  FUEL_GLOBAL_EXPORT,
  FUEL_IMPORT,
  INLINE_MAX_BYTES,
  MAX_BOUNDED_WEIGHT,
  planFuel,
} from "../../loader/instrument/fuel.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { ImageLoader } from "../../loader/loader.ts";
import { readModule } from "../../wasm/reader.ts";
import { editModule, PatchBuffer, patchList, type CodePatch } from "../../wasm/writer.ts";
import { guest, wat } from "../helpers/wat.ts";

const utf8 = new TextDecoder();

/** Prints after 3 ms of virtual time: only if the looper beside it is preempted. */
const SURVIVOR = guest(`
  (data (i32.const 0) "survivor ok\\n")
  (func (export "_start")
    (drop (call $sleep (i64.const 3000000)))
    (drop (call $console_write (i32.const 0) (i32.const 12))))`);

/** Runs a guest that never ends beside SURVIVOR; returns what was printed and the looper's CPU time (ns). */
async function spinsBesideSurvivor(looper: Uint8Array): Promise<{ out: string; cpu: number }> {
  let out = "";
  const k = new Kernel({ stdout: (b) => (out += utf8.decode(b)) });
  const images = [k.loadImage(looper, "looper"), k.loadImage(SURVIVOR, "survivor")];
  const spinner = k.spawn(images[0]);
  const survivor = k.spawn(images[1]);
  for (const img of images) k.release(img);
  await survivor.exited;
  const cpu = k.core.sched.cpuTime(spinner.process);
  k.core.terminate(spinner.process, 0, ExitReason.KILLED, "test over");
  await k.run();
  spinner.close();
  survivor.close();
  return { out, cpu };
}

const LOOPS = wat(`(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $nested (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s (call $leaf (local.get $s)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func $rec (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (call $rec (i32.sub (local.get 0) (i32.const 1)))))))`);

describe("the fuel pass", () => {
  it("charges function entries and loop headers, weighted by the instructions of the region each guards", () => {
    const m = readModule(LOOPS);
    // $leaf: no loop, no call: bounded, left alone.
    expect(chargePoints(m, 0)).toEqual([]);
    // $nested: entry region = 6 instructions (loop, end, local.get, end + ... ), inner body includes the leaf's weight.
    const points = chargePoints(m, 1);
    expect(points.map((p) => p.kind)).toEqual(["entry", "loop", "loop"]);
    const [entry, outer, inner] = points.map((p) => p.weight);
    // entry: loop, local.get $s, end (function) = 3
    expect(entry).toBe(3);
    // outer body: local.set(i32.const) 2, loop 1, local.set(add(get,const)) 4, br_if(lt_u(get, get)) 4, end 1 = 12
    expect(outer).toBe(12);
    // inner body: local.get, call, local.set = 3, plus $leaf's 4; j += 1: 4; br_if: 4; end: 1 = 16
    expect(inner).toBe(16);
    // $rec: recursive, so metered, entry only.
    expect(chargePoints(m, 2).map((p) => p.kind)).toEqual(["entry"]);
  });

  it("adds an i32 counter global exported as __wasmos_fuel and imports the fuel function as function 0", () => {
    const m = readModule(LOOPS);
    const plan = planFuel(m);
    expect(plan.globalIndex).toBe(1);
    expect(plan.metered).toBe(2);
    expect(plan.bounded).toBe(1);
    const out = new WebAssembly.Module(editModule(m, plan.edits) as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.imports(out)).toEqual([{ module: FUEL_IMPORT.module, name: FUEL_IMPORT.name, kind: "function" }]);
    expect(WebAssembly.Module.exports(out)).toContainEqual({ name: FUEL_GLOBAL_EXPORT, kind: "global" });
    // Function indices moved up by one, and the exports still reach the right code.
    let refills = 0;
    const imports = {
      [FUEL_IMPORT.module]: {
        [FUEL_IMPORT.name]: () => {
          refills++;
          (inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global).value = 5;
        },
      },
    };
    const inst: WebAssembly.Instance = new WebAssembly.Instance(out, imports);
    expect((inst.exports.nested as (n: number) => number)(4)).toBe(12);
    expect((inst.exports.rec as (n: number) => number)(50)).toBe(0);
    expect(refills).toBeGreaterThan(10);
  });

  it("leaves heavy bounded functions metered (so no single charge is huge)", () => {
    const body = Array.from({ length: MAX_BOUNDED_WEIGHT }, () => "(drop (i32.const 1))").join(" ");
    const m = readModule(wat(`(module (func $big ${body}) (func (export "f") (call $big)))`));
    expect(chargePoints(m, 0).map((p) => p.kind)).toEqual(["entry"]);
    expect(planFuel(m).maxWeight).toBeLessThanOrEqual(3 * MAX_BOUNDED_WEIGHT);
  });
});

describe("fewer charge points", () => {
  // $work loops; $mid and $pair are loop-free and reached only by direct calls; $a and $b call each other.
  const FOLD = wat(`(module
    (import "wasmos" "exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (table 1 funcref) (elem (i32.const 0) $tabled)
    (func $work (param $n i32) (result i32) (local $i i32)
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $i))
    (func $mid (param i32) (result i32) (i32.add (call $work (local.get 0)) (call $work (i32.const 2))))
    (func $pair (param i32) (result i32) (i32.mul (call $mid (local.get 0)) (i32.const 3)))
    (func $top (export "top") (param i32) (result i32) (call $pair (local.get 0)))
    (func $tabled (param i32) (result i32) (call $work (local.get 0)))
    (func $a (param i32) (result i32) (if (result i32) (local.get 0) (then (call $b (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0))))
    (func $b (param i32) (result i32) (call $a (local.get 0)))
    (func (export "cycle") (param i32) (result i32) (call $a (local.get 0)))
    (func $spin (export "spin") (param $n i32) (local $i i32)
      (loop $l
        (drop (call $work (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`);
  // Function indices: 0 is the import; $work 1, $mid 2, $pair 3, $top 4, $tabled 5, $a 6, $b 7, cycle 8, $spin 9.

  it("charges a loop-free function reached only by direct calls at its callers' call sites, not at its own entry", () => {
    const m = readModule(FOLD);
    expect(chargePoints(m, 2)).toEqual([]);
    expect(chargePoints(m, 3)).toEqual([]);
    // $mid: local.get, call, i32.const, call, i32.add, end = 6; $pair: local.get, call ($mid's 6), i32.const, i32.mul, end = 5 + 6.
    // $top: local.get, call ($pair's 11), end = 2 + 11.
    const [top] = chargePoints(m, 4);
    expect(top).toMatchObject({ kind: "entry", weight: 3 + 11 });
    // Its calls still reach metered code: a function with a local stores and reloads it around them (the plan runs).
    const plan = planFuel(m);
    expect(plan.folded).toBe(3); // $mid, $pair, and $b (its cycle with $a keeps $a's charge)
    const out = new WebAssembly.Module(editModule(m, plan.edits) as Uint8Array<ArrayBuffer>);
    let refills = 0;
    const inst: WebAssembly.Instance = new WebAssembly.Instance(out, {
      wasmos: {
        exit: () => {},
        [FUEL_IMPORT.name]: () => {
          refills++;
          (inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global).value = 7;
        },
      },
    });
    expect((inst.exports.top as (n: number) => number)(100)).toBe((100 + 2) * 3);
    expect((inst.exports.cycle as (n: number) => number)(1000)).toBe(0);
    expect(refills).toBeGreaterThan(20);
  });

  it("keeps the entry charge of exported and tabled functions, and of one function on every cycle of calls", () => {
    const m = readModule(FOLD);
    expect(chargePoints(m, 4).map((p) => p.kind)).toEqual(["entry"]); // exported
    expect(chargePoints(m, 5).map((p) => p.kind)).toEqual(["entry"]); // in a table
    const onCycle = [6, 7].filter((f) => chargePoints(m, f).length > 0);
    expect(onCycle).toHaveLength(1);
  });

  it("meters a function whose loops all make calls on the global (no local to keep in sync), and one with a call-free loop on a local", () => {
    const m = readModule(FOLD);
    const plan = planFuel(m);
    expect(plan.edits.addLocals?.has(9)).toBe(false); // $spin's loop calls $work
    expect(plan.edits.addLocals?.has(1)).toBe(true); // $work's loop makes no call
  });
});

describe("small bounded callees inlined into loops", () => {
  // $get: a typed-array accessor's shape (a bounds check whose failure calls an import that does not return), a
  // return from inside a block, and locals of four types read before they are written (a call starts them at zero).
  const ACCESSOR = wat(`(module
    (import "env" "abort" (func $abort (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a")
    (func $get (param $a i32) (param $i i32) (result i32) (local $t i32) (local $w i64) (local $f f32) (local $d f64)
      (if (i32.ge_u (local.get $i) (i32.const 10)) (then (call $abort (local.get $i)) (unreachable)))
      (if (i64.ne (local.get $w) (i64.const 0)) (then (unreachable)))
      (if (f32.ne (local.get $f) (f32.const 0)) (then (unreachable)))
      (if (f64.ne (local.get $d) (f64.const 0)) (then (unreachable)))
      (local.set $w (i64.const 5)) (local.set $f (f32.const 1)) (local.set $d (f64.const 1))
      (local.set $t (i32.add (local.get $t) (i32.load8_u (i32.add (local.get $a) (local.get $i)))))
      (block $odd
        (br_if $odd (i32.and (local.get $i) (i32.const 1)))
        (return (i32.mul (local.get $t) (i32.const 100))))
      (local.get $t))
    (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $get (i32.const 16) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $s))
    (func (export "once") (param $i i32) (result i32) (call $get (i32.const 16) (local.get $i))))`);

  /** Runs `sum(n)` with slices of `slice` fuel; returns its result (or the trap's message) and the fuel burned. */
  function sum(bytes: Uint8Array, n: number, slice: number): { result: number | string; fuel: number } {
    let given = slice;
    const imports = {
      env: {
        abort: (i: number) => {
          throw new Error(`abort ${i}`);
        },
      },
      [FUEL_IMPORT.module]: {
        [FUEL_IMPORT.name]: () => {
          const g = inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
          g.value = (g.value as number) + slice;
          given += slice;
        },
      },
    };
    const inst: WebAssembly.Instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
    (inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global).value = slice;
    let result: number | string;
    try {
      result = (inst.exports.sum as (n: number) => number)(n);
    } catch (e) {
      result = (e as Error).message;
    }
    return { result, fuel: given - ((inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global).value as number) };
  }

  it("replaces a call in a loop by the callee's body, with the same results and the same fuel burned as the call", () => {
    const m = readModule(ACCESSOR);
    const plan = planFuel(m);
    expect(plan.inlined).toBe(1); // the call in $sum's loop; not the one in the loop-free "once"
    const inlined = editModule(m, plan.edits);
    const called = editModule(m, planFuel(m, undefined, { inline: false }).edits);
    // In the output, function 0 is the fuel import, 1 env.abort, 2 $get, 3 sum: sum calls $get no more.
    const out = readModule(inlined);
    const calls: number[] = [];
    forEachInstruction(out, 3, (ins) => {
      if (ins.opcode === 0x10) calls.push(ins.index);
    });
    expect(calls).not.toContain(2);
    const plain = new WebAssembly.Instance(new WebAssembly.Module(ACCESSOR as Uint8Array<ArrayBuffer>), { env: { abort: () => {} } });
    const expected = (n: number) => (plain.exports.sum as (n: number) => number)(n);
    for (const n of [0, 1, 2, 7, 10]) {
      for (const slice of [1, 7, 1000]) {
        const a = sum(inlined, n, slice);
        const b = sum(called, n, slice);
        expect(a.result, `sum(${n})`).toBe(expected(n));
        expect(a).toEqual(b);
      }
    }
    expect(sum(inlined, 12, 5)).toEqual(sum(called, 12, 5)); // the bounds check's abort, inlined, still runs
    expect(sum(inlined, 12, 5).result).toBe("abort 10");
  });

  it("leaves callees alone that make a call that returns, are larger than INLINE_MAX_BYTES or declare many locals", () => {
    const big = Array.from({ length: INLINE_MAX_BYTES }, () => "(drop (i32.const 1))").join(" ");
    const m = readModule(
      wat(`(module
        (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func $mid (param i32) (result i32) (call $leaf (local.get 0)))
        (func $big (param i32) (result i32) ${big} (local.get 0))
        (func $many (param i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (local.get 0))
        (func (export "run") (param $n i32) (result i32) (local $s i32)
          (loop $l
            (local.set $s (i32.add (call $mid (local.get $s)) (call $big (local.get $s))))
            (local.set $s (call $many (local.get $s)))
            (br_if $l (i32.lt_u (local.get $s) (local.get $n))))
          (local.get $s)))`),
    );
    expect(planFuel(m).inlined).toBe(0);
  });
});

describe("hostile shapes the fewer charge points must still preempt", () => {
  const cases: [string, string][] = [
    [
      "an endless loop whose every iteration calls a loop-free helper that makes a syscall (the global, a folded callee)",
      `(func $helper (result i32) (call $arg_count))
       (func $inner (result i32) (i32.add (call $helper) (i32.const 1)))
       (func (export "_start") (local $s i32) (loop $l (local.set $s (i32.add (local.get $s) (call $inner))) (br $l)))`,
    ],
    [
      "endless mutual recursion through tail calls between loop-free internal functions",
      `(func $a (param i32) (return_call $b (i32.add (local.get 0) (i32.const 1))))
       (func $b (param i32) (return_call $c (local.get 0)))
       (func $c (param i32) (return_call $a (local.get 0)))
       (func (export "_start") (call $a (i32.const 0)))`,
    ],
    [
      "an endless loop of call_indirect to a loop-free function",
      `(table 1 funcref) (elem (i32.const 0) $f)
       (type $t (func (param i32) (result i32)))
       (func $f (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
       (func (export "_start") (local $s i32) (loop $l (local.set $s (call_indirect (type $t) (local.get $s) (i32.const 0))) (br $l)))`,
    ],
    [
      "endless recursion through return_call_indirect",
      `(table 1 funcref) (elem (i32.const 0) $f)
       (type $t (func (param i32)))
       (func $f (param i32) (return_call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)))
       (func (export "_start") (call $f (i32.const 0)))`,
    ],
    [
      "an endless loop whose every iteration calls a small accessor the rewrite inlines",
      `(func $get (param i32) (result i32) (i32.load8_u (i32.and (local.get 0) (i32.const 1023))))
       (func (export "_start") (local $s i32) (loop $l (local.set $s (i32.add (local.get $s) (call $get (local.get $s)))) (br $l)))`,
    ],
    [
      "an endless br_table loop",
      `(func (export "_start") (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_table $l $l (i32.and (local.get $i) (i32.const 1)))))`,
    ],
  ];
  for (const [name, body] of cases) {
    it(`${name}: the other process still runs`, async () => {
      const r = await spinsBesideSurvivor(guest(body));
      expect(r.out).toBe("survivor ok\n");
      expect(r.cpu).toBeGreaterThan(3_000_000); // the spinner had the CPU for the survivor's whole sleep
    });
  }
});

describe("the loader", () => {
  const HELLO = guest(`(func (export "_start"))`);

  it("instruments by default and not with { instrument: false }", () => {
    const metered = new ImageLoader().load(HELLO, "m");
    const plain = new ImageLoader(undefined, { instrument: false }).load(HELLO, "p");
    expect(metered.metered).toBe(true);
    expect(plain.metered).toBe(false);
    expect(WebAssembly.Module.imports(metered.module).some((i) => i.name === FUEL_IMPORT.name)).toBe(true);
    expect(WebAssembly.Module.imports(plain.module).some((i) => i.name === FUEL_IMPORT.name)).toBe(false);
  });

  it("instruments and compiles a module once: the same bytes again come from the cache", () => {
    const loader = new ImageLoader();
    const a = loader.load(HELLO, "a");
    const b = loader.load(HELLO, "b");
    expect(loader.stats).toEqual({ compiled: 1, cacheHits: 1 });
    expect(b.module).toBe(a.module);
    expect(b.name).toBe("b");
  });

  it("refuses a guest that imports the fuel function or exports the counter's name", () => {
    const importsFuel = wat(
      `(module (import "wasmos" "${FUEL_IMPORT.name}" (func)) (memory (export "memory") 1) (func (export "_start")))`,
    );
    const exportsCounter = wat(
      `(module (memory (export "memory") 1) (global (export "${FUEL_GLOBAL_EXPORT}") (mut i32) (i32.const 0)) (func (export "_start")))`,
    );
    expect(() => new ImageLoader().load(importsFuel, "x")).toThrow(ModuleRefusedError);
    expect(() => new ImageLoader().load(exportsCounter, "y")).toThrow(/reserved/);
  });

  it("gives the guest no way to reach the counter: its index did not exist when the module was validated", () => {
    // A module naming global 0 with no globals is invalid before instrumentation, so it is refused, not metered.
    const bytes = wat(
      `(module (memory (export "memory") 1) (func (export "_start") (global.set 0 (i32.const 1))))`.replace(
        "(global.set 0",
        "(global.set 0",
      ),
    );
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(false);
    expect(() => new ImageLoader().load(bytes, "z")).toThrow(ModuleRefusedError);
  });
});

describe("the writer's edits for instrumentation", () => {
  const m = readModule(
    wat(
      `(module (global $a i32 (i32.const 7)) (func (export "f") (param i32) (result i32) (local i64) (i32.add (local.get 0) (global.get $a))))`,
    ),
  );
  const body = m.code[0];
  // The body's instructions: local.get 0 @bodyStart (2 bytes), global.get 0 (2), i32.add (1), end (1).
  const at = body.bodyStart;

  it("appends globals and locals without moving existing indices", () => {
    const out = editModule(m, {
      addGlobals: [
        { type: "i32", mutable: true, init: 41 },
        { type: "i64", mutable: false, init: -2n },
      ],
      addLocals: new Map([[0, ["i32", "f64"]]]),
      addExports: [
        { name: "g1", kind: "global", index: 1 },
        { name: "g2", kind: "global", index: 2 },
      ],
      // Insert `local.get 0; local.set 2` (the first new local) before the first instruction.
      codePatches: new Map([[0, [{ at, end: at, bytes: new Uint8Array([0x20, 0x00, 0x21, 0x02]) }]]]),
    });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>));
    expect((inst.exports.f as (x: number) => number)(5)).toBe(12);
    expect((inst.exports.g1 as WebAssembly.Global).value).toBe(41);
    expect((inst.exports.g2 as WebAssembly.Global).value).toBe(-2n);
  });

  it("replaces one instruction, and refuses patches that are out of order or not at an instruction", () => {
    // Replace `global.get 0` by `i32.const 100`.
    const out = editModule(m, { codePatches: new Map([[0, [{ at: at + 2, end: at + 4, bytes: new Uint8Array([0x41, 0xe4, 0x00]) }]]]) });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>));
    expect((inst.exports.f as (x: number) => number)(5)).toBe(105);
    const nop = new Uint8Array([0x01]);
    expect(() => editModule(m, { codePatches: new Map([[0, [{ at: at + 1, end: at + 1, bytes: nop }]]]) })).toThrow(
      /not at an instruction/,
    );
    expect(() =>
      editModule(m, {
        codePatches: new Map([
          [
            0,
            [
              { at: at + 2, end: at + 2, bytes: nop },
              { at, end: at, bytes: nop },
            ],
          ],
        ]),
      }),
    ).toThrow(/out of order/);
    expect(() => editModule(m, { codePatches: new Map([[0, [{ at, end: at + 4, bytes: nop }]]]) })).toThrow(
      /does not span one instruction/,
    );
    expect(() => editModule(m, { codePatches: new Map([[9, []]]) })).toThrow(/has no body/);
    expect(() => editModule(m, { addGlobals: [{ type: "f32", mutable: true, init: 0 }] })).toThrow(/not i32 or i64/);
  });

  it("takes patches as runs of one buffer's records with the same meaning as lists, and refuses the same mistakes", () => {
    const list: CodePatch[] = [
      { at, end: at, bytes: new Uint8Array([0x01]) }, // nop before local.get 0
      { at: at + 2, end: at + 4, bytes: new Uint8Array([0x41, 0xe4, 0x00]) }, // i32.const 100 for global.get 0
    ];
    // One buffer for two functions' worth of records: the run starts after another function's.
    const buffer = new PatchBuffer();
    buffer.addBytes(0, 0, new Uint8Array([0xff, 0xff]));
    const first = buffer.count;
    for (const pt of list) buffer.addBytes(pt.at, pt.end, pt.bytes);
    const run = buffer.run(first);
    expect(patchList(run).map((pt) => [pt.at, pt.end, [...pt.bytes]])).toEqual(list.map((pt) => [pt.at, pt.end, [...pt.bytes]]));
    const fromRun = editModule(m, { codePatches: new Map([[0, run]]) });
    expect(fromRun).toEqual(editModule(m, { codePatches: new Map([[0, list]]) }));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(fromRun as Uint8Array<ArrayBuffer>));
    expect((inst.exports.f as (x: number) => number)(5)).toBe(105);
    const reversed = new PatchBuffer();
    for (const pt of [...list].reverse()) reversed.addBytes(pt.at, pt.end, pt.bytes);
    expect(() => editModule(m, { codePatches: new Map([[0, reversed.run(0)]]) })).toThrow(/out of order/);
    const outside = new PatchBuffer();
    outside.addBytes(body.end + 1, body.end + 1, new Uint8Array([0x01]));
    expect(() => editModule(m, { codePatches: new Map([[0, outside.run(0)]]) })).toThrow(/outside the body/);
  });

  it("caps the maximum of tables without one", () => {
    const t = readModule(
      wat(
        `(module (table 2 funcref) (table 1 10 externref) (func (export "grow") (result i32) (table.grow 0 (ref.null func) (i32.const 5))))`,
      ),
    );
    const out = new WebAssembly.Module(editModule(t, { capTableMax: 4 }) as Uint8Array<ArrayBuffer>);
    const inst = new WebAssembly.Instance(out);
    expect((inst.exports.grow as () => number)()).toBe(-1);
    expect(readModule(editModule(t, { capTableMax: 4 })).tables.map((x) => x.limits.max)).toEqual([4, 4]);
  });
});
