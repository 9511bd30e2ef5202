// The loader and the instrumenter against hostile shapes: no host exception
// (every failure a refusal with a code), no recursion the module controls,
// work linear in the module's size (counted, not timed), every instruction
// charged by the work it does.
import { describe, expect, it } from "vitest";
import { ImageLoader, ModuleRefusedError } from "../../loader/loader.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { planFuel, FuelScan, FUEL_GLOBAL_EXPORT, FUEL_IMPORT } from "../../loader/instrument/fuel.ts";
import { editModule } from "../../wasm/writer.ts";
import { prepareModule } from "../../loader/prepare.ts";
import { readModule, WasmParseError } from "../../wasm/reader.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { adversarialModules, callChain, deepBrTable, elementsTimesFunctions, localsAndLoop } from "./adversarial.ts";
import { ENGINE_LIMITS } from "../../wasm/limits.ts";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wat } from "../helpers/wat.ts";

/** Plan work per module byte the tests allow: a constant, whatever the shape. */
const WORK_PER_BYTE = 4;

function loadOutcome(bytes: Uint8Array): { ok: true } | { ok: false; codes: string[]; message: string } {
  try {
    new ImageLoader().load(bytes, "adversarial.wasm");
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ModuleRefusedError)) throw e; // anything else is a host exception: the test fails
    return { ok: false, codes: e.report.errors.map((x) => x.code), message: e.message };
  }
}

describe("adversarial modules", () => {
  for (const c of adversarialModules(process.env.ADVERSARIAL_FULL === "1")) {
    it(`${c.name}: ${c.refuse === null ? "loads" : `is refused (${c.refuse})`}, with plan work linear in its size`, () => {
      const bytes = c.build();
      const outcome = loadOutcome(bytes);
      if (c.refuse === null) {
        expect(outcome).toEqual({ ok: true });
      } else {
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.codes).toContain(c.refuse);
      }
      const plan = planFuel(readModule(bytes));
      expect(plan.work).toBeLessThanOrEqual(WORK_PER_BYTE * bytes.length);
    }, 600_000); // the full set (ADVERSARIAL_FULL=1) holds million-entry modules
  }

  it("names the limit crossed by the rewrite: a function at the engine's local limit with a loop", () => {
    const outcome = loadOutcome(
      adversarialModules()
        .find((c) => c.name.includes("at the local limit"))!
        .build(),
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.message).toMatch(
        /function 0 would have 50001 parameters and locals in one function, past the engine's limit of 50000/,
      );
  });

  it("plans work that grows linearly with call chains, element segments and br_table labels under nesting", () => {
    for (const make of [callChain, (n: number) => elementsTimesFunctions(n), (n: number) => deepBrTable(n / 10, n)]) {
      const small = make(2000);
      const big = make(16000);
      const ws = planFuel(readModule(small)).work;
      const wb = planFuel(readModule(big)).work;
      // 8x the input: at most ~8x the work (a quadratic pass would be 64x).
      expect(wb / ws).toBeLessThan(8 * 1.5);
    }
  });

  it("loads a module importing 20000 syscalls and re-exporting each (imports x re-exports is not quadratic)", () => {
    const imports = Array.from({ length: 20000 }, (_, i) => `(import "wasmos" "yield" (func $f${i} (result i32)))`).join("\n");
    const exports = Array.from({ length: 20000 }, (_, i) => `(export "x${i}" (func $f${i}))`).join("\n");
    const bytes = wat(`(module ${imports} (memory (export "memory") 1) (func (export "_start")) ${exports})`);
    const image = new ImageLoader().load(bytes, "reexports.wasm");
    expect(image.handlerTypes.size).toBe(20001);
  });
});

describe("the fuel scan riding on the verifier's walk", () => {
  it("plans exactly what a scan of its own plans", () => {
    const modules = [
      deepBrTable(50, 500),
      callChain(300),
      wat(`(module (memory 1) (table 4 funcref) (elem (i32.const 0) $a $b)
        (func $a (param i32) (result i32) (loop $l (br_if $l (i32.eqz (local.get 0)))) (call $b (local.get 0)))
        (func $b (param i32) (result i32) (memory.fill (i32.const 0) (i32.const 0) (local.get 0)) (drop (memory.grow (i32.const 1)))
          (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
        (func (export "_start") (drop (call $a (i32.const 3)))))`),
    ];
    for (const bytes of modules) {
      const m = readModule(bytes);
      const scan = new FuelScan(m);
      for (const body of m.code) forEachInstruction(m, body, scan.begin(body));
      const riding = planFuel(m, scan);
      const own = planFuel(m);
      expect(editModule(m, riding.edits)).toEqual(editModule(m, own.edits));
      expect(riding.work).toBe(own.work);
    }
  });
});

