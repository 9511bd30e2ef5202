import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { forEachInstruction } from "../../wasm/decode.ts";
import { readModule } from "../../wasm/reader.ts";
import { ByteSink, WasmEditError, editModule, encodeS32, encodeS64, encodeU32, exportStartFunction, u32Size } from "../../wasm/writer.ts";
import { compileAsGuest, instantiateWithStubs, wat } from "./helpers.ts";

const TICK = { module: "fuel", name: "tick", params: [], results: [] } as const;

/** A module that uses function indices everywhere they can appear. */
const INDEXED = `(module
  (import "env" "log" (func $log (param i32)))
  (type $binop (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table $t 4 funcref)
  (global $started (mut i32) (i32.const 0))
  (global $addRef funcref (ref.func $add))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $init (global.set $started (i32.const 1)))
  (func (export "apply") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $binop) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "twice") (param i32) (result i32)
    (call $add (local.get 0) (local.get 0)))
  (func (export "started") (result i32) (global.get $started))
  (func (export "viaGlobal") (result i32)
    (table.set $t (i32.const 2) (global.get $addRef))
    (call_indirect $t (type $binop) (i32.const 40) (i32.const 2) (i32.const 2)))
  (func (export "viaTableSet") (result i32)
    (table.set $t (i32.const 3) (ref.func $sub))
    (call_indirect $t (type $binop) (i32.const 10) (i32.const 3) (i32.const 3)))
  (func $tail (export "tail") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 99))
      (else (return_call $tail (i32.sub (local.get 0) (i32.const 1))))))
  (elem (table $t) (i32.const 0) func $add $sub)
  (elem declare func $sub)
  (start $init))`;

