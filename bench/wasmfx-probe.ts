// Probe: does this engine's core stack switching (the WasmFX proposal:
// cont.new / resume / suspend) give a cheaper process switch than JSPI?
// docs/fastpath.md ("An engine whose suspension costs less: stack
// switching") records what it found. Not part of `npm run bench`: the
// proposal is behind a flag and incomplete in the engines we run.
//
//   node --experimental-wasm-wasmfx bench/wasmfx-probe.ts [--rounds 6] [--n 200000]
//
// Two guests ping-pong a value. The JSPI pair is the bench's
// baseline_jspi_pingpong_ns shape (two Suspending imports and a ten-line
// scheduler in JS). The stack-switching pair keeps each guest as a
// continuation: a guest's blocking call is a wasm function that suspends to a
// scheduler loop in wasm, which calls a plain JS import (standing for the
// TypeScript kernel deciding who runs next) and resumes the chosen
// continuation. So each round trip is four stack switches and two JS calls,
// the shape a kernel that stays in TypeScript would have. Prints each
// round's ns per round trip, or the engine's refusal.

import binaryen from "binaryen";
import { CLIENT, jspiPairOf, SERVER as BASELINE_SERVER } from "./baselines/jspi-pingpong.ts";

const SCHED = `(module
  (type $ft (func (param i32) (result i32)))
  (type $ct (cont $ft))
  (import "k" "kernel" (func $kernel (param i32 i32) (result i32)))
  (tag $sys (param i32) (result i32))
  (table $fns (export "fns") 4 funcref)
  (table $conts 4 (ref null $ct))
  (global $val (mut i32) (i32.const 0))
  (func (export "set_val") (param i32) (global.set $val (local.get 0)))
  (func (export "sys") (param i32) (result i32) (suspend $sys (local.get 0)))
  (func (export "start") (param $i i32)
    (table.set $conts (local.get $i)
      (cont.new $ct (ref.cast (ref $ft) (table.get $fns (local.get $i))))))
  (func (export "run") (param $cur i32) (param $v i32) (result i32)
    (local $k (ref null $ct)) (local $msg i32)
    (loop $l
      (block $on_sys (result i32 (ref $ct))
        (resume $ct (on $sys $on_sys) (local.get $v) (table.get $conts (local.get $cur)))
        (return))
      (local.set $k)
      (local.set $msg)
      (table.set $conts (local.get $cur) (local.get $k))
      (local.set $cur (call $kernel (local.get $cur) (local.get $msg)))
      (local.set $v (global.get $val))
      (br $l))
    (unreachable)))`;

// The baseline's server (a function of no parameters or results) cannot be a continuation of the
// scheduler's one type (i32) -> i32, so the continuation pair's server is this loop in that type; the
// client is the baseline's own.
const SERVER = `(module
  (import "bare" "reply_recv" (func $reply_recv (param i32) (result i32)))
  (func (export "serve") (param $m i32) (result i32)
    (loop $next
      (local.set $m (call $reply_recv (i32.add (local.get $m) (i32.const 1))))
      (br $next))
    (unreachable)))`;

function assemble(text: string): WebAssembly.Module {
  const m = binaryen.parseText(text);
  const F = binaryen.Features;
  m.setFeatures(F.StackSwitching | F.GC | F.ReferenceTypes | F.Multivalue | F.ExceptionHandling);
  if (!m.validate()) throw new Error("binaryen: the probe's own module does not validate");
  const bytes = m.emitBinary();
  m.dispose();
  return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const rounds = opt("--rounds", 6);
const n = opt("--n", 200_000);

// The JSPI pair: the baseline's own modules and scheduler (bench/baselines/jspi-pingpong.ts).
const client = assemble(CLIENT);
const jspiRun = (await jspiPairOf(client, assemble(BASELINE_SERVER))).run;
const server = assemble(SERVER);

// The stack-switching pair, if the engine takes it.
let fxRun: ((n: number) => number) | null = null;
try {
  let sched: WebAssembly.Instance | null = null;
  const kernel = (cur: number, msg: number) => {
    (sched!.exports.set_val as (v: number) => void)(msg);
    return cur ^ 1;
  };
  sched = new WebAssembly.Instance(assemble(SCHED), { k: { kernel } });
  const e = sched.exports as {
    sys: WebAssembly.ExportValue;
    fns: WebAssembly.Table;
    start: (pid: number) => void;
    run: (pid: number, value: number) => number;
  };
  const fc = new WebAssembly.Instance(client, { bare: { call: e.sys } });
  const fs = new WebAssembly.Instance(server, { bare: { reply_recv: e.sys } });
  e.fns.set(0, fc.exports.run);
  e.fns.set(1, fs.exports.serve);
  e.start(1);
  fxRun = (count: number) => {
    e.start(0);
    return e.run(0, count);
  };
} catch (err) {
  console.log(`stack switching: not available on this engine (V8 ${process.versions.v8}): ${(err as Error).message}`);
}

console.log(`V8 ${process.versions.v8}, ${n} round trips a round`);
for (let r = 0; r < rounds; r++) {
  let t = process.hrtime.bigint();
  await jspiRun(n);
  const jspi = Number(process.hrtime.bigint() - t) / n;
  let line = `jspi ${jspi.toFixed(1)} ns/rt`;
  if (fxRun !== null) {
    t = process.hrtime.bigint();
    const got = fxRun(n);
    const fx = Number(process.hrtime.bigint() - t) / n;
    if (got !== n) throw new Error(`stack-switching pair answered ${got}, expected ${n}`);
    line += `   stack switching ${fx.toFixed(1)} ns/rt (${(fx / jspi).toFixed(2)}x)`;
  }
  console.log(line);
}
