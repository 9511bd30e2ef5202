import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import abi from "../../abi/wasmos.abi.json" with { type: "json" };
import { defaultPolicy, policyFromAbi } from "../../loader/policy.ts";
import { formatReport, verifyModule, type VerifyReport } from "../../loader/verify.ts";
import { PARALLEL_GATE_MIN_BYTES, startValidation } from "../../loader/engine-gate.ts";
import { ByteSink } from "../../wasm/sink.ts";
import { readModule } from "../../wasm/reader.ts";
import { exportStartFunction } from "../../wasm/writer.ts";
import { assemble, body, compileAsGuest, guest, name, prng, vec, wat } from "./helpers.ts";

const policy = defaultPolicy();
const verify = (bytes: Uint8Array) => verifyModule(bytes, policy);

/** The report's only error (fails the test if there are none or several). */
function onlyError(report: VerifyReport) {
  expect(report.ok).toBe(false);
  expect(report.errors.map((e) => `${e.code}: ${e.message}`)).toHaveLength(1);
  return report.errors[0];
}

/** A wasmos guest assembled by hand (for GC and typed references, which wabt cannot write). */
function handGuest(types: number[][], code: number[]): Uint8Array {
  return assemble([
    [1, vec([[0x60, 0, 0], ...types])],
    [3, vec([[0x00]])],
    [5, vec([[0x00, 0x01]])],
    [
      7,
      vec([
        [...name("memory"), 0x02, 0x00],
        [...name("_start"), 0x00, 0x00],
      ]),
    ],
    [10, vec([body(code)])],
  ]);
}

describe("the default policy", () => {
  it("is built from the ABI definition: every syscall with its signature, plus sys", () => {
    expect(policy.importModule).toBe("wasmos");
    expect([...policy.syscalls.keys()]).toEqual([...abi.syscalls.map((s) => s.name), "sys"]);
    expect(policy.syscalls.get("exit")).toEqual({ params: ["i32"], results: [] });
    expect(policy.syscalls.get("sleep")).toEqual({ params: ["i64"], results: ["i32"] });
    expect(policy.syscalls.get("clock_now")).toEqual({ params: [], results: ["i64"] });
    expect(policy.syscalls.get("sys")).toEqual({ params: ["i32", "i64", "i64", "i64", "i64", "i64", "i64"], results: ["i64"] });
    expect([policy.maxMemoryPages, policy.maxTableElements, policy.maxModuleBytes]).toEqual([4096, 65536, 134217728]);
    expect(policy.grantsEnabled).toBe(true);
    expect([...policy.allowedFeatures]).toEqual(expect.arrayContaining(["simd", "tail-call", "bulk-memory", "reference-types"]));
    expect([...policy.allowedFeatures]).not.toEqual(expect.arrayContaining(["threads"]));
  });

  it("takes overrides without changing the default", () => {
    const strict = defaultPolicy({ grantsEnabled: false, maxMemoryPages: 16 });
    expect([strict.grantsEnabled, strict.maxMemoryPages]).toEqual([false, 16]);
    expect(defaultPolicy().grantsEnabled).toBe(true);
    expect(() => policyFromAbi({ ...abi, limits: [] })).toThrow(/MAX_MEMORY_PAGES/);
  });
});

