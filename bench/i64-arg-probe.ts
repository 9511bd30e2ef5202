// Probe behind pulse_wait's signature (docs/fastpath.md, "Pulse and wait in one
// call"): what a 64-bit pulse value costs at the boundary. A wasm loop calls a
// plain import shaped like pulse_wait, (ep, code, value, wait_ep), with the
// value as i64 (a BigInt made at every crossing) and as i32, each import doing
// what the kernel does with the value: the i64 one as setPulse does (word 0 as
// a BigInt, the value kept, its low 32 bits written to the IPC buffer), the
// i32 one as setPulseNarrow does. "bare" imports ignore the value: the
// crossing alone. Not part of `npm run bench`.
//
//   node bench/i64-arg-probe.ts

import wabtInit from "wabt";

const wabt = await wabtInit();
const src = `(module
  (import "k" "f64" (func $f64 (param i32 i32 i64 i32) (result i32)))
  (import "k" "f32" (func $f32 (param i32 i32 i32 i32) (result i32)))
  (func (export "l64") (param $n i32) (local $i i32)
    (loop $l (drop (call $f64 (i32.const 3) (i32.const 1) (i64.extend_i32_s (local.get $i)) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_s (local.get $i) (local.get $n)))))
  (func (export "l32") (param $n i32) (local $i i32)
    (loop $l (drop (call $f32 (i32.const 3) (i32.const 1) (local.get $i) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_s (local.get $i) (local.get $n))))))`;
const bytes = wabt.parseWat("probe.wat", src).toBinary({}).buffer;

const wide = [0n, 0n, 0n, 0n];
const narrow = new Int32Array(4);
const buffer = new Int32Array(4);
const kernelLike = {
  f64: (ep: number, code: number, v: bigint, w: number) => {
    wide[0] = BigInt(code);
    wide[1] = v;
    buffer[1] = Number(BigInt.asIntN(32, v));
    return ep + w;
  },
  f32: (ep: number, code: number, v: number, w: number) => {
    narrow[0] = code;
    narrow[1] = v;
    buffer[1] = v;
    return ep + w;
  },
};
const bare = {
  f64: (ep: number, _c: number, _v: bigint, w: number) => ep + w,
  f32: (ep: number, _c: number, _v: number, w: number) => ep + w,
};

const N = 2_000_000;
for (const [name, imports] of [
  ["kernel-like", kernelLike],
  ["bare", bare],
] as const) {
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { k: imports });
  const ex = instance.exports as Record<"l64" | "l32", (n: number) => void>;
  const t: Record<"l64" | "l32", number[]> = { l64: [], l32: [] };
  for (let rep = 0; rep < 9; rep++)
    for (const f of ["l64", "l32"] as const) {
      const t0 = process.hrtime.bigint();
      ex[f](N);
      t[f].push(Number(process.hrtime.bigint() - t0) / N);
    }
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
  process.stdout.write(`${name.padEnd(12)} i64 value ${med(t.l64).toFixed(1)} ns/call, i32 value ${med(t.l32).toFixed(1)} ns/call\n`);
}
