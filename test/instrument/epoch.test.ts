// The epoch variant (loader/instrument/README.md "Two variants"): real-time
// kernels on a host with an epoch ticker load images whose charge points
// check a flag in a shared page instead of counting fuel. The variant keeps
// the module's meaning, keeps the guest away from its flag, and still lets
// the kernel preempt and end a guest that never blocks.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { EPOCH_MEMORY_IMPORT, FUEL_GLOBAL_EXPORT, OWN_MEMORY_IMPORT_PREFIX, planFuel } from "../../loader/instrument/fuel.ts";
import { editModule } from "../../wasm/writer.ts";
import { ImageLoader } from "../../loader/loader.ts";
import { prepareModule } from "../../loader/prepare.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { readModule } from "../../wasm/reader.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { wat } from "../helpers/wat.ts";
import { results, wasiProgram } from "../wasi/helpers.ts";
import { randomProgram } from "./random-programs.ts";
import { prng } from "../wasm/helpers.ts";

/** Run `run(arg)` of a module, plain or the epoch variant with the flag raised at random (seeded) after each call. */
function execute(bytes: Uint8Array, arg: number, epoch: boolean, seed = 1): { result: number | string; memory: Uint8Array; calls: number } {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  let calls = 0;
  const imports: WebAssembly.Imports = {};
  if (epoch) {
    const page = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const flag = new Int32Array(page.buffer);
    const rnd = prng(seed);
    flag[0] = 1;
    imports.wasmos = {
      __wasmos_out_of_fuel: () => {
        calls++;
        flag[0] = rnd() < 0.7 ? 1 : 0;
      },
      [EPOCH_MEMORY_IMPORT.name]: page,
      [`${OWN_MEMORY_IMPORT_PREFIX}0`]: new WebAssembly.Memory({ initial: 1 }),
    };
  }
  const instance = new WebAssembly.Instance(module, imports);
  let result: number | string;
  try {
    result = (instance.exports.run as (x: number) => number)(arg);
  } catch (e) {
    result = `trap: ${(e as Error).message}`;
  }
  return { result, memory: new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer).slice(), calls };
}

const spinner = wasiProgram(`(loop $forever (br $forever))`);

/** A WASI program that computes with loops, recursion and memory, and records what it got. */
const compute = wasiProgram(
  `
    (call $rec (call $fib (i32.const 20)))
    (call $rec (call $sum (i32.const 100000)))
    (i32.store (i32.const 0x400) (i32.const 7))
    (call $rec (i32.load (i32.const 0x400)))
    (call $rec (memory.grow (i32.const 2)))
    (call $rec (memory.size))
    (call $flush)`,
  {
    funcs: `
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $sum (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $more
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $more)))
    (local.get $acc))`,
  },
);
const expected = [6765, 705082704, 7, 1, 3];