describe("the module verifier accepts", () => {
  it("a real AssemblyScript guest, and describes it", async () => {
    const report = verify(await compileAsGuest());
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.info.imports).toEqual([
      { module: "wasmos", name: "panic", kind: "func", type: "(i32, i32) -> ()" },
      { module: "wasmos", name: "console_write", kind: "func", type: "(i32, i32) -> i32" },
    ]);
    expect(report.info.exports.map((e) => e.name)).toEqual(expect.arrayContaining(["memory", "_start", "add"]));
    expect(report.info.memory).toMatchObject({ index: 0, exported: true });
    expect(report.info.hasStart).toBe(false);
    expect(report.info.grants).toEqual([]);
  });

  it("SIMD, tail calls, bulk memory, reference types, a start function and a memory grant", () => {
    const report = verify(
      guest(`
      (import "grant" "pcm" (memory $pcm 1 4))
      (table 4 funcref)
      (global $r (mut externref) (ref.null extern))
      (func $init)
      (start $init)
      (func $peak (param i32) (result i32)
        (i16x8.extract_lane_s 0 (v128.load $pcm (local.get 0))))
      (func $fill (memory.fill (i32.const 0) (i32.const 0) (i32.const 16)))
      (func $loop (param i32) (result i32) (return_call $peak (local.get 0)))`),
    );
    expect(report.errors).toEqual([]);
    expect(report.info.grants).toEqual([{ name: "pcm", memory: 0, min: 1, max: 4, shared: false }]);
    expect(report.info.memory).toMatchObject({ index: 1, min: 1, max: null, exported: true });
    expect(report.info.hasStart).toBe(true);
    expect(report.info.features).toEqual(expect.arrayContaining(["simd", "tail-call", "bulk-memory", "reference-types", "multi-memory"]));
  });

  it("an own memory without a maximum and a table at the limit", () => {
    expect(verify(guest(`(table 65536 65536 funcref)`)).ok).toBe(true);
    expect(verify(guest(`(memory $m 1024 1024) (export "memory" (memory $m))`, { memory: false })).ok).toBe(true);
  });
});

