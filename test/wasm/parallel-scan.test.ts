// The body walk of a large module shared between the loading thread and the
// engine gate's worker (loader/parallel-scan.ts): whatever share the worker
// takes, a load gives what one thread walking every body gives.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageLoader, ModuleRefusedError } from "../../loader/loader.ts";
import { DiskImageCache } from "../../loader/disk-cache.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { PARALLEL_GATE_MIN_BYTES, SharedScan } from "../../loader/engine-gate.ts";
import {
  chunkBounds,
  FREE,
  HERE,
  S_CHUNK0,
  SCAN_CHUNKS,
  SCANNED,
  STATE_WORDS,
  THERE,
  type ChunkResult,
} from "../../loader/parallel-scan.ts";
import { verifierTestHooks, verifyModule, type VerifyReport } from "../../loader/verify.ts";
import { readModule } from "../../wasm/reader.ts";
import { ByteSink } from "../../wasm/sink.ts";
import { randomProgram } from "../instrument/random-programs.ts";
import { guest, wat } from "./helpers.ts";

/** `bytes` with a custom section appended that makes the module at least `size` bytes (no meaning changes). */
function padded(bytes: Uint8Array, size = PARALLEL_GATE_MIN_BYTES + 1000): Uint8Array {
  const content = new ByteSink(size).name("wasmos-test-padding");
  content.bytes(new Uint8Array(Math.max(0, size - bytes.length)));
  return new ByteSink(size + 16).bytes(bytes).section(0, content).finish();
}

