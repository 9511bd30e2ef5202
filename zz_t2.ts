import { Constants, ExitReason } from "./abi/gen/abi.ts";
import { Kernel } from "./host/kernel.ts";
import { guest, results } from "./test/helpers/wat.ts";
const BURN = `
  (func $burn (param $ns i64) (local $start i64)
    (local.set $start (call $cpu_time (i32.const -1)))
    (loop $l (br_if $l (i64.lt_u (i64.sub (call $cpu_time (i32.const -1)) (local.get $start)) (local.get $ns)))))`;
const PHOTON = guest(`
  ${BURN}
  (func (export "_start") (local $i i32) (local $wake i64) (local $t i64)
    (call $rec (call $sched_set_tier (i32.const -1) (i32.const 3)))
    (loop $round
      (local.set $wake (i64.add (call $clock_now) (i64.const 3000000)))
      (drop (call $sleep (i64.const 3000000)))
      (local.set $t (call $clock_now))
      (call $rec (i32.wrap_i64 (i64.sub (local.get $t) (local.get $wake))))
      (call $burn (i64.const 2000000))
      (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (i32.const 2))))
    (call $flush))`);
const GRAVITY = guest(`(func (export "_start") (drop (call $sched_set_tier (i32.const -1) (i32.const 1))) (loop $l (br $l)))`);
let bytes = new Uint8Array();
const k = new Kernel({ trace: true });
const gravity = k.spawn(k.loadImage(GRAVITY, "gravity"));
const photon = k.spawn(k.loadImage(PHOTON, "photon"), { stdout: (b) => (bytes = b.slice()) });
setTimeout(() => { console.log("TIMEOUT", k.traceText().slice(0, 2000)); process.exit(1); }, 3000).unref?.();
console.log(await photon.exited, results(bytes));
console.log(k.traceText().slice(0, 1500));
process.exit(0);
