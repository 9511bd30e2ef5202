// The budget memory_stats reports is the budget a guest can use: with the
// default budget, a guest whose memory declares no maximum (what asc emits)
// grows its own memory up to the budget, not to a lower hidden ceiling.
import { describe, expect, it } from "vitest";
import { Limits } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

describe("the memory budget memory_stats reports", () => {
  it("is how far a guest's own memory grows: to the last page of the default budget and not one past", async () => {
    expect(Limits.MAX_MEMORY_PAGES).toBe(Limits.MEMORY_BUDGET_PAGES);
    const budget = Limits.MEMORY_BUDGET_PAGES;
    const k = new Kernel();
    const bytes = guest(`(func (export "_start")
      (drop (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
      (call $rec (i32.load (i32.const 200)))
      (call $rec (memory.grow (i32.const ${budget - 2})))
      (call $rec (memory.grow (i32.const 2)))
      (call $rec (memory.grow (i32.const 1)))
      (call $rec (memory.size))
      (call $flush))`);
    const r = await runSystem([{ name: "p", bytes }], {}, k);
    // stats say 4096; from 1 page: +4094 ok, +2 would pass the budget, +1 reaches it exactly.
    expect(r.rec.p).toEqual([budget, 1, -1, budget - 1, budget]);
    closeAll(r);
  });
});