/** A deterministic pseudo-random generator (xorshift). */
function rng(seed: number): (n: number) => number {
  let x = seed * 2654435761 + 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/**
 * A guest of `n` functions of every shape the fuel scan records: loops with
 * and without calls, calls forward and back (cycles), tail calls, calls that
 * cannot return, call_indirect, ref.func escapes, br_table, memory.grow and
 * memory.fill (sized), and bounded helpers; `extra` is added to function
 * `at`'s body (a refused instruction, say).
 */
function manyFunctions(seed: number, n: number, extra: { at: number; code: string } | null = null): Uint8Array {
  const r = rng(seed);
  const funcs: string[] = [];
  const helpers: string[] = [];
  for (let i = 0; i < n; i++) {
    const callee = r(n);
    const parts: string[] = [];
    switch (r(9)) {
      case 0:
        parts.push(`(i32.add (local.get 0) (i32.const ${r(100)}))`);
        break;
      case 1:
        parts.push(
          `(block $out (loop $top (br_if $out (i32.eqz (local.get 0))) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br $top)))`,
          `(local.get 0)`,
        );
        break;
      case 2:
        parts.push(
          `(block $out (loop $top (br_if $out (i32.eqz (local.get 0))) (drop (call $f${callee} (i32.const 1))) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br $top)))`,
          `(local.get 0)`,
        );
        break;
      case 3:
        parts.push(`(call_indirect (type $sig) (local.get 0) (i32.const ${r(4)}))`);
        break;
      case 4:
        // $h<i> is loop-free and unbounded, reached by a direct call here: folded into this caller unless it escapes (it does).
        helpers.push(`(func $h${i} (param i32) (result i32) (call_indirect (type $sig) (local.get 0) (i32.const 1)))`);
        parts.push(`(drop (ref.func $h${i}))`, `(drop (ref.func $f${callee}))`, `(call $h${i} (local.get 0))`);
        break;
      case 5:
        parts.push(`(block $a (block $b (block $c (br_table $a $b $c (local.get 0)))))`, `(i32.const ${r(7)})`);
        break;
      case 6:
        parts.push(`(drop (memory.grow (i32.const 0)))`, `(memory.fill (i32.const 0) (i32.const 0) (local.get 0))`, `(i32.const 1)`);
        break;
      case 7:
        parts.push(`(if (local.get 0) (then (call $dies)))`, `(return_call $f${callee} (i32.const 0))`);
        break;
      default:
        parts.push(`(call $f${callee} (i32.const 0))`);
    }
    // An exported bounded function reached through the table only by a ref.func in code (a late body: the worker's):
    // the call_indirect of its signature (an early body) is charged its weight.
    if (i === n - 2) parts.unshift(`(table.set (i32.const 3) (ref.func $heavy))`);
    if (i === 1) parts.unshift(`(drop (call_indirect (type $sig2) (i64.const 1) (i32.const 3)))`);
    if (extra !== null && extra.at === i) parts.unshift(extra.code);
    funcs.push(`(func $f${i} (param i32) (result i32) ${parts.join(" ")})`);
  }
  return wat(`(module
    (type $sig (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (table 4 funcref)
    (elem (i32.const 0) ${[0, 1, 2, 3].map((k) => `$f${k % n}`).join(" ")})
    (elem declare func ${funcs.map((_, i) => `$f${i}`).join(" ")} ${helpers.map((h) => h.split(" ")[1]).join(" ")})
    ${helpers.join("\n")}
    (type $sig2 (func (param i64) (result i64)))
    (func $heavy (export "heavy") (param i64) (result i64)
      ${"(local.set 0 (i64.mul (local.get 0) (i64.const 3)))".repeat(40)} (local.get 0))
    (func $dies (unreachable))
    ${funcs.join("\n")}
    (func (export "f") (param i32) (result i32) (call $f0 (local.get 0)))
    (func (export "_start")))`);
}

/** What a load leaves: the report (or the refusal's), and every file of the disk cache entry it wrote. */
interface Outcome {
  report: VerifyReport;
  files: string[];
}

const dirs: string[] = [];
afterEach(() => {
  verifierTestHooks.beforeCode = null;
  verifierTestHooks.afterCode = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Waits synchronously (the worker runs meanwhile). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Loads `bytes` with a fresh loader and disk cache; `shared`: with the body
 * walk shared (the loading thread waits `waitMs` before walking, so the
 * worker takes a share), else every body walked here. Returns the outcome and
 * how many chunks the worker scanned.
 */
function load(bytes: Uint8Array, shared: boolean, waitMs = 0, preemption: "fuel" | "epoch" = "fuel"): Outcome & { fromWorker: number } {
  const dir = mkdtempSync(join(tmpdir(), "wasmos-parallel-scan-"));
  dirs.push(dir);
  let fromWorker = 0;
  verifierTestHooks.beforeCode = waitMs > 0 ? () => sleep(waitMs) : null;
  verifierTestHooks.afterCode = (s: SharedScan | null) => {
    if (!shared) expect(s).toBeNull();
    fromWorker = s?.fromWorker ?? 0;
  };
  const loader = new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(dir), parallelScan: shared, preemption });
  let report: VerifyReport;
  try {
    report = loader.load(bytes, "m").report;
  } catch (e) {
    if (!(e instanceof ModuleRefusedError)) throw e;
    report = e.report;
  }
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      try {
        return `${f}:${Buffer.from(readFileSync(join(dir, f))).toString("base64")}`;
      } catch {
        return f; // a directory
      }
    });
  return { report, files, fromWorker };
}

/** Loads `bytes` both ways, with the worker given time to take from none to all of the chunks; each outcome the same. Returns the chunks the worker took in each shared load. */
function sameBothWays(bytes: Uint8Array, preemption: "fuel" | "epoch" = "fuel"): number[] {
  const one = load(bytes, false, 0, preemption);
  const taken: number[] = [];
  for (const waitMs of [0, 2, 10, 60]) {
    const two = load(bytes, true, waitMs, preemption);
    expect(two.report).toEqual(one.report);
    expect(two.files).toEqual(one.files);
    taken.push(two.fromWorker);
  }
  return taken;
}

beforeAll(async () => {
  // The worker imports the scan module when it starts: one load starts it, then time for the import.
  load(padded(guest(`(func)`)), true);
  await new Promise((r) => setTimeout(r, 1500));
});

