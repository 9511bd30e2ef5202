;; sleep and clock_now: the clock never goes back; sleep(d) returns no earlier than d later; bad durations.
(func (export "_start") (local $t0 i64) (local $t1 i64)
  (local.set $t0 (call $clock_now))
  (call $rec (i64.ge_s (local.get $t0) (i64.const 0)))
  (call $rec (call $sleep (i64.const 5000000)))
  (local.set $t1 (call $clock_now))
  (call $rec (i64.ge_s (i64.sub (local.get $t1) (local.get $t0)) (i64.const 5000000)))
  (call $rec (call $sleep (i64.const 0)))      ;; like yield
  (call $rec (call $sleep (i64.const -1)))
  (call $rec (call $sleep (i64.const -9223372036854775808)))
  (call $rec (i64.ge_s (call $clock_now) (local.get $t1)))
  (call $rec (call $yield))
  (call $flush))
