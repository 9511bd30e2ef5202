// The loader: verify, prepare, compile once per content hash.
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel, ModuleRefusedError } from "../../host/kernel.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { guest, results, wat } from "../helpers/wat.ts";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageLoader, sha256 } from "../../loader/loader.ts";
import { PARALLEL_GATE_MIN_BYTES } from "../../loader/engine-gate.ts";
import { ByteSink } from "../../wasm/sink.ts";
import { DiskImageCache } from "../../loader/disk-cache.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { prepareModule } from "../../loader/prepare.ts";

describe("image loader", () => {
  it("compiles the same image once, however often it is loaded and spawned", async () => {
    const bytes = guest(`(func (export "_start"))`);
    const k = new Kernel();
    const a = k.loadImage(bytes, "a");
    const b = k.loadImage(bytes, "b");
    const ps = [k.spawn(a), k.spawn(a), k.spawn(b)];
    await Promise.all(ps.map((p) => p.exited));
    expect(k.loader.stats).toEqual({ compiled: 1, cacheHits: 1 });
    const other = new Kernel({ loader: k.loader });
    other.loadImage(bytes, "c");
    expect(k.loader.stats).toEqual({ compiled: 1, cacheHits: 2 });
  });

  it("names each image by the SHA-256 of its bytes (a large one's taken on the engine gate's worker meanwhile) and answers a second load of them from its cache", () => {
    // Padded with a custom section to one size: a and b are large, of the same length, and differ.
    const padded = (bytes: Uint8Array, size: number) => {
      const content = new ByteSink(size).name("wasmos-test-padding").bytes(new Uint8Array(size - bytes.length));
      return new ByteSink(size + 16).bytes(bytes).section(0, content).finish();
    };
    const big = PARALLEL_GATE_MIN_BYTES + 1000;
    const a = padded(guest(`(func (export "_start"))`), big);
    const b = padded(guest(`(func (export "_start") (nop))`), big);
    const c = padded(guest(`(func (export "_start"))`), 2 * big);
    expect(a.length).toBe(b.length);
    const loader = new ImageLoader(defaultPolicy(), { diskCache: null });
    for (const bytes of [a, c, b, a, b, c]) expect(loader.load(bytes, "m").hash).toBe(sha256(bytes));
    expect(loader.stats).toEqual({ compiled: 3, cacheHits: 3 });
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
    const max = defaultPolicy().maxMemoryPages;
    const r = await runGuest(
      guest(`
      (func (export "_start")
        (call $rec (memory.grow (i32.const ${max - 2})))
        (call $rec (memory.grow (i32.const 2)))
        (call $rec (memory.grow (i32.const 1)))
        (call $rec (memory.size))
        (call $flush))`),
      { limits: {} },
    );
    expect(r.exit.reason).toBe(ExitReason.NORMAL);
    expect(results(r.stdoutBytes)).toEqual([1, -1, max - 1, max]);
  });

  describe("the disk cache of prepared modules", () => {
    const program = guest(`(func (export "_start") (local i32) (loop (br_if 0 (local.get 0))) (call $rec (i32.const 42)) (call $flush))`);

    function withDir<T>(f: (dir: string) => T): T {
      const dir = mkdtempSync(join(tmpdir(), "wasmos-cache-"));
      try {
        return f(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it("serves a second loader from the disk: the same image, without preparing it again", async () => {
      await withDir(async (dir) => {
        const first = new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(dir) });
        const a = first.load(program, "p");
        expect(first.diskCache!.stats).toMatchObject({ misses: 1, stores: 1, hits: 0 });
        const second = new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(dir) });
        const b = second.load(program, "p");
        expect(second.diskCache!.stats).toMatchObject({ hits: 1, misses: 0, corrupt: 0 });
        expect(b.metered).toBe(true);
        expect(b.report.ok).toBe(true);
        expect([...b.handlerTypes]).toEqual([...a.handlerTypes]);
        expect(WebAssembly.Module.exports(b.module)).toEqual(WebAssembly.Module.exports(a.module));
        const k = new Kernel({ loader: second });
        const exit = await k.spawn(k.loadImage(program, "p")).exited;
        expect(exit.reason).toBe(ExitReason.NORMAL);
      });
    });

    it("stores for each of several modules loaded one after another the bytes prepareModule makes alone (the writer's reused output buffer carries nothing over)", () => {
      withDir((dir) => {
        const funcs = Array.from(
          { length: 60 },
          (_, i) =>
            `(func $f${i} (param i32) (result i32) (loop (br_if 0 (i32.eqz (local.get 0)))) (i32.add (local.get 0) (i32.const ${i})))`,
        );
        const big = guest(`${funcs.join(" ")} (func (export "_start") (drop (call $f7 (i32.const 3))) (call $flush))`);
        const policies = [defaultPolicy(), defaultPolicy({ maxMemoryPages: 16 })];
        // Large, small, large again (a buffer left by the large one is reused for the small one, then outgrown or reused).
        const loads: [Uint8Array, number][] = [
          [big, 0],
          [program, 0],
          [big, 1],
          [program, 1],
        ];
        for (const [bytes, p] of loads) new ImageLoader(policies[p], { diskCache: new DiskImageCache(dir) }).load(bytes, "m");
        const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
        expect(files).toHaveLength(4);
        for (const [bytes, p] of loads) {
          const expected = prepareModule(bytes, policies[p]).bytes;
          const matching = files.filter(
            (f) => f.length > expected.length && Buffer.compare(f.subarray(f.length - expected.length), expected) === 0,
          );
          expect(matching).toHaveLength(1);
        }
      });
    });

    it("ignores a corrupted entry (and replaces it), and keys entries by policy", () => {
      withDir((dir) => {
        new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(dir) }).load(program, "p");
        const [file] = readdirSync(dir);
        const bytes = readFileSync(join(dir, file));
        bytes[bytes.length - 10] ^= 0xff; // one flipped bit in the prepared bytes
        writeFileSync(join(dir, file), bytes);
        const again = new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(dir) });
        expect(again.load(program, "p").report.ok).toBe(true);
        expect(again.diskCache!.stats).toMatchObject({ corrupt: 1, hits: 0, stores: 1 });
        writeFileSync(join(dir, file), bytes.subarray(0, 20)); // truncated
        const truncated = new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(dir) });
        truncated.load(program, "p");
        expect(truncated.diskCache!.stats).toMatchObject({ corrupt: 1, stores: 1 });
        const other = new ImageLoader(defaultPolicy({ maxMemoryPages: 16 }), { diskCache: new DiskImageCache(dir) });
        other.load(program, "p");
        expect(other.diskCache!.stats).toMatchObject({ misses: 1, hits: 0 });
        expect(readdirSync(dir).filter((f) => f.endsWith(".wasmos-image"))).toHaveLength(2);
      });
    });
  });
});