describe("the module verifier refuses", () => {
  it("malformed bytes, naming the section and offset", () => {
    const e = onlyError(verify(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, 0x05, 0x01, 0x06, 0x77])));
    expect(e.code).toBe("malformed");
    expect(e.message).toBe("malformed module: section 'import' at offset 0x8: section size 5 runs past the end of the module");
    expect(e.offset).toBe(8);
  });

  it("a malformed function body, naming the function", () => {
    const e = onlyError(verify(handGuest([], [0x41, 0x00, 0xfe, 0x7f, 0x0b])));
    expect(e.code).toBe("malformed");
    expect(e.message).toMatch(/^malformed module: section 'code' at offset 0x[0-9a-f]+: function 0: unknown opcode 0xfe 0x7f$/);
    expect(e.func).toBe(0);
  });

  it("a well-formed module that does not validate, with the engine's reason", () => {
    const e = onlyError(verify(guest(`(func (result i32) (i32.add (i32.const 1)))`)));
    expect(e.code).toBe("invalid");
    expect(e.message).toMatch(/^module is not valid WebAssembly: .*i32\.add/);
  });

  it("a module above the size limit, without parsing it", () => {
    const e = onlyError(verify(new Uint8Array(140_000_000)));
    expect(e).toEqual({ code: "module-too-large", message: "module is 140000000 bytes, limit 134217728" });
  });

  it("an AssemblyScript runtime import, with the hint to route it through the SDK", () => {
    const e = onlyError(verify(guest(`(import "env" "abort" (func (param i32 i32 i32 i32)))`)));
    expect(e.code).toBe("import-not-in-abi");
    expect(e.message).toBe(
      `import "env" "abort" is not part of the wasmos ABI; AssemblyScript's abort/trace/seed must be routed through the SDK (asc --use abort=...)`,
    );
    expect(onlyError(verify(guest(`(import "env" "seed" (func (result f64)))`))).message).toContain("(asc --use seed=...)");
  });

  it("an import outside the ABI and names it", () => {
    // wasi_unstable (WASI's snapshot 0) is not a personality this host serves; wasi_snapshot_preview1 is (test/wasi/).
    const other = onlyError(verify(guest(`(import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))`)));
    expect(other.code).toBe("import-not-in-abi");
    expect(other.message).toBe(
      `import "wasi_unstable" "fd_write" is not part of the wasmos ABI (a guest imports only syscalls from "wasmos" and memory grants from "grant")`,
    );
    const unknown = onlyError(verify(guest(`(import "wasmos" "fork" (func (result i32)))`)));
    expect(unknown).toMatchObject({
      code: "import-not-in-abi",
      message: `import "wasmos" "fork" is not part of the wasmos ABI (no syscall "fork")`,
    });
  });

  it("a syscall imported with the wrong signature, showing both", () => {
    const e = onlyError(
      verify(
        wat(`(module (import "wasmos" "console_write" (func (param i32) (result i32)))
      (memory (export "memory") 1) (func (export "_start")))`),
      ),
    );
    expect(e.code).toBe("import-signature");
    expect(e.message).toBe(`import "wasmos" "console_write": expected (i32, i32) -> i32, found (i32) -> i32`);
    const exit = onlyError(
      verify(
        wat(`(module (import "wasmos" "exit" (func (param i64)))
      (memory (export "memory") 1) (func (export "_start")))`),
      ),
    );
    expect(exit.message).toBe(`import "wasmos" "exit": expected (i32) -> (), found (i64) -> ()`);
  });

  it("a syscall name imported as something other than a function, and a non-memory grant", () => {
    const g = onlyError(verify(guest(`(import "wasmos" "yield" (global i32))`)));
    expect(g).toMatchObject({ code: "import-kind", message: `import "wasmos" "yield" must be a function, found a global` });
    const f = onlyError(verify(guest(`(import "grant" "pcm" (func))`)));
    expect(f).toMatchObject({ code: "import-kind", message: `import "grant" "pcm" is a func; only memories can be imported from "grant"` });
  });

  it("a memory grant when the policy disables grants", () => {
    const bytes = guest(`(import "grant" "pcm" (memory 1))`);
    expect(verify(bytes).ok).toBe(true);
    const e = onlyError(verifyModule(bytes, defaultPolicy({ grantsEnabled: false })));
    expect(e).toMatchObject({
      code: "grants-disabled",
      message: `import "grant" "pcm" asks for a memory grant, and grants are disabled by the policy`,
    });
  });

  it("memories above the page limit: a declared minimum, or an imported grant's maximum", () => {
    const min = onlyError(verify(guest(`(memory (export "memory") 5000)`, { memory: false })));
    expect(min).toMatchObject({ code: "memory-limit", message: "memory 0 declares minimum 5000 pages, limit 4096" });
    // A maximum above the limit on the module's own memory is lowered at preparation, not refused (WASI programs declare 4 GiB).
    expect(verify(guest(`(memory (export "memory") 1 65536)`, { memory: false })).ok).toBe(true);
    const grant = onlyError(verify(guest(`(import "grant" "big" (memory 1 5000))`)));
    expect(grant.message).toBe(
      `memory 0 (import "grant" "big") declares maximum 5000 pages, limit 4096 (omit the maximum and the kernel caps growth)`,
    );
  });

  it("a table above the element limit", () => {
    const e = onlyError(verify(guest(`(table 100000 funcref)`)));
    expect(e).toMatchObject({ code: "table-limit", message: "table 0 declares minimum 100000 elements, limit 65536" });
    expect(onlyError(verify(guest(`(table 1 70000 funcref)`))).message).toMatch(/^table 0 declares maximum 70000 elements, limit 65536/);
  });

  it("a shared memory", () => {
    const e = onlyError(verify(guest(`(memory (export "memory") 1 2 shared)`, { memory: false })));
    expect(e).toMatchObject({ code: "shared-memory", message: "memory 0 is shared; shared memories (threads) are not supported" });
  });

  it("a 64-bit memory", () => {
    const e = onlyError(verify(guest(`(memory (export "memory") i64 1)`, { memory: false })));
    expect(e).toMatchObject({
      code: "feature-memory64",
      message: "memory 0 uses 64-bit addresses (memory64); 64-bit memories and tables are not supported",
    });
  });

  it("a second memory of its own", () => {
    const e = onlyError(verify(guest(`(memory $extra 1)`)));
    expect(e).toMatchObject({
      code: "multi-memory",
      message: `module defines 2 memories; a guest has one memory of its own, and any other must be a grant imported from "grant"`,
    });
  });

  it("a module that does not export its memory, or exports something else under that name", () => {
    expect(onlyError(verify(guest(``, { memory: false })))).toMatchObject({
      code: "missing-memory-export",
      message: `module does not export its memory as "memory"`,
    });
    const fn = onlyError(verify(guest(`(memory 1) (func (export "memory"))`, { memory: false })));
    expect(fn).toMatchObject({ code: "missing-memory-export", message: `export "memory" is a func, not a memory` });
    const grant = onlyError(verify(guest(`(import "grant" "pcm" (memory $pcm 1)) (export "memory" (memory $pcm))`, { memory: false })));
    expect(grant).toMatchObject({
      code: "memory-export-grant",
      message: `export "memory" is the imported memory "grant" "pcm"; it must be the module's own memory`,
    });
  });

  it("a module without a _start of type () -> ()", () => {
    expect(onlyError(verify(guest(``, { entry: false })))).toMatchObject({
      code: "missing-entry",
      message: `module does not export "_start" (the entry point, of type () -> ())`,
    });
    const sig = onlyError(verify(guest(`(func (export "_start") (param i32))`, { entry: false })));
    expect(sig).toMatchObject({ code: "entry-signature", message: `export "_start" must have type () -> (), found (i32) -> ()` });
    const glob = onlyError(verify(guest(`(global (export "_start") i32 (i32.const 0))`, { entry: false })));
    expect(glob).toMatchObject({ code: "entry-signature", message: `export "_start" is a global, not a function of type () -> ()` });
  });

  it("atomics, naming the function, the instruction and its offset, and counting the other uses", () => {
    const bytes = guest(`
      (func $worker (export "worker")
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (atomic.fence))
      (func (drop (i32.atomic.load (i32.const 0))))`);
    const e = onlyError(verify(bytes));
    expect(e.code).toBe("feature-threads");
    const m = readModule(bytes);
    const worker = m.exports.find((x) => x.name === "worker")!.index;
    expect(e.func).toBe(worker);
    expect(e.message).toBe(
      `function ${worker} "worker" uses i32.atomic.rmw.add at offset 0x${e.offset!.toString(16)} (2 more uses in 2 functions): ` +
        "threads and atomics are not supported: one kernel thread runs every process",
    );
    expect(bytes[e.offset!]).toBe(0xfe);
  });

  it("exception handling: the tag section and every try, throw or try_table in code", () => {
    const report = verify(
      guest(`
      (tag $e)
      (func $thrower (throw $e))
      (func $catcher (try (do (call $thrower)) (catch_all)))`),
    );
    expect(report.ok).toBe(false);
    expect(report.errors.map((e) => e.code)).toEqual(["feature-exceptions", "feature-exceptions"]);
    expect(report.errors[0].message).toMatch(
      /^tag section \(section tag, offset 0x[0-9a-f]+\): exception handling is refused: a guest could catch the kernel's unwinding$/,
    );
    expect(report.errors[1].message).toMatch(
      /^function \d+ uses throw at offset 0x[0-9a-f]+ \(2 more uses in 2 functions\): exception handling is refused/,
    );
    const table = verify(guest(`(func (block $l (try_table (catch_all $l) (nop))))`));
    expect(onlyError(table).message).toMatch(/uses try_table at offset/);
  });

  it("GC types", () => {
    const e = onlyError(verify(handGuest([[0x5f, 0x01, 0x7f, 0x01]], [0x0b])));
    expect(e.code).toBe("feature-gc");
    expect(e.message).toMatch(
      /^type 1 is a struct type \(section type, offset 0x[0-9a-f]+\): GC types and instructions are not supported$/,
    );
  });

  it("GC instructions even without GC types", () => {
    const e = onlyError(verify(handGuest([], [0x41, 0x05, 0xfb, 0x1c, 0xfb, 0x1d, 0x1a, 0x0b])));
    expect(e).toMatchObject({ code: "feature-gc", func: 0 });
    expect(e.message).toMatch(/^function 0 "_start" uses ref\.i31 at offset 0x[0-9a-f]+ \(1 more use\)/);
  });

  it("typed function references", () => {
    const e = onlyError(verify(handGuest([], [0xd2, 0x00, 0x14, 0x00, 0x0b])));
    expect(e.code).toBe("feature-function-references");
    expect(e.message).toMatch(/uses call_ref at offset 0x[0-9a-f]+: typed function references are not supported$/);
  });

  it("relaxed SIMD, whose results differ between hosts", () => {
    const e = onlyError(
      verify(
        guest(`(func (result v128)
      (i8x16.relaxed_swizzle (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))`),
      ),
    );
    expect(e.code).toBe("feature-relaxed-simd");
    expect(e.message).toMatch(/uses i8x16\.relaxed_swizzle .*results differ between hosts/);
  });

  it("everything wrong at once, listing every error", () => {
    const report = verify(
      wat(`(module
      (import "env" "abort" (func (param i32 i32 i32 i32)))
      (import "wasmos" "exit" (func (param i64)))
      (memory 5000 8000 shared)
      (memory 1)
      (table 100000 funcref))`),
    );
    expect(report.errors.map((e) => e.code)).toEqual([
      "import-not-in-abi",
      "import-signature",
      "shared-memory",
      "memory-limit", // the minimum 5000; its maximum 8000 is lowered at preparation
      "multi-memory",
      "table-limit",
      "missing-memory-export",
      "missing-entry",
    ]);
  });
});

