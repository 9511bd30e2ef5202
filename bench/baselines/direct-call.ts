// baseline_direct_call_ns: the floor under port_rtt_ns. One instance calls
// another instance's export directly (the callee's function passed as the
// caller's import): a wasm-to-wasm call and its return, no JS in between.

import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { sampleHost } from "../stats.ts";

const CALLEE = `(module
  (func (export "handle") (param $m i32) (result i32)
    (i32.add (local.get $m) (i32.const 1))))`;

const CALLER = `(module
  (import "peer" "handle" (func $handle (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $handle (local.get $acc)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))`;

export const directCall: Family = {
  name: "baseline_direct_call",
  keys: ["baseline_direct_call_ns"],
  async run(ctx) {
    const module = async (wat: string) => new WebAssembly.Module((await ctx.images.wat(wat)) as Uint8Array<ArrayBuffer>);
    const callee = new WebAssembly.Instance(await module(CALLEE), {});
    const caller = new WebAssembly.Instance(await module(CALLER), { peer: { handle: callee.exports.handle } });
    const run = caller.exports.run as (n: number) => number;
    const s = await sampleHost(ctx.plan, (n) => {
      run(n);
    });
    return {
      baseline_direct_call_ns: timed(s, {
        unit: "ns",
        measures: "one wasm instance calling another instance's export (passed as its import) and getting the result back",
      }),
    };
  },
};
