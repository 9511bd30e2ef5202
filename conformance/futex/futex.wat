;; futex_wait and futex_wake: a waiter woken by another process, a changed word, timeouts, offsets at the limits, rights.
;; The child ("w") waits on word 0 of the shared object "m" while it holds 0 and exits with the result.
(data (i32.const 0) "self")
(data (i32.const 8) "m")
(data (i32.const 16) "w\00")
(func $child
  (call $exit (call $futex_wait (call $h (i32.const 8) (i32.const 1)) (i32.const 0) (i32.const 0) (i64.const 9223372036854775807))))
(func (export "_start") (local $m i32) (local $c i32) (local $w i32) (local $n i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $m (call $memory_create (i32.const 64)))
  (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 4)))
  (i32.store (i32.const 700) (local.get $m))
  (i32.store (i32.const 704) (i32.const 8))
  (i32.store (i32.const 708) (i32.const 1))
  (local.set $c (call $spawn (call $h (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 2) (i32.const 700) (i32.const 1)))
  ;; let the child block, then wake it
  (block $asleep (loop $again
    (drop (call $yield))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br_if $asleep (i32.ge_u (local.get $n) (i32.const 10)))
    (br $again)))
  (call $rec (call $futex_wake (local.get $m) (i32.const 0) (i32.const 5)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  (call $rec (call $futex_wake (local.get $m) (i32.const 0) (i32.const 1)))  ;; nobody: not an error
  ;; the word changed
  (drop (call $window_set (local.get $w) (i32.const 0) (i64.const 9)))
  (call $rec (call $futex_wait (local.get $m) (i32.const 0) (i32.const 0) (i64.const 9223372036854775807)))
  (call $rec (call $futex_wait (local.get $m) (i32.const 0) (i32.const 9) (i64.add (call $clock_now) (i64.const 1000000))))
  (call $rec (call $futex_wait (local.get $m) (i32.const 60) (i32.const 0) (i64.const 0)))     ;; the last word
  (call $rec (call $futex_wait (local.get $m) (i32.const 64) (i32.const 0) (i64.const 0)))     ;; one past
  (call $rec (call $futex_wait (local.get $m) (i32.const 2) (i32.const 0) (i64.const 0)))
  (call $rec (call $futex_wait (local.get $m) (i32.const -4) (i32.const 0) (i64.const 0)))
  (call $rec (call $futex_wake (local.get $m) (i32.const 64) (i32.const 1)))
  (call $rec (call $futex_wake (local.get $m) (i32.const 2) (i32.const 1)))
  (call $rec (call $futex_wake (local.get $m) (i32.const 0) (i32.const 0)))
  (call $rec (call $futex_wake (local.get $m) (i32.const 0) (i32.const -1)))
  (call $rec (call $futex_wake (call $handle_dup (local.get $m) (i32.const 0x4)) (i32.const 0) (i32.const 1)))  ;; READ only
  (call $rec (call $futex_wait (call $handle_dup (local.get $m) (i32.const 0x8)) (i32.const 0) (i32.const 9) (i64.const 0)))  ;; WRITE only
  (call $flush))
