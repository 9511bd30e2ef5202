// Adaptive partitioning through IPC: while a server works on a client's
// message, its CPU is billed to the client's partition, not its own.
import { expect, it } from "vitest";
import { Constants, ExitReason } from "../../abi/gen/abi.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { guest, results } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const WORK = 20_000_000; // loop iterations the server spends on the one message

const system = guest(`
  (data (i32.const 0) "self")
  (data (i32.const 8) "ep")
  (data (i32.const 16) "a\\00b\\00")
  (data (i32.const 24) "a\\00b\\00c\\00")
  (func (export "_start") (local $ep i32) (local $pa i32) (local $pb i32) (local $s i32) (local $c i32) (local $i i32) (local $r i32)
    (if (i32.eq (call $arg_count) (i32.const 2)) (then ;; the server
      (local.set $r (call $receive (call $handle_get (i32.const 8) (i32.const 2)) (i32.const 0) (i32.const 0) ${INF}))
      (loop $w (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $w (i32.lt_u (local.get $i) (i32.const ${WORK}))))
      (drop (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
      (return)))
    (if (i32.eq (call $arg_count) (i32.const 3)) (then ;; the client
      (drop (call $send (call $handle_get (i32.const 8) (i32.const 2)) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))
      (return)))
    ;; the root: partitions A (client) and B (server), 20% each
    (local.set $ep (call $endpoint_create))
    (local.set $pa (call $partition_create (i32.const 20)))
    (local.set $pb (call $partition_create (i32.const 20)))
    (i32.store (i32.const 64) (local.get $ep))
    (i32.store (i32.const 68) (i32.const 8))
    (i32.store (i32.const 72) (i32.const 2))
    (local.set $s (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 4) (i32.const 64) (i32.const 1)))
    (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 24) (i32.const 6) (i32.const 64) (i32.const 1)))
    (call $rec (call $partition_join (local.get $pb) (local.get $s)))
    (call $rec (call $partition_join (local.get $pa) (local.get $c)))
    (drop (call $wait (local.get $c) (i32.const 200) ${INF}))
    (drop (call $wait (local.get $s) (i32.const 200) ${INF}))
    (drop (call $partition_info (local.get $pa) (i32.const 2000) (i32.const ${Constants.PARTITION_INFO_SIZE})))
    (call $rec (i32.wrap_i64 (i64.load (i32.const 2032))))
    (drop (call $partition_info (local.get $pb) (i32.const 2000) (i32.const ${Constants.PARTITION_INFO_SIZE})))
    (call $rec (i32.wrap_i64 (i64.load (i32.const 2032))))
    (call $flush))`);

it("a server's work on a client's message is billed to the client's partition", async () => {
  const r = await runGuest(system);
  expect(r.exit.reason, r.exit.message).toBe(ExitReason.NORMAL);
  const [joinB, joinA, totalA, totalB] = results(r.stdoutBytes);
  expect([joinB, joinA]).toEqual([0, 0]);
  // The loop costs at least one fuel unit (1 ns) per iteration, all of it billed to A.
  expect(totalA).toBeGreaterThan(WORK);
  expect(totalB).toBeLessThan(totalA / 100);
});
