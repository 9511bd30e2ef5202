// The automatic leak check (test/setup/leak-check.ts) can fail: a kernel
// object kept alive by a reference nobody drops is reported by type, and a
// kernel shut down with processes still blocked and host references still
// held is clean.

import { describe, expect, it } from "vitest";
import { Kernel } from "../../host/kernel.ts";
import { shutdownAndCheck } from "../setup/leak-check.ts";
import { wat } from "../helpers/wat.ts";

describe("the leak check after every test", () => {
  it("reports an object whose reference was never dropped, by type", () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    ep.retainKernel(); // a planted leak: a kernel reference nobody releases
    expect(shutdownAndCheck(k)).toEqual(["objects still alive after shutdown: 1 ENDPOINT"]);
    ep.releaseKernel();
  });

  it("finds nothing left once a kernel with a blocked process and host references is shut down", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const img = k.loadImage(
      wat(`(module (import "wasmos" "handle_get" (func $hg (param i32 i32) (result i32)))
        (import "wasmos" "receive" (func $rx (param i32 i32 i32 i64) (result i32)))
        (memory (export "memory") 1) (data (i32.const 0) "ep")
        (func (export "_start") (drop (call $rx (call $hg (i32.const 0) (i32.const 2)) (i32.const 16) (i32.const 0) (i64.const 0x7fffffffffffffff)))))`),
    );
    k.spawn(img, { handles: [{ name: "ep", object: ep, rights: 0xffff }] });
    await k.run(); // blocked in receive forever
    expect(k.core.alive).toBe(1);
    expect(shutdownAndCheck(k)).toEqual([]);
  });
});