describe("the command line on a module the rewrite would push past an engine limit", () => {
  it("wasmos run refuses it with exit 65 and the limit named, and wasmos check says the same (no stack trace)", () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmos-hardening-"));
    try {
      const file = join(dir, "locals.wasm");
      writeFileSync(file, localsAndLoop(ENGINE_LIMITS.locals));
      const bin = join(import.meta.dirname, "..", "..", "bin", "wasmos.js");
      const run = spawnSync(process.execPath, [bin, "run", file], { encoding: "utf8", timeout: 120_000 });
      expect(run.status).toBe(65);
      expect(run.stderr).toMatch(/\[engine-limit\].*50001 parameters and locals in one function, past the engine's limit of 50000/);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no JavaScript stack trace
      const check = spawnSync(process.execPath, [bin, "check", file], { encoding: "utf8", timeout: 120_000 });
      expect(check.status).not.toBe(0); // refused (the command's refusal status)
      expect(check.stdout).toMatch(/verdict: REFUSED[\s\S]*\[engine-limit\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the toolkit is as strict as the spec", () => {
  it("refuses memory.init and data.drop without a data count section", () => {
    const bytes = wat(`(module (memory 1) (data "x") (func (data.drop 0)))`);
    // wabt writes a data count section; remove it (id 12, size 1, count 1) to get the malformed form.
    const i = bytes.findIndex((b, k) => b === 12 && bytes[k + 1] === 1 && bytes[k + 2] === 1);
    const stripped = new Uint8Array([...bytes.subarray(0, i), ...bytes.subarray(i + 3)]);
    expect(WebAssembly.validate(stripped as Uint8Array<ArrayBuffer>)).toBe(false);
    const m = readModule(stripped);
    expect(() => forEachInstruction(m, m.code[0], () => {})).toThrowError(WasmParseError);
    expect(() => forEachInstruction(m, m.code[0], () => {})).toThrowError(/data.drop needs a data count section/);
  });

  it("refuses an element segment whose type is not a reference type", () => {
    // Element section: one passive segment (flags 5) of type i32 (0x7f) with no items.
    const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 9, 4, 1, 5, 0x7f, 0]);
    expect(() => readModule(bad)).toThrowError(/malformed reference type: element segment 0 has type i32/);
  });
});

describe("preparation under a permissive policy", () => {
  const permissive = defaultPolicy({
    allowedFeatures: new Set([...defaultPolicy().allowedFeatures, "memory64", "function-references", "gc"]),
  });

  it("rewrites memory.grow on a 64-bit memory with 64-bit code", () => {
    const bytes = wat(`(module (memory i64 1) (func (export "g") (param i64) (result i64) (memory.grow (local.get 0))))`);
    const out = prepareModule(bytes, permissive);
    expect(WebAssembly.validate(out.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(out.bytes as Uint8Array<ArrayBuffer>), {
      [FUEL_IMPORT.module]: { [FUEL_IMPORT.name]: () => {} },
    });
    const g = inst.exports.g as (n: bigint) => bigint;
    expect(g(2n)).toBe(1n);
    expect(g(1n << 40n)).toBe(-1n);
  });

  it("caps a table whose element type is a typed reference", async () => {
    const { parse } = await import("@bytecodealliance/jco");
    const bytes = await parse(`(module (type $f (func)) (table 1 (ref null $f)) (func (export "s") (result i32) (table.size 0)))`);
    const out = prepareModule(bytes, permissive);
    expect(WebAssembly.validate(out.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    const t = readModule(out.bytes).tables[0];
    expect(t.elemType).toBe("(ref null 0)");
    expect(t.limits.max).toBe(permissive.maxTableElements);
  });
});

describe("sized instructions are charged by their operand", () => {
  /** Runs `fn` of an instrumented module with `fuel`, returning the fuel left and how often the fuel import ran. */
  function burn(src: string, fuel: number, fn: string, ...args: unknown[]): { left: number; outs: number } {
    const prepared = prepareModule(wat(src), defaultPolicy());
    let outs = 0;
    let global: WebAssembly.Global | null = null;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>), {
      [FUEL_IMPORT.module]: {
        [FUEL_IMPORT.name]: () => {
          outs++;
          global!.value = (global!.value as number) + 1_000_000_000;
        },
      },
    });
    global = inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
    global.value = fuel;
    (inst.exports[fn] as (...a: unknown[]) => unknown)(...args);
    return { left: (global.value as number) - outs * 1_000_000_000, outs };
  }

  it("charges memory.fill one unit per 4 bytes, before it runs, in a function without loops", () => {
    const src = `(module (memory (export "memory") 64) (func (export "f") (param i32) (memory.fill (i32.const 0) (i32.const 1) (local.get 0))))`;
    const small = burn(src, 10_000_000, "f", 16);
    const big = burn(src, 10_000_000, "f", 4 << 20);
    expect(small.outs).toBe(0);
    expect(small.left - big.left).toBe((4 << 20) / 4 - 16 / 4);
    // Out of fuel before a large fill: the import runs before the fill does.
    expect(burn(src, 1000, "f", 4 << 20).outs).toBe(1);
  });

  it("charges memory.copy, table.fill and memory.grow inside loops through the function's working copy", () => {
    const src = `(module (memory (export "memory") 1 64) (table 1000 funcref)
      (func (export "f") (param $n i32) (local $i i32)
        (loop $l
          (memory.copy (i32.const 0) (i32.const 4096) (i32.const 4096))
          (table.fill (i32.const 0) (ref.null func) (i32.const 100))
          (drop (memory.grow (i32.const 1)))
          (br_if $l (local.tee $i (i32.sub (local.get $n) (i32.const 1)))))))`;
    const once = burn(src, 100_000_000, "f", 1);
    // 4096 bytes / 4 + 100 elements * 64 + 1 page * 1024, plus the loop's instructions and the entry.
    expect(100_000_000 - once.left).toBeGreaterThanOrEqual(1024 + 6400 + 1024);
    expect(100_000_000 - once.left).toBeLessThan(1024 + 6400 + 1024 + 64);
  });

  it("clamps a charge so the counter cannot wrap: a 4 GiB length costs at most MAX_CHARGE", () => {
    const src = `(module (memory (export "memory") 1) (func (export "f") (param i32) (memory.fill (i32.const 0) (i32.const 1) (local.get 0))))`;
    expect(() => burn(src, 0x3fffffff, "f", -1)).toThrowError(WebAssembly.RuntimeError); // out of bounds, after the charge
  });
});
