// WAT building blocks for the scheduling tests.
import { Constants } from "../../abi/gen/abi.ts";

/** burn(ns): spin until the caller's own CPU time has grown by ns (checked every 500 iterations, ~3 µs). */
export const BURN = `
  (func $burn (param $ns i64) (local $start i64) (local $i i32)
    (local.set $start (call $cpu_time (i32.const -1)))
    (loop $l
      (local.set $i (i32.const 500))
      (loop $spin (br_if $spin (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
      (br_if $l (i64.lt_u (i64.sub (call $cpu_time (i32.const -1)) (local.get $start)) (local.get $ns)))))`;

/** $info(offset): a u32 of the caller's sched_info (read into memory at 1000). */
export const SCHED_INFO = `
  (func $info (param $offset i32) (result i32)
    (drop (call $sched_info (i32.const -1) (i32.const 1000) (i32.const ${Constants.SCHED_INFO_SIZE})))
    (i32.load (i32.add (i32.const 1000) (local.get $offset))))`;

/** Field offsets in sched_info. */
export const INFO = {
  class: 0,
  policy: 4,
  base: 8,
  priority: 12,
  tier: 16,
  ceiling: 20,
  misses: 64,
  latencyMisses: 68,
  preemptions: 72,
  throttles: 76,
} as const;

/** A process that spins forever. */
export const SPIN = `(func (export "_start") (loop $l (br $l)))`;
