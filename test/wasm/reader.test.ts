import { beforeAll, describe, expect, it } from "vitest";
import { Cursor } from "../../wasm/cursor.ts";
import { Feature, featureNames } from "../../wasm/opcodes.ts";
import { WasmParseError, formatSignature, funcType, functionName, memoryLimits, readModule, type WasmModule } from "../../wasm/reader.ts";
import { ByteSink } from "../../wasm/sink.ts";
import { assemble, body, compileAsGuest, name, prng, vec, wat } from "./helpers.ts";

/** The WasmParseError `f` throws (fails the test if it throws anything else or nothing). */
function parseError(f: () => unknown): WasmParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof WasmParseError) return e;
    throw e;
  }
  throw new Error("expected a WasmParseError");
}

const EVERY_SECTION = `(module
  (type $v (func))
  (type $ii (func (param i32) (result i32)))
  (import "wasmos" "exit" (func $exit (param i32)))
  (import "grant" "pcm" (memory $pcm 1 4))
  (import "env" "tbl" (table 2 funcref))
  (import "env" "g" (global $g i32))
  (import "env" "e" (tag $e (param i32)))
  (memory (export "memory") 2)
  (table $t2 3 10 funcref)
  (tag $own)
  (global $counter (mut i32) (i32.const 7))
  (global $fref funcref (ref.func $start))
  (func $start (type $v) (global.set $counter (i32.const 1)))
  (func $double (export "double") (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $locals (local i32 i32) (local i64) (local.set 2 (i64.const 1)))
  (start $start)
  (elem (i32.const 0) $start $double)
  (elem func $locals)
  (elem declare func $double)
  (data (i32.const 16) "hello")
  (data "passive")
  (data (i32.const 32) "own"))`;

