;; proc_next walks the process table through a KINFO handle: itself, then its child, then 0;
;; its record carries the pid, the state, argv[0] and the syscall a blocked process waits in.
;; A child (no arguments) sleeps for ever until it is killed.
(data (i32.const 0) "self")
(data (i32.const 8) "kinfo")
(func (export "_start") (local $img i32) (local $k i32) (local $c i32) (local $me i32) (local $kid i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (drop (call $sleep (i64.const 9223372036854775807))) (return)))
  (local.set $img (call $h (i32.const 0) (i32.const 4)))
  (local.set $k (call $h (i32.const 8) (i32.const 5)))
  (local.set $c (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (drop (call $yield)) ;; the child runs and blocks in sleep
  ;; walk: the first process at or after this one is this one (pids below belong to the harness, if any)
  (local.set $me (call $proc_next (local.get $k) (i32.const 0) (i32.const 400) (i32.const 112)))
  (block $found (loop $walk
    (br_if $found (i32.eq (i32.load (i32.const 408)) (i32.const 1))) ;; RUNNING: the caller
    (local.set $me (call $proc_next (local.get $k) (local.get $me) (i32.const 400) (i32.const 112)))
    (br_if $walk (i32.gt_s (local.get $me) (i32.const 0)))))
  (call $rec (i32.gt_s (local.get $me) (i32.const 0)))
  (call $rec (i32.eq (i32.load (i32.const 400)) (local.get $me)))   ;; the record's pid is the answer
  (call $rec (i32.ne (i32.load8_u (i32.const 464)) (i32.const 0)))   ;; argv[0] is there
  (call $rec (i32.load8_u (i32.const 496)))                          ;; not blocked: empty
  (local.set $kid (call $proc_next (local.get $k) (local.get $me) (i32.const 400) (i32.const 112)))
  (call $rec (i32.gt_s (local.get $kid) (local.get $me)))
  (call $rec (i32.load (i32.const 404)))                             ;; its parent...
  (call $rec (i32.eq (i32.load (i32.const 404)) (local.get $me)))    ;; ...is the caller
  (call $rec (i32.load (i32.const 408)))                             ;; BLOCKED (2)
  (call $rec (i32.load8_u (i32.const 496)))                          ;; blocked in "sleep": 's'
  (call $rec (call $proc_next (local.get $k) (local.get $kid) (i32.const 400) (i32.const 112))) ;; the end: 0
  ;; errors
  (call $rec (call $proc_next (local.get $k) (i32.const 0) (i32.const 400) (i32.const 111)))
  (call $rec (call $proc_next (local.get $k) (i32.const -1) (i32.const 400) (i32.const 112)))
  (call $rec (call $proc_next (local.get $k) (i32.const 0) (i32.const 65425) (i32.const 112)))
  (call $rec (call $proc_next (local.get $k) (i32.const 0) (i32.const -112) (i32.const 112)))
  (call $rec (call $proc_next (local.get $k) (i32.const 0) (i32.const 65424) (i32.const 112)))
  (drop (call $kill (local.get $c) (i32.const 9)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $flush))