describe("the body walk shared with the gate worker (loader/parallel-scan.ts)", () => {
  it("splits the bodies into at most SCAN_CHUNKS chunks of consecutive bodies covering all of them", () => {
    expect(chunkBounds(readModule(wat(`(module)`)))).toEqual([0]);
    for (const n of [1, 5, 63, 64, 65, 300]) {
      const m = readModule(manyFunctions(n + 1, n));
      const b = chunkBounds(m);
      expect(b[0]).toBe(0);
      expect(b[b.length - 1]).toBe(m.code.length);
      expect(b.length - 1).toBeLessThanOrEqual(SCAN_CHUNKS);
      for (let i = 1; i < b.length; i++) expect(b[i]).toBeGreaterThan(b[i - 1]);
    }
  });

  it("prepares the same bytes and gives the same report whatever share the worker takes, in both variants", () => {
    let tookAll = false;
    let tookSome = false;
    for (let seed = 1; seed <= 6; seed++) {
      const bytes = padded(manyFunctions(seed, 150 + seed * 40));
      for (const preemption of ["fuel", "epoch"] as const) {
        const taken = sameBothWays(bytes, preemption);
        const chunks = chunkBounds(readModule(bytes)).length - 1;
        if (taken.includes(chunks)) tookAll = true;
        if (taken.some((t) => t > 0 && t < chunks)) tookSome = true;
      }
    }
    expect(tookAll).toBe(true); // the worker did scan (a load adopted every chunk from it)
    void tookSome; // (where the threads meet depends on the machine's load)
  });

  it("prepares random programs the same way", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const src = randomProgram(seed).replace(/\)\s*$/, `(func (export "_start")))`);
      sameBothWays(padded(wat(src)));
    }
  });

  it("reports the earliest body that does not decode, wherever the worker met one", () => {
    const bytes = padded(manyFunctions(7, 400));
    const m = readModule(bytes);
    const n = m.code.length;
    /** `bytes` with the first instruction of each listed body (m.code index) replaced by an opcode that does not exist. */
    const broken = (at: number[]) => {
      const out = bytes.slice();
      for (const i of at) out[m.code[i].bodyStart] = 0xff;
      return out;
    };
    for (const at of [[n - 1], [n - 2, n - 1], [1, n - 1], [n >> 1], [0], [n >> 2, (3 * n) >> 2]]) {
      const b = broken(at);
      const one = load(b, false);
      expect(one.report.errors.map((e) => e.code)).toEqual(["malformed"]);
      expect(one.report.errors[0].func).toBe(m.code[Math.min(...at)].index);
      for (const waitMs of [0, 10, 60]) expect(load(b, true, waitMs).report).toEqual(one.report);
    }
  });

  it("names a refused instruction's first use and counts the others the same way when the worker found them", () => {
    const n = 300;
    const atomic = `(drop (i32.atomic.load (i32.const 0)))`;
    const bytes = padded(manyFunctions(8, n, { at: n - 3, code: atomic }));
    const one = load(bytes, false);
    expect(one.report.errors.map((e) => e.code)).toEqual(["feature-threads"]);
    for (const waitMs of [0, 10, 60]) expect(load(bytes, true, waitMs).report).toEqual(one.report);
  });

  it("refuses a large module the engine refuses with the engine's reason either way, though preparation ran on it first", () => {
    // Each decodes (the reader and the decoder accept it) and is invalid: a type error, a branch past the function's
    // labels, a call of a function that does not exist, a local, global, type or table that does not exist, a block
    // without its result, an unbalanced stack at a loop's end. The loader prepares them before it reads the engine's
    // answer (the gate is deferred): whatever preparation makes of them, the refusal is the engine's.
    const bodies = [
      `(func (result i32) (i32.add (i32.const 1)))`,
      `(func (loop (br 7)))`,
      `(func (loop (br_if 3 (i32.const 1))))`,
      `(func (call 9999))`,
      `(func (loop (drop (call 9999))) (br_table 0 9 (i32.const 0)))`,
      `(func (drop (local.get 40)))`,
      `(func (global.set 33 (i32.const 1)))`,
      `(func (call_indirect (type 900) (i32.const 0)))`,
      `(func (loop (result i32)))`,
      `(func (loop (i32.const 1)) (memory.fill (i32.const 0) (i32.const 0)))`,
      `(func (drop (ref.func 9999)))`,
    ];
    for (const body of bodies) {
      const bytes = padded(manyFunctions(12, 120, { at: 100, code: body.replace(/^\(func (\(result i32\) )?/, "").replace(/\)$/, "") }));
      const one = load(bytes, false);
      expect(one.report.errors.map((e) => e.code)).toEqual(["invalid"]);
      for (const waitMs of [0, 60]) expect(load(bytes, true, waitMs).report).toEqual(one.report);
    }
  });

  it("gives verifyModule's callers (the gate read as soon as the walk is done) the same reports with the walk shared", () => {
    const n = 300;
    const good = padded(manyFunctions(10, n));
    const broken = good.slice();
    broken[readModule(good).code[n - 5].bodyStart] = 0xff;
    const refused = padded(manyFunctions(11, n, { at: n - 3, code: `(drop (i32.atomic.load (i32.const 0)))` }));
    const invalid = padded(guest(`(func (result i32) (i32.add (i32.const 1)))`));
    let took = 0;
    for (const bytes of [good, broken, refused, invalid]) {
      const one = load(bytes, false).report;
      for (const waitMs of [0, 10, 60]) {
        verifierTestHooks.beforeCode = () => sleep(waitMs);
        verifierTestHooks.afterCode = (s) => (took += s?.fromWorker ?? 0);
        expect(verifyModule(bytes, defaultPolicy())).toEqual(one);
      }
    }
    expect(took).toBeGreaterThan(0);
  });

  it("walks every body here when the module is below the gate's threshold", () => {
    let shared: SharedScan | null | undefined;
    verifierTestHooks.afterCode = (s) => (shared = s);
    new ImageLoader(defaultPolicy(), { diskCache: null }).load(manyFunctions(9, 50), "small");
    expect(shared).toBeNull();
  });
});

