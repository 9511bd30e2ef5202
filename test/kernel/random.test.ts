// random_get: the seed's bytes in deterministic mode (a boot reproduces
// exactly), the host's entropy in real-time mode (two boots differ).
import { describe, expect, it } from "vitest";
import type { KernelConfig } from "../../host/kernel.ts";
import { runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

// Records random_get's result and the 32 bytes it wrote, as eight i32s.
const reader = guest(`
  (func (export "_start") (local $i i32)
    (call $rec (call $random_get (i32.const 100) (i32.const 32)))
    (loop $l
      (call $rec (i32.load (i32.add (i32.const 100) (i32.mul (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8))))
    (call $flush))`);

async function bytes(config: KernelConfig): Promise<number[]> {
  const r = await runSystem([{ name: "reader", bytes: reader }], config);
  expect(r.rec.reader[0]).toBe(0);
  return r.rec.reader.slice(1);
}

describe("random_get", () => {
  it("gives the same bytes for the same seed in deterministic mode, and others for another seed", async () => {
    expect(await bytes({ seed: 7 })).toEqual(await bytes({ seed: 7 }));
    expect(await bytes({ seed: 7 })).not.toEqual(await bytes({ seed: 8 }));
  });

  it("gives the host's entropy in real-time mode: two boots with the same seed differ", async () => {
    const a = await bytes({ deterministic: false, seed: 7 });
    const b = await bytes({ deterministic: false, seed: 7 });
    expect(a).not.toEqual(b); // 256 random bits: equal only by a 2^-256 chance
    expect(a).not.toEqual(await bytes({ seed: 7 }));
  });
});