describe("the module reader", () => {
  let m: WasmModule;
  let bytes: Uint8Array;
  beforeAll(() => {
    bytes = wat(EVERY_SECTION);
    m = readModule(bytes);
  });

  it("records every section's byte range, tiling the module after the header", () => {
    expect(m.sections.map((s) => s.name)).toEqual([
      "type",
      "import",
      "function",
      "table",
      "memory",
      "tag",
      "global",
      "export",
      "start",
      "element",
      "code",
      "data",
    ]);
    let at = 8;
    for (const s of m.sections) {
      expect(s.start).toBe(at);
      expect(s.contentStart).toBeGreaterThan(s.start);
      at = s.end;
    }
    expect(at).toBe(bytes.length);
  });

  it("reads imports of every kind with their types and limits", () => {
    expect(m.imports.map((i) => [i.module, i.name, i.kind])).toEqual([
      ["wasmos", "exit", "func"],
      ["grant", "pcm", "memory"],
      ["env", "tbl", "table"],
      ["env", "g", "global"],
      ["env", "e", "tag"],
    ]);
    const [exit, pcm, tbl, g] = m.imports;
    expect(exit.kind === "func" && formatSignature(m.types[exit.type].params, m.types[exit.type].results)).toBe("(i32) -> ()");
    expect(pcm.kind === "memory" && pcm.memory).toEqual({ min: 1, max: 4, shared: false, index64: false, pageSizeLog2: null });
    expect(tbl.kind === "table" && tbl.table.elemType).toBe("funcref");
    expect(g.kind === "global" && g.global).toEqual({ type: "i32", mutable: false });
    expect([m.importedFuncs, m.importedMemories, m.importedTables, m.importedGlobals, m.importedTags]).toEqual([1, 1, 1, 1, 1]);
    for (const imp of m.imports) expect(imp.end).toBeGreaterThan(imp.start);
  });

  it("reads definitions, exports, start and the index-space helpers", () => {
    expect(m.functions).toEqual([0, 1, 0]);
    expect(m.memories).toEqual([{ min: 2, max: null, shared: false, index64: false, pageSizeLog2: null }]);
    expect(m.tables.map((t) => [t.elemType, t.limits.min, t.limits.max])).toEqual([["funcref", 3, 10]]);
    expect(m.tags.length).toBe(1);
    expect(m.globals.map((g) => g.global)).toEqual([
      { type: "i32", mutable: true },
      { type: "funcref", mutable: false },
    ]);
    expect(m.exports.map((e) => [e.name, e.kind, e.index])).toEqual([
      ["memory", "memory", 1],
      ["double", "func", 2],
    ]);
    expect(m.start).toBe(1);
    expect(funcType(m, 2)?.params).toEqual(["i32"]);
    expect(funcType(m, 0)?.params).toEqual(["i32"]);
    expect(funcType(m, 9)).toBeUndefined();
    expect(memoryLimits(m, 0)?.max).toBe(4);
    expect(memoryLimits(m, 1)?.min).toBe(2);
    expect(functionName(m, 2)).toBe("double");
    expect(functionName(m, 1)).toBeNull();
  });

  it("keeps constant expressions, code bodies and data as byte ranges", () => {
    const init = m.globals[0].init;
    expect([...bytes.subarray(init.start, init.end)]).toEqual([0x41, 0x07, 0x0b]);
    const locals = m.code[2];
    expect(locals.locals).toEqual([
      { count: 2, type: "i32" },
      { count: 1, type: "i64" },
    ]);
    expect(bytes[locals.end - 1]).toBe(0x0b);
    expect(m.code.map((c) => c.index)).toEqual([1, 2, 3]);
    expect(m.data.map((d) => [d.mode, d.memory, new TextDecoder().decode(bytes.subarray(d.init.start, d.init.end))])).toEqual([
      ["active", 0, "hello"],
      ["passive", 0, "passive"],
      ["active", 0, "own"],
    ]);
    expect(m.dataCount).toBeNull();
    expect(m.elements.map((e) => [e.mode, e.funcs])).toEqual([
      ["active", [1, 2]],
      ["passive", [3]],
      ["declarative", [2]],
    ]);
  });

  it("notes the proposals used outside code, with where", () => {
    expect(featureNames(m.features)).toEqual(["reference-types", "exceptions", "multi-memory"]);
    expect(m.featureSites.find((s) => s.feature === Feature.MULTI_MEMORY)?.what).toBe("module has 2 memories");
    const exc = m.featureSites.find((s) => s.feature === Feature.EXCEPTIONS)!;
    expect(exc.what).toBe('import "env" "e" imports a tag');
  });

  it("reads a data segment for another memory as multi-memory", () => {
    const bytes = assemble([
      [
        5,
        vec([
          [0x00, 0x01],
          [0x00, 0x01],
        ]),
      ],
      [
        11,
        vec([
          [0x02, 0x01, 0x41, 0x08, 0x0b, ...name("own")],
          [0x01, ...name("p")],
        ]),
      ],
    ]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const m = readModule(bytes);
    expect(m.data.map((d) => [d.mode, d.memory, d.offset && [...bytes.subarray(d.offset.start, d.offset.end)]])).toEqual([
      ["active", 1, [0x41, 0x08, 0x0b]],
      ["passive", 0, null],
    ]);
    expect(m.featureSites.find((s) => s.feature === Feature.MULTI_MEMORY)?.what).toBe("data segment 0 initializes memory 1");
  });

  it("reads all eight element segment encodings", () => {
    const refFunc = [0xd2, 0x00, 0x0b];
    const i32 = (n: number) => [0x41, n, 0x0b];
    const bytes = assemble([
      [1, vec([[0x60, 0, 0]])],
      [3, vec([[0]])],
      [
        4,
        vec([
          [0x70, 0x00, 0x04],
          [0x70, 0x00, 0x04],
        ]),
      ],
      [
        9,
        vec([
          [0x00, ...i32(0), ...vec([[0]])],
          [0x01, 0x00, ...vec([[0]])],
          [0x02, 0x01, ...i32(1), 0x00, ...vec([[0]])],
          [0x03, 0x00, ...vec([[0]])],
          [0x04, ...i32(2), ...vec([refFunc, [0xd0, 0x70, 0x0b]])],
          [0x05, 0x70, ...vec([refFunc])],
          [0x06, 0x01, ...i32(3), 0x70, ...vec([refFunc])],
          [0x07, 0x70, ...vec([refFunc])],
        ]),
      ],
      [10, vec([body([0x0b])])],
    ]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const m = readModule(bytes);
    expect(m.elements.map((e) => [e.flags, e.mode, e.table, e.offset !== null, e.funcs?.length ?? e.exprs?.length])).toEqual([
      [0, "active", 0, true, 1],
      [1, "passive", 0, false, 1],
      [2, "active", 1, true, 1],
      [3, "declarative", 0, false, 1],
      [4, "active", 0, true, 2],
      [5, "passive", 0, false, 1],
      [6, "active", 1, true, 1],
      [7, "declarative", 0, false, 1],
    ]);
    for (const e of m.elements) expect(e.itemsStart).toBeGreaterThan(e.start);
  });

  it("recognises GC types: rec groups, sub types, structs and arrays", () => {
    const bytes = assemble([
      [
        1,
        [
          0x03,
          0x4e,
          0x02,
          0x5f,
          0x01,
          0x7f,
          0x01,
          0x50,
          0x01,
          0x00,
          0x5f,
          0x02,
          0x7f,
          0x01,
          0x7e,
          0x00, // rec { struct, sub 0 struct }
          0x5e,
          0x78,
          0x01, // array (mut i8)
          0x60,
          0x01,
          0x64,
          0x00,
          0x00, // func (param (ref 0))
        ],
      ],
    ]);
    const m = readModule(bytes);
    expect(m.types.map((t) => [t.kind, t.gcEncoding])).toEqual([
      ["struct", true],
      ["struct", true],
      ["array", false],
      ["func", false],
    ]);
    expect(m.types[1].fields).toEqual(["i32", "i64"]);
    expect(m.types[2].fields).toEqual(["i8"]);
    expect(m.types[3].params).toEqual(["(ref 0)"]);
    expect(m.featureSites.find((s) => s.feature === Feature.GC)!.what).toBe("type 0 is in a rec group");
    expect(m.features & Feature.FUNCTION_REFERENCES).toBeTruthy();
  });

  it("reads shared, 64-bit and custom-page-size limits", () => {
    const big = new ByteSink()
      .u8(0x05)
      .u64(5n)
      .u64(2n ** 40n)
      .finish();
    const bytes = assemble([[5, vec([[0x03, 0x01, 0x02], big, [0x08, 0x01, 0x00]])]]);
    const m = readModule(bytes);
    expect(m.memories).toEqual([
      { min: 1, max: 2, shared: true, index64: false, pageSizeLog2: null },
      { min: 5, max: 2 ** 40, shared: false, index64: true, pageSizeLog2: null },
      { min: 1, max: null, shared: false, index64: false, pageSizeLog2: 0 },
    ]);
    expect(featureNames(m.features)).toEqual(["threads", "multi-memory", "memory64"]);
  });

  it("reads function names from the name section and ignores a malformed one", () => {
    const functionNames = vec([[0x00, ...name("main")]]); // function 0 is "main"
    const section = [...name("name"), 0x01, functionNames.length, ...functionNames];
    const good = assemble([
      [1, vec([[0x60, 0, 0]])],
      [3, vec([[0]])],
      [10, vec([body([0x0b])])],
      [0, section],
    ]);
    expect(readModule(good).functionNames.get(0)).toBe("main");
    expect(functionName(readModule(good), 0)).toBe("main");
    const broken = assemble([
      [1, vec([[0x60, 0, 0]])],
      [3, vec([[0]])],
      [10, vec([body([0x0b])])],
      [0, [...name("name"), 0x01, 0x7f, 0x01]],
    ]);
    const m = readModule(broken);
    expect(m.functionNames.size).toBe(0);
    expect(m.customs.map((c) => c.name)).toEqual(["name"]);
  });

  describe("refuses malformed bytes with the section and offset named", () => {
    const cases: [string, Uint8Array, string][] = [
      [
        "an empty file",
        new Uint8Array(0),
        "malformed module: section 'header' at offset 0x0: unexpected end (a module starts with 8 header bytes)",
      ],
      ["a wrong magic", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 0, 0, 0]), "magic header not detected"],
      [
        "a component",
        new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]),
        "section 'header' at offset 0x4: this is a WebAssembly component, not a core module",
      ],
      ["version 2", new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), "unknown binary version 0x2"],
      ["an unknown section id", assemble([[14, []]]), "section 'header' at offset 0x8: unknown section id 14"],
      [
        "a truncated import",
        assemble([[2, [0x01, 0x06, 0x77, 0x61, 0x73, 0x6d]]]),
        "malformed module: section 'import' at offset 0xc: unexpected end",
      ],
      [
        "sections out of order",
        assemble([
          [3, [0]],
          [1, [0]],
        ]),
        "section 'type' at offset 0xb: unexpected section (duplicate or out of order)",
      ],
      [
        "a duplicate section",
        assemble([
          [1, [0]],
          [1, [0]],
        ]),
        "unexpected section (duplicate or out of order)",
      ],
      [
        "a section longer than the file",
        new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x10, 0]),
        "section 'type' at offset 0x8: section size 16 runs past the end of the module",
      ],
      ["unread section bytes", assemble([[1, [0, 0]]]), "section size mismatch: 1 bytes left unread"],
      ["a count larger than the bytes left", assemble([[1, [0xff, 0xff, 0xff, 0xff, 0x0f]]]), "count 4294967295 exceeds the bytes left"],
      [
        "an overlong LEB128",
        assemble([[1, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00]]]),
        "section 'type' at offset 0xa: integer representation too long",
      ],
      ["an oversized LEB128", assemble([[1, [0xff, 0xff, 0xff, 0xff, 0x7f]]]), "integer too large"],
      [
        "invalid UTF-8 in a name",
        assemble([[7, [0x01, 0x02, 0xc3, 0x28, 0x00, 0x00]]]),
        "section 'export' at offset 0xb: malformed UTF-8 encoding",
      ],
      ["an unknown value type", assemble([[1, [0x01, 0x60, 0x01, 0x55, 0x00]]]), "unknown value type 0x55"],
      ["bad limits flags", assemble([[5, [0x01, 0x10, 0x00]]]), "malformed limits flags 0x10"],
      [
        "bodies without functions",
        assemble([
          [1, vec([[0x60, 0, 0]])],
          [10, vec([body([0x0b])])],
        ]),
        "function and code section have inconsistent lengths",
      ],
      [
        "functions without bodies",
        assemble([
          [1, vec([[0x60, 0, 0]])],
          [3, vec([[0]])],
        ]),
        "function and code section have inconsistent lengths",
      ],
      [
        "a data count that disagrees",
        assemble([
          [12, [0x02]],
          [11, [0x00]],
        ]),
        "data count and data section have inconsistent lengths",
      ],
      [
        "a bad constant expression",
        assemble([[6, [0x01, 0x7f, 0x00, 0x41, 0x00, 0xff]]]),
        "section 'global' at offset 0xf: global 0 initializer: unknown opcode 0xff",
      ],
      [
        "a body running past its section",
        assemble([
          [1, vec([[0x60, 0, 0]])],
          [3, vec([[0]])],
          [10, [0x01, 0x09, 0x00, 0x0b]],
        ]),
        "function 0: body size 9 runs past the section",
      ],
    ];
    for (const [what, bytes, message] of cases) {
      it(`refuses ${what}`, () => {
        const e = parseError(() => readModule(bytes));
        expect(e.message).toContain(message);
        expect(e.message).toMatch(/^malformed module: section '[a-z:]+' at offset 0x[0-9a-f]+: /);
      });
    }
  });

  it("decodes LEB128 exactly at the edges of u32, i32, s33 and i64", () => {
    const read = (bytes: number[], f: (c: Cursor) => number) => {
      const c = new Cursor(new Uint8Array(bytes), 0, bytes.length, "test");
      const v = f(c);
      expect(c.pos).toBe(bytes.length);
      return v;
    };
    expect(read([0xff, 0xff, 0xff, 0xff, 0x0f], (c) => c.u32())).toBe(0xffffffff);
    expect(read([0x80, 0x80, 0x80, 0x80, 0x00], (c) => c.u32())).toBe(0);
    expect(read([0x80, 0x80, 0x80, 0x80, 0x78], (c) => c.s32())).toBe(-0x80000000);
    expect(read([0xff, 0xff, 0xff, 0xff, 0x07], (c) => c.s32())).toBe(0x7fffffff);
    expect(read([0x7f], (c) => c.s32())).toBe(-1);
    expect(read([0xff, 0xff, 0xff, 0xff, 0x0f], (c) => c.s33())).toBe(0xffffffff);
    expect(read([0x40], (c) => c.s33())).toBe(-64);
    expect(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], (c) => c.u64())).toBe(2 ** 63);
    read([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], (c) => (c.skipS64(), 0));
    const fails = (bytes: number[], f: (c: Cursor) => unknown) =>
      expect(() => f(new Cursor(new Uint8Array(bytes), 0, bytes.length, "test"))).toThrow(WasmParseError);
    fails([0xff, 0xff, 0xff, 0xff, 0x10], (c) => c.u32());
    fails([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], (c) => c.u32());
    fails([0xff, 0xff, 0xff, 0xff, 0x08], (c) => c.s32());
    fails([0x80, 0x80, 0x80, 0x80, 0x70], (c) => c.s32());
    fails([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], (c) => c.skipS64());
    fails([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02], (c) => c.u64());
    fails([0x80], (c) => c.u32());
  });

  describe("on hostile input", () => {
    let real: Uint8Array;
    beforeAll(async () => {
      real = await compileAsGuest();
    });

    it("throws only WasmParseError for every prefix of a real module", () => {
      for (let n = 0; n < real.length; n++) {
        try {
          readModule(real.subarray(0, n));
        } catch (e) {
          if (!(e instanceof WasmParseError)) throw new Error(`prefix ${n}: ${String(e)}`);
        }
      }
      expect(readModule(real).code.length).toBeGreaterThan(3);
    });

    it("throws only WasmParseError for 500 randomly corrupted copies of a real module", () => {
      for (let seed = 1; seed <= 500; seed++) {
        const rand = prng(seed);
        const copy = real.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < flips; i++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
        try {
          readModule(copy);
        } catch (e) {
          if (!(e instanceof WasmParseError)) throw new Error(`seed ${seed}: ${String(e)}`);
        }
      }
    });

    it("rejects huge declared counts before allocating for them", () => {
      // A count is checked against the bytes left (each entry takes at least one) before any array is made.
      for (const id of [1, 2, 3, 5, 6, 7, 9, 10, 11]) {
        expect(() => readModule(assemble([[id, [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]]]))).toThrow(/exceeds the bytes left/);
      }
    });
  });
});