describe("the verifier on hostile bytes", () => {
  let real: Uint8Array;
  beforeAll(async () => {
    real = await compileAsGuest();
  });

  it("returns a report, never throws, for every prefix of a real guest", () => {
    const sectionEnds = new Set(readModule(real).sections.map((s) => s.end));
    for (let n = 0; n < real.length; n++) {
      const report = verify(real.subarray(0, n));
      expect(report.errors.map((e) => e.code)).not.toContain("internal");
      // Only a cut between sections, after everything a guest needs, leaves a valid module.
      if (report.ok) expect(sectionEnds.has(n)).toBe(true);
    }
    expect(verify(real).ok).toBe(true);
  });

  it("returns a report for 400 randomly corrupted guests, and what it accepts is valid and rewritable", () => {
    let accepted = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rand = prng(seed);
      const copy = real.slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < flips; i++) copy[Math.floor(rand() * copy.length)] ^= 1 << Math.floor(rand() * 8);
      const report = verify(copy);
      expect(report.errors.map((e) => e.code)).not.toContain("internal");
      for (const e of report.errors) expect(e.message.length).toBeGreaterThan(10);
      if (!report.ok) continue;
      accepted++;
      expect(WebAssembly.validate(copy)).toBe(true);
      const rewritten = exportStartFunction(readModule(copy), "__start");
      expect(WebAssembly.validate(rewritten)).toBe(true);
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it("returns a report for random garbage after a valid header", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const bytes = new Uint8Array(8 + Math.floor(rand() * 64));
      bytes.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
      for (let i = 8; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      const report = verify(bytes);
      expect(report.errors.map((e) => e.code)).not.toContain("internal");
    }
  });
});

