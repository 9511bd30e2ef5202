// Grants from AssemblyScript: the SDK's grant intrinsics are lowered by the
// build into plain loads on the imported grant memory (build/grants.ts), so
// the shipped module imports only syscalls and `grant` memories; the same
// data read through typed windows goes through the kernel. Measured side by
// side (printed; the assertions are about correctness, not speed).
import { beforeAll, describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { grantModuleSource, shimWat } from "../../build/grants.ts";
import { Kernel, MEMORY_READ_ONLY_RIGHTS } from "../../host/kernel.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { readModule } from "../../wasm/reader.ts";
import { compileFixture } from "./helpers.ts";

let pcm: Uint8Array;

beforeAll(async () => {
  pcm = await compileFixture("pcm");
});

/** Run the pcm guest in one mode over a 3840-byte stereo buffer whose left peak is 12345; its exit status and wall time. */
async function run(mode: string, periods: number, instrument = true): Promise<{ status: number; ms: number; copied: number }> {
  const k = new Kernel({ instrument });
  const mem = k.createMemory(3840);
  const v = new DataView(k.memoryBytes(mem).buffer, 0, 3840);
  for (let i = 0; i < 960; i++) {
    v.setInt16(4 * i, Math.round(12345 * Math.sin((2 * Math.PI * i) / 960)), true);
    v.setInt16(4 * i + 2, 30000, true);
  }
  const img = k.loadImage(pcm, "pcm");
  const t0 = performance.now();
  const p = k.spawn(img, {
    args: ["pcm", mode, String(periods)],
    handles: [{ name: "pcm", object: mem, rights: MEMORY_READ_ONLY_RIGHTS }],
  });
  const exit = await p.exited;
  const ms = performance.now() - t0;
  expect(exit.reason).toBe(ExitReason.NORMAL);
  const copied = k.core.copied.windowBytes + k.core.copied.ipcBytes;
  p.close();
  k.release(img);
  k.release(mem);
  expect(k.core.objects.liveTotal()).toBe(0);
  return { status: exit.status, ms, copied };
}

describe("grants in AssemblyScript", () => {
  it("the shipped module imports only syscalls and the grant memory, and reads it with i32.load16_s, no call in between", () => {
    const m = readModule(pcm);
    for (const imp of m.imports) {
      if (imp.module === "grant") expect(imp.kind).toBe("memory");
      else {
        expect(imp.module).toBe("wasmos");
        expect(imp.kind).toBe("func");
      }
    }
    expect(m.imports.filter((i) => i.module === "grant").map((i) => i.name)).toEqual(["pcm"]);
    const grantIndex = 0; // imports come first; the grant is the only imported memory
    let loads = 0;
    for (const body of m.code) {
      forEachInstruction(m, body, (ins) => {
        if (ins.memory === grantIndex && ins.op.name !== "memory.copy") {
          expect(ins.op.name).toBe("i32.load16_s");
          loads++;
        }
      });
    }
    expect(loads).toBeGreaterThan(0);
    expect(m.exports.map((e) => e.name).sort()).toEqual(["_start", "memory"]);
  });

  it("a module that only reads its grant is accepted read-only, and all three ways find the same peak; only the window ways copy", async () => {
    const grant = await run("grant", 3);
    const window = await run("window", 3);
    const bulk = await run("bulk", 3);
    expect([grant.status, window.status, bulk.status]).toEqual([12345, 12345, 12345]);
    expect([grant.copied, window.copied, bulk.copied]).toEqual([0, 0, 3 * 1920]);
  });

  it("direct grant loads against window accessors, side by side (printed)", async () => {
    // Differential: the time of a long run less that of a short one, so instantiation drops out.
    // Each side is the fastest of three runs (the machine is shared; the minimum is the least disturbed).
    const perSample = async (mode: string, short: number, long: number, instrument = true): Promise<number> => {
      let a = Infinity;
      let b = Infinity;
      for (let i = 0; i < 3; i++) {
        const x = await run(mode, short, instrument);
        const y = await run(mode, long, instrument);
        expect([x.status, y.status]).toEqual([12345, 12345]);
        a = Math.min(a, x.ms);
        b = Math.min(b, y.ms);
      }
      return ((b - a) * 1e6) / ((long - short) * 960);
    };
    const grant = await perSample("grant", 100, 5100);
    const window = await perSample("window", 10, 210);
    const bulk = await perSample("bulk", 100, 2100);
    const grantUnmetered = await perSample("grant", 100, 5100, false);
    const windowUnmetered = await perSample("window", 10, 210, false);
    console.log(
      `peak scan, ns per sample (instantiation subtracted): fuel-metered: grant loads ${grant.toFixed(2)}, ` +
        `window_read per 960-sample period ${bulk.toFixed(2)}, window_get per sample ${window.toFixed(1)}; ` +
        `unmetered: grant loads ${grantUnmetered.toFixed(2)}, window_get ${windowUnmetered.toFixed(1)}`,
    );
  });

  it("the generated intrinsics module and shim name the grant and nothing else", () => {
    const src = grantModuleSource("pcm");
    expect(src).toContain('@external("grant:pcm", "load_i16") export declare function load_i16(offset: u32): i16;');
    expect(src).toContain("@final export class Memory {");
    expect(() => grantModuleSource("no/slash")).toThrow(/not usable/);
    expect(shimWat("pcm", ["load_i16"])).toBe(`(module
  (import "grant" "pcm" (memory $g 0))
  (import "main" "memory" (memory $own 0))
  (func (export "load_i16") (param i32) (result i32) (i32.load16_s $g (local.get 0)))
)`);
  });

  it("gives 16-byte intrinsics, each one v128 load or store on the grant (for guests built with SIMD)", () => {
    const src = grantModuleSource("fb");
    expect(src).toContain('@external("grant:fb", "load_v128") export declare function load_v128(offset: u32): v128;');
    expect(src).toContain('@external("grant:fb", "store_v128") export declare function store_v128(offset: u32, value: v128): void;');
    expect(shimWat("fb", ["load_v128", "store_v128"])).toBe(`(module
  (import "grant" "fb" (memory $g 0))
  (import "main" "memory" (memory $own 0))
  (func (export "load_v128") (param i32) (result v128) (v128.load $g (local.get 0)))
  (func (export "store_v128") (param i32 v128) (v128.store $g (local.get 0) (local.get 1)))
)`);
  });
});
