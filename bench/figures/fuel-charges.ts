// fuel_charge_*: what one fuel charge costs a call, by where the counter
// lives (loader/instrument/README.md "What the counting variant costs"). A
// bare recursive fib, and the same with the counting variant's entry charge
// on the global (what is built), with a check of the global and no count
// (the shape of an epoch check), and with the counter threaded through a
// parameter and a result (each function takes the caller's count and
// returns its own, the global only at the module's edge; not built). The
// charge on the global is a load, a subtract and a store per call, each
// call's load waiting for the previous call's store: threaded through
// registers, that chain goes away. Modules run directly, no kernel.

import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { sampleHost, type Summary } from "../stats.ts";

/** fib(20) makes this many calls of fib. */
const CALLS = 21891;
const N = 20;

const FIB = (charge: string) => `(module
  (import "e" "oof" (func $oof))
  (global $fuel (export "fuel") (mut i32) (i32.const 1000000000))
  (func $fib (export "fib") (param $n i32) (result i32)
    ${charge}
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`;

const GLOBAL = `global.get $fuel i32.const 17 i32.sub global.set $fuel global.get $fuel i32.const 0 i32.lt_s (if (then call $oof))`;
const CHECK_ONLY = `global.get $fuel i32.const 0 i32.lt_s (if (then call $oof))`;

const THREADED = `(module
  (import "e" "oof" (func $oof))
  (global $fuel (export "fuel") (mut i32) (i32.const 1000000000))
  (func $fib (param $n i32) (param $f i32) (result i32 i32) (local $a i32)
    (local.set $f (i32.sub (local.get $f) (i32.const 17)))
    (if (i32.lt_s (local.get $f) (i32.const 0)) (then (global.set $fuel (local.get $f)) (call $oof) (local.set $f (global.get $fuel))))
    (if (i32.lt_s (local.get $n) (i32.const 2)) (then (return (local.get $n) (local.get $f))))
    (call $fib (i32.sub (local.get $n) (i32.const 1)) (local.get $f))
    (local.set $f)
    (local.set $a)
    (call $fib (i32.sub (local.get $n) (i32.const 2)) (local.get $f))
    (local.set $f)
    (i32.add (local.get $a))
    (local.get $f))
  (func (export "fib") (param $n i32) (result i32)
    (call $fib (local.get $n) (global.get $fuel))
    (global.set $fuel)))`;

export const fuelCharges: Family = {
  name: "fuel_charges",
  keys: ["baseline_fib_call_ns", "fuel_charge_global_ns", "fuel_charge_check_only_ns", "fuel_charge_threaded_ns"],
  async run(ctx) {
    const fib = async (wat: string) => {
      const module = new WebAssembly.Module((await ctx.images.wat(wat)) as Uint8Array<ArrayBuffer>);
      const inst: WebAssembly.Instance = new WebAssembly.Instance(module, {
        e: { oof: () => ((inst.exports.fuel as WebAssembly.Global).value = 1_000_000_000) },
      });
      const f = inst.exports.fib as (n: number) => number;
      if (f(N) !== 6765) throw new Error("fib(20) is not 6765");
      return f;
    };
    const variants = [await fib(FIB("")), await fib(FIB(GLOBAL)), await fib(FIB(CHECK_ONLY)), await fib(THREADED)];
    // One after the other, each a whole sampling run (the modules are tiny, the runs short).
    const s: Summary[] = [];
    for (const f of variants)
      s.push(
        await sampleHost(
          ctx.plan,
          (n) => {
            for (let i = 0; i < n; i++) f(N);
          },
          CALLS,
        ),
      );
    const base = { key: "baseline_fib_call_ns" };
    return {
      baseline_fib_call_ns: timed(s[0], { unit: "ns", measures: "one call of a recursive fib (fib(20) / 21,891 calls), no fuel charge" }),
      fuel_charge_global_ns: timed(s[1], {
        unit: "ns",
        measures: "the same call with the counting variant's entry charge on the global (fuel -= 17; if (fuel < 0) call)",
        baseline: base,
      }),
      fuel_charge_check_only_ns: timed(s[2], {
        unit: "ns",
        measures: "the same call with a check of the global and no count (if (fuel < 0) call): the shape of an epoch check",
        baseline: base,
      }),
      fuel_charge_threaded_ns: timed(s[3], {
        unit: "ns",
        measures: "the same call with the counter passed in a parameter and returned in a result (the global only at the module's edge)",
        baseline: base,
      }),
    };
  },
};
