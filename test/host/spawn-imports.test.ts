// What a spawn builds for its process (docs/fastpath.md "Spawn"): the import
// object of an image whose imports are all the kernel's (syscalls, the fuel
// entry, the shared guards) is made once per kernel and image and shared by
// every later spawn; anything of a process's own (a grant, the wasm
// dispatchers that read its handle mirror) gives it an import object of its
// own. Sharing must change nothing a process can see: each of several
// processes blocked at once resumes as itself.
import { afterEach, describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { wat } from "../helpers/wat.ts";

/** The import objects each instantiation of a guest module got, in order (the runtime's own modules left out). */
function recordImports(): { seen: WebAssembly.Imports[]; restore: () => void } {
  const Original = WebAssembly.Instance;
  const seen: WebAssembly.Imports[] = [];
  const Recording = function (module: WebAssembly.Module, imports?: WebAssembly.Imports) {
    if (WebAssembly.Module.exports(module).some((e) => e.name === "_start")) seen.push(imports!);
    return new Original(module, imports);
  } as unknown as typeof WebAssembly.Instance;
  Recording.prototype = Original.prototype;
  (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Recording;
  return { seen, restore: () => ((WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Original) };
}

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

// Reads its own pid, yields, sleeps (10 - pid) ms so the sleepers wake in the reverse of their start order,
// reads its pid again, and exits with pid * 1001 when both readings agree.
const SLEEPER = wat(`(module
  (import "wasmos" "process_info" (func $info (param i32 i32 i32) (result i32)))
  (import "wasmos" "yield" (func $yield (result i32)))
  (import "wasmos" "sleep" (func $sleep (param i64) (result i32)))
  (import "wasmos" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $info (i32.const -1) (i32.const 0) (i32.const 40)))
    (drop (call $yield))
    (drop (call $sleep (i64.mul (i64.extend_i32_u (i32.sub (i32.const 10) (i32.load (i32.const 0)))) (i64.const 1000000))))
    (drop (call $info (i32.const -1) (i32.const 64) (i32.const 40)))
    (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 1000)) (i32.load (i32.const 64))))))`);

/** The same program with one more import of `extra` (a syscall the kernel's wasm dispatchers serve per process) or a grant. */
function sleeperWith(extra: string): Uint8Array {
  return wat(`(module
  (import "wasmos" "yield" (func $yield (result i32)))
  ${extra}
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $yield))))`);
}

describe("the import objects spawns build", () => {
  it("processes of an image whose imports are all the kernel's share one frozen import object, and each blocks and resumes as itself", async () => {
    const k = new Kernel();
    const img = k.loadImage(SLEEPER, "sleeper");
    const rec = recordImports();
    restore = rec.restore;
    const procs = [1, 2, 3, 4].map(() => k.spawn(img));
    const exits = await Promise.all(procs.map((p) => p.exited));
    expect(exits.map((e) => e.reason)).toEqual(procs.map(() => ExitReason.NORMAL));
    expect(exits.map((e) => e.status)).toEqual(procs.map((p) => p.pid * 1001));
    expect(rec.seen).toHaveLength(4);
    for (const imports of rec.seen) expect(imports).toBe(rec.seen[0]);
    expect(Object.isFrozen(rec.seen[0])).toBe(true);
    expect(Object.isFrozen(rec.seen[0].wasmos)).toBe(true);
    // A later spawn, after the first ones have exited, gets it too and runs the same.
    const again = k.spawn(img);
    expect((await again.exited).status).toBe(again.pid * 1001);
    expect(rec.seen[4]).toBe(rec.seen[0]);
  });

  it("another kernel's processes of the same image get that kernel's import object, not this one's", async () => {
    const rec = recordImports();
    restore = rec.restore;
    const k1 = new Kernel();
    const k2 = new Kernel({ loader: k1.loader });
    for (const k of [k1, k2, k1, k2]) {
      const p = k.spawn(k.loadImage(SLEEPER, "sleeper"));
      expect((await p.exited).status).toBe(p.pid * 1001);
    }
    expect(rec.seen[2]).toBe(rec.seen[0]);
    expect(rec.seen[3]).toBe(rec.seen[1]);
    expect(rec.seen[1]).not.toBe(rec.seen[0]);
    expect(rec.seen[1].wasmos.sleep).not.toBe(rec.seen[0].wasmos.sleep);
  });

  it.each([
    ["kill (the wasm dispatcher reads its own handle mirror)", `(import "wasmos" "kill" (func $kill (param i32 i32) (result i32)))`],
    ["memory_size", `(import "wasmos" "memory_size" (func $ms (param i32) (result i32)))`],
    ["window_get", `(import "wasmos" "window_get" (func $wg (param i32 i32) (result i64)))`],
    [
      "port_send (its wasm port_send reads its own handle mirror)",
      `(import "wasmos" "port_send" (func $ps (param i32 i32 i64) (result i32)))`,
    ],
  ])("a process whose image imports %s gets an import object of its own", async (_what, extra) => {
    const k = new Kernel();
    const img = k.loadImage(sleeperWith(extra), "own");
    const rec = recordImports();
    restore = rec.restore;
    for (let i = 0; i < 3; i++) expect((await k.spawn(img).exited).reason).toBe(ExitReason.NORMAL);
    expect(rec.seen).toHaveLength(3);
    expect(rec.seen[1]).not.toBe(rec.seen[0]);
    expect(rec.seen[2]).not.toBe(rec.seen[1]);
  });

  it("a process bound to a grant gets an import object of its own, holding its own memory object", async () => {
    const k = new Kernel();
    const img = k.loadImage(sleeperWith(`(import "grant" "buf" (memory 1 1))`), "granted");
    const rec = recordImports();
    restore = rec.restore;
    const mems = [k.createMemory(65536), k.createMemory(65536)];
    for (const m of mems) {
      const p = k.spawn(img, { handles: [{ name: "buf", object: m, rights: MEMORY_GRANT_RIGHTS }] });
      expect((await p.exited).reason).toBe(ExitReason.NORMAL);
    }
    expect(rec.seen[1]).not.toBe(rec.seen[0]);
    expect(rec.seen.map((i) => i.grant.buf)).toEqual(mems.map((m) => m.backing));
    expect(rec.seen[0].grant.buf).not.toBe(rec.seen[1].grant.buf);
  });

  it("with the fast path off (every blocking import Suspending), spawns share nothing and run the same", async () => {
    const k = new Kernel({ fastPath: false });
    const img = k.loadImage(SLEEPER, "sleeper");
    const rec = recordImports();
    restore = rec.restore;
    const procs = [1, 2, 3].map(() => k.spawn(img));
    const exits = await Promise.all(procs.map((p) => p.exited));
    expect(exits.map((e) => e.status)).toEqual(procs.map((p) => p.pid * 1001));
    expect(rec.seen[1]).not.toBe(rec.seen[0]);
  });
});

describe("a process's start", () => {
  it("a kernel error while a process starts ends that process as a kernel fault, and the kernel and its other processes carry on", async () => {
    const k = new Kernel();
    const img = k.loadImage(SLEEPER, "sleeper");
    // The fuel counter is set between instantiation and _start: fail that once, for the first process only.
    const value = Object.getOwnPropertyDescriptor(WebAssembly.Global.prototype, "value")!;
    let armed = true;
    Object.defineProperty(WebAssembly.Global.prototype, "value", {
      ...value,
      set(this: WebAssembly.Global, v: unknown) {
        if (armed) {
          armed = false;
          throw new Error("injected");
        }
        value.set!.call(this, v);
      },
    });
    restore = () => Object.defineProperty(WebAssembly.Global.prototype, "value", value);
    const first = k.spawn(img);
    const second = k.spawn(img);
    const [e1, e2] = await Promise.all([first.exited, second.exited]);
    expect(e1.reason).toBe(ExitReason.KERNEL_FAULT);
    expect(e1.message).toBe("kernel fault in process start: Error: injected");
    expect(e2.reason).toBe(ExitReason.NORMAL);
    expect(e2.status).toBe(second.pid * 1001);
    const third = k.spawn(img);
    expect((await third.exited).status).toBe(third.pid * 1001);
  });
});