describe("the epoch variant of an image", () => {
  it("imports the flag's shared page and its own memory, exports no counter, and keeps every memory's index", () => {
    const prepared = prepareModule(compute, defaultPolicy(), { preemption: "epoch" });
    expect(prepared.preemption).toBe("epoch");
    const m = readModule(prepared.bytes);
    const memories = m.imports.filter((i) => i.kind === "memory").map((i) => `${i.module}.${i.name}`);
    // The module's own memory (index 0) is now the first memory import; the flag's page comes after it.
    expect(memories).toEqual([`wasmos.${OWN_MEMORY_IMPORT_PREFIX}0`, `${EPOCH_MEMORY_IMPORT.module}.${EPOCH_MEMORY_IMPORT.name}`]);
    expect(m.memories).toEqual([]);
    expect(m.exports.map((e) => e.name)).not.toContain(FUEL_GLOBAL_EXPORT);
    expect(prepared.ownMemories).toEqual([expect.objectContaining({ min: 1, shared: false })]);
    expect(prepareModule(compute, defaultPolicy()).preemption).toBe("fuel");
  });

  it("handles a module without a memory and one that imports a memory before its own", () => {
    const page = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const flag = new Int32Array(page.buffer);
    const none = wat(`(module (func (export "run") (result i32) (local $i i32)
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
      (local.get $i)))`);
    let m = readModule(none);
    let out = editModule(m, planFuel(m, undefined, { preemption: "epoch" }).edits);
    let calls = 0;
    flag[0] = 1;
    const wasmos = { __wasmos_out_of_fuel: () => void calls++, [EPOCH_MEMORY_IMPORT.name]: page };
    let inst = new WebAssembly.Instance(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>), { wasmos });
    expect((inst.exports.run as () => number)()).toBe(1000);
    expect(calls).toBe(1000); // the flag stayed raised: every loop header called
    // An imported memory (index 0) before the module's own (index 1): both keep their indices.
    const two = wat(`(module (import "grant" "g" (memory 1)) (memory (export "memory") 1)
      (func (export "run") (result i32)
        (i32.store 1 (i32.const 8) (i32.const 7)) (i32.store 0 (i32.const 8) (i32.const 5))
        (i32.add (i32.load 1 (i32.const 8)) (i32.mul (i32.load 0 (i32.const 8)) (i32.const 10)))))`);
    m = readModule(two);
    out = editModule(m, planFuel(m, undefined, { preemption: "epoch" }).edits);
    const grant = new WebAssembly.Memory({ initial: 1 });
    inst = new WebAssembly.Instance(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>), {
      grant: { g: grant },
      wasmos: { ...wasmos, [`${OWN_MEMORY_IMPORT_PREFIX}0`]: new WebAssembly.Memory({ initial: 1 }) },
    });
    expect((inst.exports.run as () => number)()).toBe(57);
    expect(new Int32Array(grant.buffer)[2]).toBe(5);
  });

  it("keeps what 200 random programs compute, results and memory, with the flag raised at 70% of the checks", () => {
    let calls = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const plain = wat(randomProgram(seed));
      const m = readModule(plain);
      const epoch = editModule(m, planFuel(m, undefined, { preemption: "epoch" }).edits);
      expect(WebAssembly.validate(epoch as Uint8Array<ArrayBuffer>), `seed ${seed}`).toBe(true);
      for (const arg of [7, -3]) {
        const a = execute(plain, arg, false);
        const b = execute(epoch, arg, true, seed);
        expect(b.result, `seed ${seed} arg ${arg}`).toEqual(a.result);
        expect(Buffer.compare(Buffer.from(a.memory), Buffer.from(b.memory)), `seed ${seed} arg ${arg} memory`).toBe(0);
        calls += b.calls;
      }
    }
    expect(calls).toBeGreaterThan(500); // the guests really took the flag's path (about 900 times)
  });

  it("computes what the fuel variant computes, in a real-time kernel", async () => {
    const epoch = await runGuest(compute, { deterministic: false, epochTicker: nodeEpochTicker() });
    const fuel = await runGuest(compute, { deterministic: true });
    expect(epoch.exit.reason).toBe(ExitReason.NORMAL);
    expect(results(epoch)).toEqual(expected);
    expect(results(fuel)).toEqual(expected);
  });

  it("is what a real-time kernel with a ticker loads, and never what a deterministic one loads", () => {
    const rt = new Kernel({ deterministic: false, epochTicker: nodeEpochTicker() });
    const det = new Kernel({ deterministic: true, epochTicker: nodeEpochTicker() });
    const plain = new Kernel({ deterministic: false, epochTicker: null });
    expect(rt.loader.load(compute, "c").preemption).toBe("epoch");
    expect(det.loader.load(compute, "c").preemption).toBe("fuel");
    expect(plain.loader.load(compute, "c").preemption).toBe("fuel");
    expect(() => new Kernel({ deterministic: true, loader: rt.loader })).toThrow(/deterministic/);
    expect(() => new Kernel({ deterministic: false, loader: rt.loader, epochTicker: null })).toThrow(/ticker/);
  });

  it("is preempted and ended by a wall-clock timeout while it spins", async () => {
    const run = await runGuest(spinner, { deterministic: false, epochTicker: nodeEpochTicker(), timeoutMs: 200 });
    expect(run.exit.reason).toBe(ExitReason.KILLED);
    expect(run.exit.message).toMatch(/timeout/);
  });

  it("is ended by a timeout in an endless loop whose every iteration calls a small accessor the rewrite inlines", async () => {
    const program = wasiProgram(`(local $s i32) (loop $l (local.set $s (i32.add (local.get $s) (call $get (local.get $s)))) (br $l))`, {
      funcs: `(func $get (param i32) (result i32) (i32.load8_u (i32.and (local.get 0) (i32.const 1023))))`,
    });
    expect(planFuel(readModule(program), undefined, { preemption: "epoch" }).inlined).toBe(1);
    const run = await runGuest(program, { deterministic: false, epochTicker: nodeEpochTicker(), timeoutMs: 200 });
    expect(run.exit.reason).toBe(ExitReason.KILLED);
    expect(run.exit.message).toMatch(/timeout/);
  });

  it("is ended by a timeout in loop-free recursion and in a loop-free call tree exponential in its size", async () => {
    // No loop header anywhere: only entry checks can stop these (on the cycle, and where a call tree grows past the weight bound).
    const fib = wasiProgram(`(call $rec (call $fib (i32.const 60))) (call $flush)`, {
      funcs: `(func $fib (param $n i32) (result i32)
        (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
          (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))`,
    });
    const levels = 48;
    const tree = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `(func $t${i} (global.set $rp (i32.add (global.get $rp) (i32.const 0))))`
        : `(func $t${i} (call $t${i + 1}) (call $t${i + 1}))`,
    ).join("\n");
    const doubling = wasiProgram(`(call $t0) (call $flush)`, { funcs: tree });
    for (const program of [fib, doubling]) {
      const run = await runGuest(program, { deterministic: false, epochTicker: nodeEpochTicker(), timeoutMs: 200 });
      expect(run.exit.reason).toBe(ExitReason.KILLED);
      expect(run.exit.message).toMatch(/timeout/);
    }
    const m = readModule(doubling);
    const checked = planFuel(m, undefined, { preemption: "epoch" }).chargePoints;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThan(levels); // the light levels near the leaves go unchecked
  });

  it("takes turns with another spinning process of its priority: the ticker ends each one's quantum", async () => {
    // Each writes its letter after every stretch of busy work; with no preemption the output would be all of one, then the other.
    const writer = (letter: string) =>
      wasiProgram(
        `(local $round i32) (local $i i32)
        (i32.store8 (i32.const 0x300) (i32.const ${letter.charCodeAt(0)}))
        (i32.store (i32.const 0x80) (i32.const 0x300)) (i32.store (i32.const 0x84) (i32.const 1))
        (block $done (loop $rounds
          (local.set $i (i32.const 0))
          (block $spun (loop $spin
            (br_if $spun (i32.ge_u (local.get $i) (i32.const 2000000)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $spin)))
          (drop (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x90)))
          (local.set $round (i32.add (local.get $round) (i32.const 1)))
          (br_if $rounds (i32.lt_u (local.get $round) (i32.const 30)))))`,
      );
    const k = new Kernel({ deterministic: false, epochTicker: nodeEpochTicker() });
    let out = "";
    const stdout = (b: Uint8Array) => (out += new TextDecoder().decode(b));
    const a = k.spawn(k.loadImage(writer("A"), "a"), { args: ["a"], stdout });
    const b = k.spawn(k.loadImage(writer("B"), "b"), { args: ["b"], stdout });
    await Promise.all([a.exited, b.exited]);
    expect(out.replace(/[^AB]/g, "")).toHaveLength(60);
    const switches = [...out].filter((c, i) => i > 0 && c !== out[i - 1]).length;
    expect(switches).toBeGreaterThan(4); // all A then all B would be one switch
  });

  it("is preempted and ended by its CPU limit while it spins", async () => {
    const run = await runGuest(spinner, { deterministic: false, epochTicker: nodeEpochTicker(), fuel: 20_000_000 });
    expect(run.exit.reason).toBe(ExitReason.CPU_LIMIT);
  });

  it("cannot reach its flag: a guest naming a second memory is refused before instrumentation", () => {
    // The flag's memory did not exist when the module was validated; a module that names memory 1 without having it is invalid.
    let bytes: Uint8Array | null = null;
    try {
      bytes = wat(`(module (memory 1) (func (export "_start") (i32.store 1 (i32.const 0) (i32.const 0))))`);
    } catch {
      return; // the assembler refuses it already
    }
    const loader = new ImageLoader(defaultPolicy(), { preemption: "epoch" });
    expect(() => loader.load(bytes, "poke")).toThrow();
  });

  it("is what `wasmos run --realtime` runs, and its --timeout ends a spinning program there (the cache entry names the variant)", () => {
    const dir = fs.mkdtempSync(join(tmpdir(), "wasmos-epoch-cli-"));
    try {
      fs.writeFileSync(join(dir, "spin.wasm"), spinner);
      const bin = fileURLToPath(new URL("../../bin/wasmos.js", import.meta.url));
      const env: NodeJS.ProcessEnv = { ...process.env, WASMOS_CACHE_DIR: join(dir, "cache") };
      delete env.WASMOS_NO_CACHE;
      delete env.WASMOS_PREEMPTION;
      const r = spawnSync(process.execPath, [bin, "run", "--realtime", "--timeout", "300ms", join(dir, "spin.wasm")], {
        encoding: "utf8",
        env,
        timeout: 60_000,
      });
      expect(r.status).toBe(100 + ExitReason.KILLED);
      expect(r.stderr).toMatch(/timeout/);
      const entries = fs.readdirSync(join(dir, "cache")).filter((f) => f.endsWith(".wasmos-image"));
      expect(entries).toHaveLength(1);
      expect(fs.readFileSync(join(dir, "cache", entries[0])).toString("latin1")).toContain('"preemption":"epoch"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