describe("the loading thread's side of a shared walk when the worker fails it (loader/engine-gate.ts SharedScan)", () => {
  function scan(): { shared: SharedScan; state: Int32Array; post: (r: ChunkResult) => void; close: () => void } {
    const state = new Int32Array(new SharedArrayBuffer(4 * STATE_WORDS));
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedScan(state, 7, port1, receiveMessageOnPort as never);
    return {
      shared,
      state,
      post: (r) => port2.postMessage(r),
      close: () => {
        port1.close();
        port2.close();
      },
    };
  }
  const result = (job: number, chunk: number): ChunkResult => ({ job, chunk, error: null, features: new Int32Array(1), walk: null });

  it("takes back a chunk the worker gave back, and one it never finished, and scans them itself", () => {
    const s = scan();
    try {
      s.state[S_CHUNK0 + 3] = THERE;
      Atomics.store(s.state, S_CHUNK0 + 3, FREE); // given back (the worker's scan threw)
      expect(s.shared.result(3)).toBeNull();
      expect(s.state[S_CHUNK0 + 3]).toBe(HERE);
      s.state[S_CHUNK0 + 4] = THERE; // a worker that died mid-chunk: taken back after CHUNK_WAIT_MS
      expect(s.shared.result(4)).toBeNull();
      expect(s.state[S_CHUNK0 + 4]).toBe(HERE);
      expect(s.shared.fromWorker).toBe(0);
    } finally {
      s.close();
    }
  });

  it("scans a chunk itself when the worker marked it scanned but its result is not on the port, and drops other jobs' results", () => {
    const s = scan();
    try {
      s.post(result(6, 2)); // an earlier job's
      s.state[S_CHUNK0 + 2] = SCANNED;
      expect(s.shared.result(2)).toBeNull();
      s.post(result(7, 5));
      s.post(result(7, 1));
      s.state[S_CHUNK0 + 1] = SCANNED;
      s.state[S_CHUNK0 + 5] = SCANNED;
      expect(s.shared.result(1)?.chunk).toBe(1);
      expect(s.shared.result(5)?.chunk).toBe(5); // received early, kept
      expect(s.shared.fromWorker).toBe(2);
      expect(s.shared.takeHere(1)).toBe(false);
      expect(s.shared.takeHere(9)).toBe(true);
    } finally {
      s.close();
    }
  });
});