describe("the module writer", () => {
  it("encodes LEB128 like the spec's examples", () => {
    expect([...encodeU32(0)]).toEqual([0x00]);
    expect([...encodeU32(127)]).toEqual([0x7f]);
    expect([...encodeU32(128)]).toEqual([0x80, 0x01]);
    expect([...encodeU32(624485)]).toEqual([0xe5, 0x8e, 0x26]);
    expect([...encodeU32(0xffffffff)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect([...encodeS32(-1)]).toEqual([0x7f]);
    expect([...encodeS32(-123456)]).toEqual([0xc0, 0xbb, 0x78]);
    expect([...encodeS32(64)]).toEqual([0xc0, 0x00]);
    expect([...encodeS32(-0x80000000)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
    expect([...encodeS64(-(2n ** 63n))]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
    expect([...new ByteSink().u64(2n ** 64n - 1n).finish()]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(u32Size(127)).toBe(1);
    expect(u32Size(128)).toBe(2);
    expect(u32Size(0xffffffff)).toBe(5);
    expect(() => encodeU32(-1)).toThrow(RangeError);
    expect(() => encodeS32(2 ** 31)).toThrow(RangeError);
  });

  it("writes a sized run's length in the room kept for it, and moves the run when that room was too much or too little", () => {
    for (const room of [1, 2, 3, 5]) {
      for (const size of [0, 5, 127, 128, 300, 16383, 16384]) {
        const sink = new ByteSink(4).u8(0xaa);
        const mark = sink.beginSizedIn(room);
        for (let i = 0; i < size; i++) sink.u8(i & 0xff);
        sink.endSizedIn(mark, room).u8(0xbb);
        const expected = new ByteSink().u8(0xaa).u32(size);
        for (let i = 0; i < size; i++) expected.u8(i & 0xff);
        expect(sink.finish()).toEqual(expected.u8(0xbb).finish());
      }
    }
  });

  it("re-emits an unedited module byte for byte", () => {
    const bytes = wat(INDEXED);
    expect(editModule(readModule(bytes), {})).toEqual(bytes);
  });

  describe("removing the start section and exporting the start function", () => {
    it("keeps the module valid and lets the caller run the start function later", () => {
      const bytes = wat(INDEXED);
      const m = readModule(bytes);
      const out = exportStartFunction(m, "__wasmos_start");
      expect(WebAssembly.validate(out)).toBe(true);
      const edited = readModule(out);
      expect(edited.start).toBeNull();
      expect(edited.sections.some((s) => s.name === "start")).toBe(false);
      expect(edited.exports.at(-1)).toMatchObject({ name: "__wasmos_start", kind: "func", index: m.start });

      const original = instantiateWithStubs(bytes).exports as Record<string, () => number>;
      expect(original.started()).toBe(1);
      const hoisted = instantiateWithStubs(out).exports as Record<string, () => number>;
      expect(hoisted.started()).toBe(0);
      hoisted.__wasmos_start();
      expect(hoisted.started()).toBe(1);
    });

    it("copies every section it does not touch verbatim", () => {
      const bytes = wat(INDEXED);
      const m = readModule(bytes);
      const edited = readModule(exportStartFunction(m, "init"));
      for (const s of m.sections.filter((s) => s.name !== "start" && s.name !== "export")) {
        const twin = edited.sections.find((t) => t.id === s.id)!;
        expect(edited.bytes.subarray(twin.start, twin.end)).toEqual(bytes.subarray(s.start, s.end));
      }
    });

    it("creates an export section when the module has none", () => {
      const bytes = wat(`(module (global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 5))) (start $s))`);
      const out = exportStartFunction(readModule(bytes), "start");
      expect(WebAssembly.validate(out)).toBe(true);
      expect(readModule(out).sections.map((s) => s.name)).toEqual(["type", "function", "global", "export", "code"]);
    });

    it("returns a copy unchanged when there is no start function", () => {
      const bytes = wat(`(module (func (export "f")))`);
      expect(exportStartFunction(readModule(bytes), "x")).toEqual(bytes);
    });

    it("refuses duplicate export names and indices out of range", () => {
      const m = readModule(wat(INDEXED));
      expect(() => editModule(m, { addExports: [{ name: "apply", kind: "func", index: 0 }] })).toThrow(WasmEditError);
      expect(() => editModule(m, { addExports: [{ name: "x", kind: "func", index: 99 }] })).toThrow(/func 99 does not exist/);
      expect(() => editModule(m, { addExports: [{ name: "x", kind: "memory", index: 1 }] })).toThrow(/memory 1 does not exist/);
      expect(() => editModule(m, { prependFuncImport: { ...TICK, params: ["(ref 0)"] } })).toThrow(/cannot encode value type/);
    });
  });

  describe("capping memory maxima", () => {
    it("gives a memory without a maximum one, so growing past it fails", () => {
      const bytes = wat(`(module (memory (export "memory") 1)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
      const out = editModule(readModule(bytes), { capMemoryMax: 4 });
      expect(WebAssembly.validate(out)).toBe(true);
      expect(readModule(out).memories[0]).toMatchObject({ min: 1, max: 4 });
      const e = instantiateWithStubs(out).exports as Record<string, (n: number) => number>;
      expect(e.grow(10)).toBe(-1);
      expect(e.grow(3)).toBe(1);
      expect(e.grow(1)).toBe(-1);
    });

    it("lowers a larger maximum, keeps a smaller one, and leaves a module without memories as it was", () => {
      const lower = readModule(editModule(readModule(wat(`(module (memory 1 100))`)), { capMemoryMax: 8 }));
      expect(lower.memories[0].max).toBe(8);
      const small = wat(`(module (memory 1 2))`);
      expect(editModule(readModule(small), { capMemoryMax: 8 })).toEqual(small);
      const none = wat(`(module (func))`);
      expect(editModule(readModule(none), { capMemoryMax: 8 })).toEqual(none);
    });

    it("refuses a cap below a memory's minimum", () => {
      expect(() => editModule(readModule(wat(`(module (memory 5))`)), { capMemoryMax: 4 })).toThrow(
        "memory 0 needs 5 pages, more than the cap of 4",
      );
    });
  });

  describe("prepending a function import", () => {
    let bytes: Uint8Array;
    let out: Uint8Array<ArrayBuffer>;
    beforeAll(() => {
      bytes = wat(INDEXED);
      out = editModule(readModule(bytes), { prependFuncImport: TICK });
    });

    it("produces a valid module whose function 0 is the new import", () => {
      expect(WebAssembly.validate(out)).toBe(true);
      const m = readModule(out);
      expect(m.imports[0]).toMatchObject({ module: "fuel", name: "tick", kind: "func" });
      expect(m.importedFuncs).toBe(2);
      const t = m.types[(m.imports[0] as { type: number }).type];
      expect([t.params, t.results]).toEqual([[], []]);
    });

    it("shifts every function index: calls, tail calls, ref.func, elements, globals, exports, start", () => {
      const before = readModule(bytes);
      const after = readModule(out);
      expect(after.start).toBe(before.start! + 1);
      expect(after.exports.map((e) => [e.name, e.kind === "func" ? e.index - 1 : e.index])).toEqual(
        before.exports.map((e) => [e.name, e.index]),
      );
      expect(after.elements.map((e) => e.funcs!.map((f) => f - 1))).toEqual(before.elements.map((e) => e.funcs));
      const refs = (m: ReturnType<typeof readModule>) => {
        const found: number[] = [];
        for (const body of m.code) {
          forEachInstruction(m, body, (ins) => {
            if (ins.index >= 0 && /^(call|return_call|ref\.func)$/.test(ins.op.name)) found.push(ins.index);
          });
        }
        return found;
      };
      expect(refs(after)).toEqual(refs(before).map((f) => f + 1));
      const g = after.globals[1].init;
      expect([...after.bytes.subarray(g.start, g.end)]).toEqual([0xd2, 0x02, 0x0b]); // ref.func $add, was 1
    });

    it("behaves the same when instantiated and called", () => {
      let ticks = 0;
      const a = instantiateWithStubs(bytes).exports as Record<string, (...args: number[]) => number>;
      const b = instantiateWithStubs(out, { fuel: { tick: () => ticks++ } }).exports as Record<string, (...args: number[]) => number>;
      for (const e of [a, b]) {
        expect(e.started()).toBe(1);
        expect(e.apply(0, 7, 5)).toBe(12);
        expect(e.apply(1, 7, 5)).toBe(2);
        expect(e.twice(21)).toBe(42);
        expect(e.viaGlobal()).toBe(42);
        expect(e.viaTableSet()).toBe(7);
        expect(e.tail(100000)).toBe(99);
      }
      expect(ticks).toBe(0);
    });

    it("reuses an existing function type with the same signature", () => {
      const m = readModule(wat(`(module (type (func (param i32))) (func (type 0)))`));
      const edited = readModule(editModule(m, { prependFuncImport: { ...TICK, params: ["i32"] } }));
      expect(edited.types.length).toBe(1);
      expect(edited.imports[0]).toMatchObject({ type: 0 });
    });

    it("creates the type and import sections a module lacks", () => {
      const m = readModule(wat(`(module (memory 1))`));
      const out = editModule(m, { prependFuncImport: TICK, addExports: [{ name: "memory", kind: "memory", index: 0 }] });
      expect(WebAssembly.validate(out)).toBe(true);
      const edited = readModule(out);
      expect(edited.sections.map((s) => s.name)).toEqual(["type", "import", "memory", "export"]);
      expect(edited.exports[0]).toMatchObject({ name: "memory", kind: "memory", index: 0 });
    });

    it("widens an index whose LEB128 encoding grows from one byte to two", () => {
      const funcs = Array.from({ length: 130 }, (_, i) => `(func $f${i} (result i32) (i32.const ${i}))`).join("\n");
      const bytes = wat(`(module ${funcs} (func (export "last") (result i32) (call $f127)) (elem declare func $f127)
        (func (export "ref") (result funcref) (ref.func $f127)))`);
      const out = editModule(readModule(bytes), { prependFuncImport: TICK });
      expect(out.length).toBeGreaterThan(bytes.length);
      expect(WebAssembly.validate(out)).toBe(true);
      const e = instantiateWithStubs(out).exports as Record<string, () => number>;
      expect(e.last()).toBe(127);
    });

    it("renumbers the name section, so debuggers keep their names", () => {
      const bytes = wat(`(module (func $alpha (local $x i32)) (func $beta))`, { names: true });
      const named = readModule(bytes);
      expect([...named.functionNames]).toEqual([
        [0, "alpha"],
        [1, "beta"],
      ]);
      const out = editModule(named, { prependFuncImport: TICK });
      expect(WebAssembly.validate(out)).toBe(true);
      const edited = readModule(out);
      expect([...edited.functionNames]).toEqual([...named.functionNames].map(([i, n]) => [i + 1, n]));
    });

    it("keeps a real AssemblyScript guest working", async () => {
      const guest = await compileAsGuest();
      const out = editModule(readModule(guest), { prependFuncImport: TICK });
      expect(WebAssembly.validate(out)).toBe(true);
      const writes: number[] = [];
      const e = instantiateWithStubs(out, { wasmos: { console_write: (_p: number, n: number) => (writes.push(n), n) } }).exports as Record<
        string,
        (...a: number[]) => number
      >;
      e._start();
      expect(writes).toEqual([3]);
      expect(e.add(2, 3)).toBe(5);
      expect(e.sum(10)).toBe(45);
      expect(e.written_()).toBe(3);
      const names = readModule(out).functionNames;
      expect(names.size).toBeGreaterThan(0);
    });

    const bigModule = join(import.meta.dirname, "../../node_modules/@bytecodealliance/jco-transpile/vendor/wasm-tools.core.wasm");
    it.skipIf(!existsSync(bigModule))("rewrites a 2.4 MB compiler-generated module into a valid one", () => {
      const bytes = new Uint8Array(readFileSync(bigModule));
      const out = editModule(readModule(bytes), { prependFuncImport: TICK, removeStart: true });
      expect(WebAssembly.validate(out)).toBe(true);
      expect(readModule(out).code.length).toBe(readModule(bytes).code.length);
    });
  });
});

describe("appended functions and redirected calls", () => {
  // $get is an import; $twice calls it twice and tail-calls it: every site is redirected to an appended function
  // that adds 100 to what the import returns (and calls the import itself, by its output index).
  const SRC = `(module
    (import "env" "get" (func $get (param i32) (result i32)))
    (func (export "twice") (param i32) (result i32) (i32.add (call $get (local.get 0)) (call $get (local.get 0))))
    (func (export "tail") (param i32) (result i32) (return_call $get (local.get 0))))`;

  it("redirects every call and tail call of a function to an appended one, with and without a prepended import", () => {
    for (const shift of [0, 1]) {
      const m = readModule(wat(SRC));
      const appended = m.importedFuncs + m.functions.length;
      // (func (param i32) (result i32) (i32.add (call $get (local.get 0)) (i32.const 100)))
      const body = new ByteSink()
        .u32(0)
        .u8(0x20)
        .u32(0)
        .u8(0x10)
        .u32(0 + shift)
        .u8(0x41)
        .s32(100)
        .u8(0x6a)
        .u8(0x0b)
        .finish();
      const out = editModule(m, {
        ...(shift ? { prependFuncImport: TICK } : {}),
        appendFunctions: [{ type: m.imports[0].kind === "func" ? m.imports[0].type : -1, body }],
        redirectFuncs: new Map([[0, appended]]),
        addExports: [{ name: "added", kind: "func", index: appended }],
      });
      expect(WebAssembly.validate(out)).toBe(true);
      const calls: number[] = [];
      const inst = instantiateWithStubs(out, { env: { get: (x: number) => (calls.push(x), x * 2) } });
      const e = inst.exports as Record<string, (x: number) => number>;
      expect(e.twice(5)).toBe(220); // (10 + 100) * 2
      expect(e.tail(3)).toBe(106);
      expect(e.added(1)).toBe(102);
      expect(calls).toEqual([5, 5, 3, 1]);
    }
  });

  it("refuses an appended function with no code section to go in, or of a type that is not a function's", () => {
    const m = readModule(wat(SRC));
    const body = new ByteSink().u32(0).u8(0x41).s32(0).u8(0x0b).finish();
    expect(() => editModule(m, { appendFunctions: [{ type: 99, body }] })).toThrow(WasmEditError);
    const empty = readModule(wat(`(module (type (func (param i32) (result i32))))`));
    expect(() => editModule(empty, { appendFunctions: [{ type: 0, body }] })).toThrow(/no code section/);
  });
});
