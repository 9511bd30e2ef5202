// Prepared images on disk: the second load of the same program comes from the
// store (no verification, no instrumentation) and runs the same; a damaged
// entry is rebuilt, never trusted.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiskImageStore } from "../../host/image-store.ts";
import { Kernel } from "../../host/kernel.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { strings, wasiProgram } from "./helpers.ts";

let root: string;
beforeEach(() => (root = fs.mkdtempSync(join(tmpdir(), "wasmos-image-store-"))));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const hello = wasiProgram(
  `(i32.store (i32.const 0x80) (i32.const 0x300)) (i32.store (i32.const 0x84) (i32.const 6))
   (drop (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x88)))`,
  { data: strings([{ at: 0x300, s: "hello\n" }]) },
);

async function run(store: DiskImageStore): Promise<{ out: string; stats: { compiled: number; stored: number } }> {
  const chunks: Uint8Array[] = [];
  const k = new Kernel({ imageStore: store, stdout: (b) => chunks.push(b.slice()) });
  const p = k.spawn(k.loadImage(hello, "hello.wasm"));
  await p.exited;
  await k.run();
  return { out: Buffer.concat(chunks).toString(), stats: k.loader.stats };
}

describe("the on-disk image store", () => {
  it("answers the second load of a program from disk, and the program runs the same", async () => {
    const first = await run(new DiskImageStore(defaultPolicy(), root));
    const second = await run(new DiskImageStore(defaultPolicy(), root));
    expect(first).toMatchObject({ out: "hello\n", stats: { compiled: 1, stored: 0 } });
    expect(second).toMatchObject({ out: "hello\n", stats: { compiled: 0, stored: 1 } });
  });

  it("rebuilds a damaged entry instead of running it", async () => {
    const store = new DiskImageStore(defaultPolicy(), root);
    await run(store);
    for (const f of fs.readdirSync(store.dir)) if (f.endsWith(".wasm")) fs.writeFileSync(join(store.dir, f), "not wasm");
    const again = await run(new DiskImageStore(defaultPolicy(), root));
    expect(again).toMatchObject({ out: "hello\n", stats: { compiled: 1, stored: 0 } });
  });

  it("keeps images of different policies apart", () => {
    const a = new DiskImageStore(defaultPolicy(), root);
    const b = new DiskImageStore(defaultPolicy({ maxMemoryPages: 16 }), root);
    expect(a.dir).not.toBe(b.dir);
  });
});
