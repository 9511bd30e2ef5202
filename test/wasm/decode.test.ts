import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockStructure, forEachInstruction, loopHeaders, writesMemory, type Instruction } from "../../wasm/decode.ts";
import { ATOMIC_OPS, Feature, Imm, MISC_OPS, OpFlag, SIMD_OPS, SINGLE_BYTE_OPS, type OpInfo } from "../../wasm/opcodes.ts";
import { WasmParseError, readModule, type WasmModule } from "../../wasm/reader.ts";
import { ByteSink } from "../../wasm/sink.ts";
import { assemble, body, compileAsGuest, prng, vec, wat } from "./helpers.ts";

/** "offset name" per instruction, as wabt's wasm-objdump -d prints them. */
function objdump(bytes: Uint8Array): string[] {
  const dir = mkdtempSync(join(tmpdir(), "wasmos-objdump-"));
  try {
    const file = join(dir, "m.wasm");
    writeFileSync(file, bytes);
    const tool = join(import.meta.dirname, "../../node_modules/wabt/bin/wasm-objdump");
    const r = spawnSync(process.execPath, [tool, "-d", file], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    const lines: string[] = [];
    for (const line of r.stdout.split("\n")) {
      const m = /^ ([0-9a-f]{6}): [0-9a-f ]*\| +([a-z0-9_.]+)/.exec(line);
      if (m && !line.includes("| local[")) lines.push(`${parseInt(m[1], 16)} ${m[2]}`);
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "offset name" per instruction of every function, as the decoder reports them. */
function decodeAll(bytes: Uint8Array): string[] {
  const m = readModule(bytes);
  const lines: string[] = [];
  for (const fn of m.code) forEachInstruction(m, fn, (ins) => lines.push(`${ins.offset} ${ins.op.name}`));
  return lines;
}

interface Seen {
  offset: number;
  end: number;
  name: string;
  opcode: number;
  depth: number;
  opener: number;
  memory: number;
  memory2: number;
  index: number;
  index2: number;
  features: number;
  flags: number;
}

function snapshot(ins: Instruction): Seen {
  return {
    offset: ins.offset,
    end: ins.end,
    name: ins.op.name,
    opcode: ins.opcode,
    depth: ins.depth,
    opener: ins.opener,
    memory: ins.memory,
    memory2: ins.memory2,
    index: ins.index,
    index2: ins.index2,
    features: ins.features,
    flags: ins.op.flags,
  };
}

/** Every instruction of the module's last function. */
function decodeLast(m: WasmModule): Seen[] {
  const seen: Seen[] = [];
  const count = forEachInstruction(m, m.importedFuncs + m.code.length - 1, (ins) => seen.push(snapshot(ins)));
  expect(count).toBe(seen.length);
  return seen;
}

/** WAT immediates that make `op` assemble in the test module below. */
function watImmediates(op: OpInfo): string | null {
  switch (op.imm) {
    case Imm.NONE:
    case Imm.MEMARG:
    case Imm.MEMORY:
    case Imm.MEMORY_MEMORY:
    case Imm.TABLE_TABLE:
    case Imm.FENCE:
      return "";
    case Imm.LABEL:
    case Imm.FUNC:
    case Imm.LOCAL:
    case Imm.GLOBAL:
    case Imm.TABLE:
    case Imm.TAG:
    case Imm.DATA:
    case Imm.ELEM:
    case Imm.DATA_MEMORY:
    case Imm.ELEM_TABLE:
    case Imm.LANE:
    case Imm.MEMARG_LANE:
      return "0";
    case Imm.I32:
    case Imm.I64:
    case Imm.F32:
    case Imm.F64:
      return "1";
    case Imm.BR_TABLE:
      return "0 0";
    case Imm.CALL_INDIRECT:
      return "(type 0)";
    case Imm.SELECT_T:
      return "(result i32)";
    case Imm.HEAP_TYPE:
      return "func";
    case Imm.V128:
      return "i32x4 1 2 3 4";
    case Imm.SHUFFLE:
      return "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15";
    default:
      return null; // blocks, try_table, GC immediates: tested by hand
  }
}

/** Instructions of a table that wabt can assemble flat (no blocks, no GC, no typed references). */
function flatOps(table: (OpInfo | undefined)[]): OpInfo[] {
  return table.filter(
    (op): op is OpInfo =>
      op !== undefined &&
      (op.flags & (OpFlag.BLOCK | OpFlag.ARM | OpFlag.END)) === 0 &&
      (op.feature & (Feature.GC | Feature.FUNCTION_REFERENCES)) === 0 &&
      op.code !== 0x15 &&
      watImmediates(op) !== null,
  );
}

function listModule(ops: OpInfo[]): Uint8Array {
  const lines = ops.map((op) => `    ${op.name} ${watImmediates(op)}`).join("\n");
  return wat(`(module
  (type (func))
  (memory 1)
  (table 1 funcref)
  (global (mut i32) (i32.const 0))
  (tag)
  (data "x")
  (elem func 0)
  (func (local i32)
${lines}
  ))`);
}

describe("the instruction decoder", () => {
  const groups: [string, (OpInfo | undefined)[]][] = [
    ["single-byte", SINGLE_BYTE_OPS],
    ["0xfc (sat-conv, bulk memory, tables)", MISC_OPS],
    ["0xfd (SIMD and relaxed SIMD)", SIMD_OPS],
    ["0xfe (threads)", ATOMIC_OPS],
  ];
  for (const [label, table] of groups) {
    it(`names every ${label} instruction as wabt spells it, at contiguous offsets`, () => {
      const ops = flatOps(table);
      expect(ops.length).toBeGreaterThan(table === ATOMIC_OPS ? 60 : 15);
      const m = readModule(listModule(ops));
      const seen = decodeLast(m);
      expect(seen.map((s) => s.name)).toEqual([...ops.map((op) => op.name), "end"]);
      expect(seen.map((s) => s.opcode)).toEqual([...ops.map((op) => op.code), 0x0b]);
      const fn = m.code[m.code.length - 1];
      expect(seen[0].offset).toBe(fn.bodyStart);
      for (let i = 1; i < seen.length; i++) expect(seen[i].offset).toBe(seen[i - 1].end);
      expect(seen[seen.length - 1].end).toBe(fn.end);
    });
  }

  it("agrees with wabt's disassembler on the offset and name of every instruction of a real guest", async () => {
    const guest = await compileAsGuest();
    const mine = decodeAll(guest);
    expect(mine.length).toBeGreaterThan(100);
    expect(mine).toEqual(objdump(guest));
  });

  it("agrees with wabt's disassembler on a module holding every SIMD and atomic instruction", () => {
    const bytes = listModule([...flatOps(SIMD_OPS), ...flatOps(ATOMIC_OPS), ...flatOps(MISC_OPS)]);
    expect(decodeAll(bytes)).toEqual(objdump(bytes));
  });

  it("covers all 236 SIMD, 20 relaxed SIMD and 67 atomic opcodes", () => {
    expect(SIMD_OPS.filter((op) => op && op.feature === Feature.SIMD).length).toBe(236);
    expect(SIMD_OPS.filter((op) => op && op.feature === Feature.RELAXED_SIMD).length).toBe(20);
    expect(ATOMIC_OPS.filter(Boolean).length).toBe(67);
  });

  it("reports the memory index of memory instructions, with the multi-memory flag bit", () => {
    const m = readModule(
      wat(`(module
      (memory $a 1) (memory $b 1) (memory $c 1)
      (data $d "hi")
      (func
        (i32.store $b (i32.const 0) (i32.const 1))
        (drop (i64.load16_s $c offset=8 (i32.const 0)))
        (i32.store8 (i32.const 0) (i32.const 2))
        (memory.fill $c (i32.const 0) (i32.const 0) (i32.const 1))
        (memory.copy $a $c (i32.const 0) (i32.const 0) (i32.const 1))
        (memory.init $b $d (i32.const 0) (i32.const 0) (i32.const 1))
        (drop (memory.grow $b (i32.const 1)))
        (drop (memory.size $c))
        (v128.store $c (i32.const 0) (v128.const i32x4 0 0 0 0))))`),
    );
    const mem = decodeLast(m).filter((s) => s.flags & OpFlag.MEMORY);
    expect(mem.map((s) => [s.name, s.memory, s.memory2])).toEqual([
      ["i32.store", 1, -1],
      ["i64.load16_s", 2, -1],
      ["i32.store8", 0, -1],
      ["memory.fill", 2, -1],
      ["memory.copy", 0, 2],
      ["memory.init", 1, -1],
      ["memory.grow", 1, -1],
      ["memory.size", 2, -1],
      ["v128.store", 2, -1],
    ]);
    const writesTo2: string[] = [];
    forEachInstruction(m, 0, (ins) => {
      if (writesMemory(ins, 2)) writesTo2.push(ins.op.name);
    });
    expect(writesTo2).toEqual(["memory.fill", "v128.store"]);
    expect(mem.filter((s) => s.features & Feature.MULTI_MEMORY).map((s) => s.name)).toEqual([
      "i32.store",
      "i64.load16_s",
      "memory.fill",
      "memory.copy",
      "memory.init",
      "memory.grow",
      "memory.size",
      "v128.store",
    ]);
  });

  it("flags as writes exactly the stores, rmw, cmpxchg, fill, copy, init and grow", () => {
    const writers = [SINGLE_BYTE_OPS, MISC_OPS, SIMD_OPS, ATOMIC_OPS]
      .flatMap((t) => t.filter((op): op is OpInfo => op !== undefined && (op.flags & OpFlag.STORE) !== 0))
      .map((op) => op.name);
    for (const n of writers) {
      expect(n).toMatch(/store|rmw|memory\.(fill|copy|init|grow)/);
    }
    const expected = [SINGLE_BYTE_OPS, MISC_OPS, SIMD_OPS, ATOMIC_OPS]
      .flatMap((t) => t.filter((op): op is OpInfo => op !== undefined && /store|rmw|^memory\.(fill|copy|init|grow)$/.test(op.name)))
      .map((op) => op.name);
    expect(writers).toEqual(expected);
    expect(writers).toContain("i32.atomic.rmw8.cmpxchg_u");
    expect(writers).toContain("v128.store64_lane");
  });

  it("tags instructions with the proposal they belong to", () => {
    const m = readModule(
      wat(`(module (memory 1 1 shared) (tag $e) (table 1 funcref)
      (func $f (param i32) (result i32)
        (drop (i32.extend8_s (i32.const 1)))
        (drop (i32.trunc_sat_f32_s (f32.const 1)))
        (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
        (drop (ref.func $f))
        (drop (i8x16.splat (i32.const 0)))
        (drop (i32.atomic.load (i32.const 0)))
        (throw $e)
        (return_call $f (i32.const 0)))
      (elem declare func $f))`),
    );
    const byName = new Map(decodeLast(m).map((s) => [s.name, s.features]));
    expect(byName.get("i32.extend8_s")).toBe(Feature.SIGN_EXT);
    expect(byName.get("i32.trunc_sat_f32_s")).toBe(Feature.SAT_CONV);
    expect(byName.get("memory.fill")).toBe(Feature.BULK_MEMORY);
    expect(byName.get("ref.func")).toBe(Feature.REFERENCE_TYPES);
    expect(byName.get("i8x16.splat")).toBe(Feature.SIMD);
    expect(byName.get("i32.atomic.load")).toBe(Feature.THREADS);
    expect(byName.get("throw")).toBe(Feature.EXCEPTIONS);
    expect(byName.get("return_call")).toBe(Feature.TAIL_CALL);
    expect(byName.get("i32.add") ?? 0).toBe(0);
  });

  it("records block nesting: depth, the opener of every arm and end, and loop headers", () => {
    const m = readModule(
      wat(`(module (tag $e)
      (func (param i32)
        (block $out
          (loop $top
            (br_if $out (local.get 0))
            (if (local.get 0) (then nop) (else (br $top)))))
        (try (do (throw $e)) (catch $e) (catch_all))))`),
    );
    const seen = decodeLast(m);
    const text = seen.map((s) => `${"  ".repeat(s.depth)}${s.name}`);
    expect(text).toEqual([
      "  block",
      "    loop",
      "      local.get",
      "      br_if",
      "      local.get",
      "      if",
      "        nop",
      "      else",
      "        br",
      "      end",
      "    end",
      "  end",
      "  try",
      "    throw",
      "  catch",
      "  catch_all",
      "  end",
      "end",
    ]);
    const offsetOf = (name: string, nth = 0) => seen.filter((s) => s.name === name)[nth].offset;
    expect(seen.find((s) => s.name === "else")!.opener).toBe(offsetOf("if"));
    expect(seen.filter((s) => s.name === "end").map((s) => s.opener)).toEqual([
      offsetOf("if"),
      offsetOf("loop"),
      offsetOf("block"),
      offsetOf("try"),
      -1,
    ]);
    const blocks = blockStructure(m, m.code.length - 1);
    expect(blocks.map((b) => [b.kind, b.depth, b.arms.length])).toEqual([
      ["block", 1, 0],
      ["loop", 2, 0],
      ["if", 3, 1],
      ["try", 1, 2],
    ]);
    const loop = seen.find((s) => s.name === "loop")!;
    expect(loopHeaders(m, 0)).toEqual([loop.end]);
    expect(blocks[1].end).toBe(seen.filter((s) => s.name === "end")[1].offset);
  });

  it("decodes try_table catch clauses, delegate and throw_ref", () => {
    const m = readModule(
      wat(`(module (tag $e (param i32))
      (func
        (block $l (result exnref)
          (try_table (catch_all_ref $l) (throw $e (i32.const 1))))
        throw_ref)
      (func
        (try $t (do (try (do (throw $e (i32.const 2))) (delegate $t))) (catch_all))))`),
    );
    const first: string[] = [];
    forEachInstruction(m, 0, (ins) => first.push(ins.op.name));
    expect(first).toEqual(["block", "try_table", "i32.const", "throw", "end", "end", "throw_ref", "end"]);
    const second = decodeLast(m);
    expect(second.map((s) => s.name)).toEqual(["try", "try", "i32.const", "throw", "delegate", "catch_all", "end", "end"]);
    expect(second.find((s) => s.name === "delegate")!.depth).toBe(2);
  });

  it("decodes GC and typed-reference instructions wabt cannot write, with their immediates", () => {
    const gc = (sub: number) => [0xfb, ...new ByteSink().u32(sub).finish()];
    const code = [
      0x41,
      0x01,
      ...gc(0),
      0x00, // i32.const 1; struct.new 0
      ...gc(2),
      0x00,
      0x00, // struct.get 0 0
      0x1a, // drop
      0x41,
      0x00,
      ...gc(28),
      ...gc(29),
      0x1a, // ref.i31; i31.get_s; drop
      0x02,
      0x40,
      0xd0,
      0x6e,
      ...gc(24),
      0x01,
      0x00,
      0x6e,
      0x6c,
      0x1a,
      0x0b, // block; ref.null any; br_on_cast 0 any i31
      0xd2,
      0x00,
      0x14,
      0x01, // ref.func 0; call_ref 1
      0xd2,
      0x00,
      0xd4,
      0x1a, // ref.func 0; ref.as_non_null; drop
      0x0b,
    ];
    const bytes = assemble([
      [
        1,
        vec([
          [0x5f, 0x01, 0x7f, 0x00],
          [0x60, 0x00, 0x00],
        ]),
      ], // struct {i32}; func [] -> []
      [3, vec([[0x01]])],
      [7, vec([[...new ByteSink().name("f").finish(), 0x00, 0x00]])],
      [10, vec([body(code)])],
    ]);
    const m = readModule(bytes);
    expect(m.types.map((t) => t.kind)).toEqual(["struct", "func"]);
    expect(m.features & Feature.GC).toBe(Feature.GC);
    const seen = decodeLast(m);
    expect(seen.map((s) => s.name)).toEqual([
      "i32.const",
      "struct.new",
      "struct.get",
      "drop",
      "i32.const",
      "ref.i31",
      "i31.get_s",
      "drop",
      "block",
      "ref.null",
      "br_on_cast",
      "drop",
      "end",
      "ref.func",
      "call_ref",
      "ref.func",
      "ref.as_non_null",
      "drop",
      "end",
    ]);
    expect(seen[2]).toMatchObject({ index: 0, index2: 0, features: Feature.GC });
    expect(seen.find((s) => s.name === "call_ref")).toMatchObject({ index: 1, features: Feature.FUNCTION_REFERENCES });
    expect(seen.find((s) => s.name === "br_on_cast")!.features & Feature.GC).toBeTruthy();
    expect(seen.find((s) => s.name === "ref.null")!.features & Feature.GC).toBeTruthy();
  });

  it("names GC instructions that V8 validates, checking the opcode numbers against the engine", () => {
    const gc = (sub: number, ...rest: number[]) => [0xfb, sub, ...rest];
    const cases: [number[][], number[], string[]][] = [
      [
        [],
        [0x41, 5, ...gc(0x1c), ...gc(0x1d), 0x1a, 0x41, 5, ...gc(0x1c), ...gc(0x1e), 0x1a, 0x0b],
        ["i32.const", "ref.i31", "i31.get_s", "drop", "i32.const", "ref.i31", "i31.get_u", "drop", "end"],
      ],
      [
        [[0x5f, 1, 0x7f, 1]],
        [0x41, 1, ...gc(0x00, 1), ...gc(0x02, 1, 0), 0x1a, ...gc(0x01, 1), 0x41, 2, ...gc(0x05, 1, 0), 0x0b],
        ["i32.const", "struct.new", "struct.get", "drop", "struct.new_default", "i32.const", "struct.set", "end"],
      ],
      [
        [[0x5e, 0x7f, 1]],
        [
          0x41,
          1,
          0x41,
          2,
          ...gc(0x08, 1, 2),
          0x41,
          0,
          ...gc(0x0b, 1),
          0x1a,
          0x41,
          1,
          0x41,
          3,
          ...gc(0x06, 1),
          ...gc(0x0f),
          0x1a,
          0x41,
          3,
          ...gc(0x07, 1),
          0x41,
          0,
          0x41,
          9,
          0x41,
          1,
          ...gc(0x10, 1),
          0x0b,
        ],
        [
          "i32.const",
          "i32.const",
          "array.new_fixed",
          "i32.const",
          "array.get",
          "drop",
          "i32.const",
          "i32.const",
          "array.new",
          "array.len",
          "drop",
          "i32.const",
          "array.new_default",
          "i32.const",
          "i32.const",
          "i32.const",
          "array.fill",
          "end",
        ],
      ],
      [
        [[0x5e, 0x78, 1]],
        [0x41, 3, ...gc(0x07, 1), 0x41, 0, ...gc(0x0c, 1), 0x1a, 0x41, 3, ...gc(0x07, 1), 0x41, 0, ...gc(0x0d, 1), 0x1a, 0x0b],
        [
          "i32.const",
          "array.new_default",
          "i32.const",
          "array.get_s",
          "drop",
          "i32.const",
          "array.new_default",
          "i32.const",
          "array.get_u",
          "drop",
          "end",
        ],
      ],
      [
        [],
        [
          0xd0,
          0x6e,
          ...gc(0x14, 0x6c),
          0x1a,
          0xd0,
          0x6e,
          ...gc(0x15, 0x6c),
          0x1a,
          0xd0,
          0x6e,
          ...gc(0x16, 0x6e),
          0x1a,
          0xd0,
          0x6e,
          ...gc(0x17, 0x6c),
          0x1a,
          0xd0,
          0x6f,
          ...gc(0x1a),
          ...gc(0x1b),
          0x1a,
          0x0b,
        ],
        [
          "ref.null",
          "ref.test",
          "drop",
          "ref.null",
          "ref.test",
          "drop",
          "ref.null",
          "ref.cast",
          "drop",
          "ref.null",
          "ref.cast",
          "drop",
          "ref.null",
          "any.convert_extern",
          "extern.convert_any",
          "drop",
          "end",
        ],
      ],
      [
        [],
        [0x02, 0x6e, 0xd0, 0x6e, ...gc(0x18, 0x03, 0x00, 0x6e, 0x6c), ...gc(0x19, 0x03, 0x00, 0x6e, 0x6c), 0x0b, 0x1a, 0x0b],
        ["block", "ref.null", "br_on_cast", "br_on_cast_fail", "end", "drop", "end"],
      ],
    ];
    for (const [types, code, names] of cases) {
      const bytes = assemble([
        [1, vec([[0x60, 0, 0], ...types])],
        [3, vec([[0]])],
        [10, vec([body(code)])],
      ]);
      expect(WebAssembly.validate(bytes)).toBe(true);
      const m = readModule(bytes);
      const seen: string[] = [];
      forEachInstruction(m, 0, (ins) => seen.push(ins.op.name));
      expect(seen).toEqual(names);
    }
  });

  it("decodes every instruction of a module at every prefix of its code without throwing anything but WasmParseError", () => {
    const ops = [...flatOps(SINGLE_BYTE_OPS), ...flatOps(MISC_OPS), ...flatOps(SIMD_OPS), ...flatOps(ATOMIC_OPS)];
    const bytes = listModule(ops);
    const m = readModule(bytes);
    const fn = m.code[m.code.length - 1];
    const full = decodeLast(m).length;
    expect(full).toBe(ops.length + 1);
    for (let cut = fn.bodyStart; cut < fn.end; cut++) {
      const truncated = { ...fn, end: cut };
      let n = 0;
      expect(() => forEachInstruction(m, truncated, () => n++)).toThrow(WasmParseError);
      expect(n).toBeLessThan(full);
    }
  });

  it("refuses malformed structure with the function and offset named", () => {
    const cases: [number[], RegExp][] = [
      [[0x05, 0x0b], /else without a matching if/],
      [[0x02, 0x40, 0x07, 0x00, 0x0b, 0x0b], /catch without a matching try/],
      [[0x01, 0x01], /missing end/],
      [[0x0b, 0x01], /operators remaining after the end of the function/],
      [[0xfd, 0xff, 0x03, 0x0b], /unknown opcode 0xfd 0x1ff/],
      [[0xff, 0x0b], /unknown opcode 0xff/],
      [[0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b], /integer representation too long/],
      [[0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b], /integer too large/],
      [[0x28, 0x80, 0x01, 0x00, 0x0b], /malformed memop flags/],
    ];
    for (const [code, pattern] of cases) {
      const bytes = assemble([
        [1, vec([[0x60, 0, 0]])],
        [3, vec([[0]])],
        [10, vec([body(code)])],
      ]);
      const m = readModule(bytes);
      let error: unknown;
      try {
        forEachInstruction(m, 0, () => {});
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WasmParseError);
      const message = (error as Error).message;
      expect(message).toMatch(pattern);
      expect(message).toMatch(/^malformed module: section 'code' at offset 0x[0-9a-f]+: function 0: /);
    }
  });

  it("handles 100000 nested blocks without recursion", () => {
    const depth = 100_000;
    const code = [...Array(depth).fill([0x02, 0x40]).flat(), ...Array(depth).fill(0x0b), 0x0b];
    const m = readModule(
      assemble([
        [1, vec([[0x60, 0, 0]])],
        [3, vec([[0]])],
        [10, vec([body(code)])],
      ]),
    );
    let maxDepth = 0;
    const count = forEachInstruction(m, 0, (ins) => {
      maxDepth = Math.max(maxDepth, ins.depth);
    });
    expect(count).toBe(2 * depth + 1);
    expect(maxDepth).toBe(depth);
  });

  it("decodes every instruction of a 1 MB module of mixed code", () => {
    // 2000 functions of ~500 bytes: loads, stores, arithmetic, calls, loops.
    const rand = prng(7);
    const pieces: number[][] = [
      [0x20, 0x00, 0x28, 0x02, 0x10, 0x1a], // local.get 0; i32.load offset=16; drop
      [0x20, 0x00, 0x41, 0x2a, 0x36, 0x02, 0x04], // i32.store offset=4
      [0x41, 0xe4, 0x00, 0x41, 0x07, 0x6a, 0x1a], // i32.add
      [0x03, 0x40, 0x20, 0x00, 0x0d, 0x00, 0x0b], // loop; br_if 0; end
      [0x42, 0xff, 0xff, 0x03, 0x50, 0x1a], // i64.const; i64.eqz; drop
      [0x20, 0x00, 0x10, 0x00, 0x1a], // call 0; drop
    ];
    const fnBodies: number[][] = [];
    for (let f = 0; f < 2000; f++) {
      const code: number[] = [];
      while (code.length < 500) code.push(...pieces[Math.floor(rand() * pieces.length)]);
      code.push(0x41, 0x00, 0x0b);
      fnBodies.push(body(code));
    }
    const bytes = assemble([
      [1, vec([[0x60, 1, 0x7f, 1, 0x7f]])],
      [3, vec(fnBodies.map(() => [0]))],
      [5, vec([[0x00, 0x01]])],
      [10, vec(fnBodies)],
    ]);
    expect(bytes.length).toBeGreaterThan(1_000_000);
    expect(WebAssembly.validate(bytes)).toBe(true);
    // Its speed is a bench figure (loader_mb_per_s, bench/); here, that every instruction is decoded.
    const m = readModule(bytes);
    let instructions = 0;
    for (const fn of m.code) instructions += forEachInstruction(m, fn, () => {});
    expect(instructions).toBeGreaterThan(300_000);
  });

  it("decodes random sequences of instructions back to the same mnemonics", () => {
    const ops = flatOps(SINGLE_BYTE_OPS).filter((op) => op.imm === Imm.NONE);
    for (let seed = 1; seed <= 50; seed++) {
      const rand = prng(seed);
      const code: number[] = [];
      const expected: string[] = [];
      for (let i = 0; i < 200; i++) {
        const op = ops[Math.floor(rand() * ops.length)];
        code.push(op.code);
        expected.push(op.name);
      }
      code.push(0x0b);
      const m = readModule(
        assemble([
          [1, vec([[0x60, 0, 0]])],
          [3, vec([[0]])],
          [10, vec([body(code)])],
        ]),
      );
      const names: string[] = [];
      forEachInstruction(m, 0, (ins) => names.push(ins.op.name));
      expect(names).toEqual([...expected, "end"]);
    }
  });
});
