import { Constants, ExitReason } from "./abi/gen/abi.ts";
import { Kernel } from "./host/kernel.ts";
import { guest, results } from "./test/helpers/wat.ts";
    const sleeper = guest(`
      (func (export "_start") (local $i i32) (local $wake i64)
        (loop $round
          (local.set $wake (i64.add (call $clock_now) (i64.const 5000000)))
          (drop (call $sleep (i64.const 5000000)))
          (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $wake))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $round (i32.lt_u (local.get $i) (i32.const 4))))
        (drop (call $sched_info (i32.const -1) (i32.const 1000) (i32.const ${Constants.SCHED_INFO_SIZE})))
        (call $rec (i32.load (i32.const 1068)))
        (call $flush))`);
    let bytes = new Uint8Array();
    const k = new Kernel({trace: true});
    const hog = k.spawn(k.loadImage(guest(`(func (export "_start") (loop $l (br $l)))`), "hog"));
    const s = k.spawn(k.loadImage(sleeper, "sleeper"), { stdout: (b) => (bytes = b.slice()) });
setTimeout(() => { console.log("TIMEOUT", k.traceText().slice(0, 2000)); process.exit(1); }, 3000).unref?.();
    await s.exited;
    console.log(results(bytes));
process.exit(0);
