// The loader: verify, prepare, compile once per content hash.
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel, ModuleRefusedError } from "../../host/kernel.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { guest, results, wat } from "../helpers/wat.ts";

describe("image loader", () => {
  it("compiles the same image once, however often it is loaded and spawned", async () => {
    const bytes = guest(`(func (export "_start"))`);
    const k = new Kernel();
    const a = k.loadImage(bytes, "a");
    const b = k.loadImage(bytes, "b");
    const ps = [k.spawn(a), k.spawn(a), k.spawn(b)];
    await Promise.all(ps.map((p) => p.exited));
    expect(k.loader.stats).toEqual({ compiled: 1, cacheHits: 1, stored: 0 });
    const other = new Kernel({ loader: k.loader });
    other.loadImage(bytes, "c");
    expect(k.loader.stats).toEqual({ compiled: 1, cacheHits: 2, stored: 0 });
  });

  it("refuses a module before anything runs and says why", () => {
    const k = new Kernel();
    const bad = wat(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory (export "memory") 1) (func (export "_start")))`);
    expect(() => k.loadImage(bad, "bad.wasm")).toThrowError(ModuleRefusedError);
    try {
      k.loadImage(bad, "bad.wasm");
    } catch (e) {
      expect((e as ModuleRefusedError).describe()).toMatch(/import "env" "abort" is not part of the wasmos ABI/);
    }
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("refuses exports in the kernel's reserved namespace", () => {
    const k = new Kernel();
    const bad = guest(`(func (export "_start")) (func (export "__wasmos_start"))`);
    expect(() => k.loadImage(bad, "r.wasm")).toThrowError(/reserved to the kernel/);
  });

  it("caps a memory without a maximum at the policy's limit: memory.grow past it returns -1", async () => {
    const r = await runGuest(
      guest(`
      (func (export "_start")
        (call $rec (memory.grow (i32.const 1022)))
        (call $rec (memory.grow (i32.const 2)))
        (call $rec (memory.grow (i32.const 1)))
        (call $rec (memory.size))
        (call $flush))`),
      { limits: {} },
    );
    expect(r.exit.reason).toBe(ExitReason.NORMAL);
    expect(results(r.stdoutBytes)).toEqual([1, -1, 1023, 1024]);
  });
});