/** `bytes` with a custom section appended that makes the module at least `size` bytes (no meaning changes). */
function padded(bytes: Uint8Array, size: number): Uint8Array {
  const content = new ByteSink(size).name("wasmos-test-padding");
  content.bytes(new Uint8Array(Math.max(0, size - bytes.length)));
  return new ByteSink(size + 16).bytes(bytes).section(0, content).finish();
}

describe("the engine gate of a large module (validated on a second thread: loader/engine-gate.ts)", () => {
  const big = PARALLEL_GATE_MIN_BYTES + 1000;

  it("refuses a large well-formed module that does not validate, with the engine's reason, as for a small one", () => {
    const src = `(func (result i32) (i32.add (i32.const 1)))`;
    const small = onlyError(verify(guest(src)));
    const large = onlyError(verify(padded(guest(src), big)));
    expect(large).toEqual(small);
    expect(large.code).toBe("invalid");
  });

  it("accepts a large valid module", () => {
    const report = verify(padded(guest(`(func (export "f") (result i32) (i32.const 1))`), big));
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("gives WebAssembly.validate's answer whichever thread validates, and the worker does validate", async () => {
    const valid = padded(guest(`(func (result i32) (i32.const 1))`), big);
    const invalid = padded(guest(`(func (result i32) (i32.add (i32.const 1)))`), big);
    const by = new Set<string | null>();
    for (let round = 0; round < 40 && !by.has("worker"); round++) {
      for (const [bytes, want] of [
        [valid, true],
        [invalid, false],
      ] as const) {
        const now = startValidation(bytes); // asked at once: usually answered by the caller (the worker has not begun)
        expect(now.valid()).toBe(want);
        by.add(now.answeredBy);
        const later = startValidation(bytes);
        await new Promise((r) => setTimeout(r, 50)); // time for the worker to take it
        expect(later.valid()).toBe(want);
        by.add(later.answeredBy);
      }
    }
    expect(by.has("worker")).toBe(true);
    expect(by.has(null)).toBe(false);
  });

  it("answers right for modules of different sizes one after another (the shared buffer of a finished job is reused)", async () => {
    const valid = padded(guest(`(func (result i32) (i32.const 1))`), big);
    const invalid = padded(guest(`(func (result i32) (i32.add (i32.const 1)))`), big);
    const larger = (bytes: Uint8Array) => padded(bytes, 2 * big);
    const by = new Set<string | null>();
    for (const [bytes, want] of [
      [larger(invalid), false],
      [valid, true],
      [larger(valid), true],
      [invalid, false],
      [valid, true],
    ] as const) {
      const p = startValidation(bytes);
      await new Promise((r) => setTimeout(r, 50));
      expect(p.valid()).toBe(want);
      by.add(p.answeredBy);
    }
    expect(by.has(null)).toBe(false);
  });

  it("hands back the SHA-256 of a large valid module's bytes when asked, taken by the worker or left to the caller, never a wrong one", async () => {
    const valid = padded(guest(`(func (result i32) (i32.const 1))`), big);
    const larger = padded(guest(`(func (result i32) (i32.const 2))`), 2 * big);
    const invalid = padded(guest(`(func (result i32) (i32.add (i32.const 1)))`), big);
    let fromWorker = 0;
    for (let round = 0; round < 4; round++) {
      for (const bytes of [valid, larger, invalid]) {
        const want = createHash("sha256").update(bytes).digest("hex");
        const now = startValidation(bytes, "decode", false, true); // asked at once: the caller hashes (null) or waits for the worker's
        const early = now.digest();
        if (early !== null) expect(early).toBe(want);
        now.cancel();
        const later = startValidation(bytes, "decode", false, true);
        await new Promise((r) => setTimeout(r, 100)); // time for the worker to scan, validate and hash
        const ok = later.valid();
        expect(ok).toBe(bytes !== invalid);
        const digest = later.digest();
        if (!ok)
          expect(digest).toBeNull(); // the worker hashes only bytes it found valid
        else if (digest !== null) {
          expect(digest).toBe(want);
          fromWorker++;
        }
        later.scan?.close();
      }
    }
    expect(fromWorker).toBeGreaterThan(0);
    const unasked = startValidation(valid, "decode");
    expect(unasked.digest()).toBeNull(); // not asked
    unasked.cancel();
    expect(startValidation(guest(`(func)`), "decode", false, true).digest()).toBeNull(); // small: validated in place
  });

  it("validates a small module in place", () => {
    const p = startValidation(guest(`(func)`));
    expect(p.valid()).toBe(true);
    expect(p.answeredBy).toBe("caller");
  });
});

describe("formatReport", () => {
  it("prints imports, exports, memory, grants and the verdict for an accepted module", () => {
    const text = formatReport(verify(guest(`(import "grant" "pcm" (memory 1 4))`)), "prog.wasm");
    expect(text).toContain("prog.wasm: ");
    expect(text).toContain("  wasmos.console_write  func (i32, i32) -> i32");
    expect(text).toContain("  grant.pcm  memory 1..4 pages");
    expect(text).toContain("  _start  func");
    expect(text).toContain("memory: 1 pages min, no maximum, exported");
    expect(text).toContain(`grant "pcm": memory 0, 1 pages min, 4 max`);
    expect(text).toMatch(/verdict: OK, a valid wasmos guest$/);
  });

  it("lists every error with its code for a refused module", () => {
    const text = formatReport(verify(guest(`(import "env" "abort" (func (param i32 i32 i32 i32)))`)));
    expect(text).toContain("verdict: REFUSED (1 error)");
    expect(text).toContain(`  [import-not-in-abi] import "env" "abort" is not part of the wasmos ABI`);
  });

  it("describes a module it could not parse", () => {
    const text = formatReport(verify(new Uint8Array([1, 2, 3])), "junk.bin");
    expect(text).toContain("junk.bin: 3 bytes, 0 functions");
    expect(text).toContain("[malformed] malformed module: section 'header' at offset 0x0");
  });
});
