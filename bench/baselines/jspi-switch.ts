// baseline_jspi_switch_ns: the floor under one context switch. One bare
// instance (no kernel) calls a WebAssembly.Suspending import that returns an
// already-resolved promise: V8 suspends the instance's stack, the microtask
// queue runs, and the stack is resumed. One suspension and one resumption,
// which is what every switch figure (ctx_switch_ns, pulse_ns) cannot go
// under; a round trip (baseline_jspi_pingpong_ns) needs two of each.

import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { sampleHost } from "../stats.ts";

const YIELDER = `(module
  (import "bare" "yield" (func $yield (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $yield (local.get $acc)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))`;

export const jspiSwitch: Family = {
  name: "baseline_jspi_switch",
  keys: ["baseline_jspi_switch_ns"],
  async run(ctx) {
    const module = new WebAssembly.Module((await ctx.images.wat(YIELDER)) as Uint8Array<ArrayBuffer>);
    // A resolved promise per call (what a kernel's resume hands back); `new Promise` is V8's cheapest.
    const yieldOnce = (v: number): Promise<number> => new Promise<number>((resolve) => resolve(v + 1));
    const instance = new WebAssembly.Instance(module, {
      bare: { yield: new WebAssembly.Suspending(yieldOnce) },
    } as unknown as WebAssembly.Imports);
    const run = WebAssembly.promising(instance.exports.run as (n: number) => number);
    const s = await sampleHost(ctx.plan, (n) => run(n).then(() => {}));
    return {
      baseline_jspi_switch_ns: timed(s, {
        unit: "ns",
        measures:
          "one bare suspend and resume: a wasm instance calls a WebAssembly.Suspending import returning a resolved promise; its stack is suspended and resumed from the microtask queue; no kernel, no second instance",
      }),
    };
  },
};
