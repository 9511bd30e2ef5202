;; spawn, wait, kill and process_info on running, blocked and exited children.
;; A child reads its first argument: "s" sleeps 1 ms and exits 7, "b" sleeps for ever, none returns at once.
(data (i32.const 0) "self")
(data (i32.const 200) "s\00")
(data (i32.const 210) "b\00")
(func $child
  (drop (call $arg_get (i32.const 0) (i32.const 500) (i32.const 1)))
  (if (i32.eq (i32.load8_u (i32.const 500)) (i32.const 115)) ;; 's'
    (then (drop (call $sleep (i64.const 1000000))) (call $exit (i32.const 7))))
  (if (i32.eq (i32.load8_u (i32.const 500)) (i32.const 98))  ;; 'b'
    (then (drop (call $sleep (i64.const 9223372036854775807))))))
(func (export "_start") (local $img i32) (local $c i32) (local $d i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $img (call $h (i32.const 0) (i32.const 4)))
  (local.set $c (call $spawn (local.get $img) (i32.const 200) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
  (call $rec (call $handle_info (local.get $c) (i32.const 100)))
  (call $rec (i32.load (i32.const 100)))   ;; PROCESS (1)
  (call $rec (i32.load (i32.const 104)))   ;; DUPLICATE|TRANSFER|WAIT|KILL|INSPECT|SCHEDULE = 0x10e3
  (call $rec (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))   ;; status 7
  (call $rec (i32.load (i32.const 304)))   ;; NORMAL
  (call $rec (call $wait (local.get $c) (i32.const 300) (i64.const 0)))  ;; again: same, at once
  (call $rec (i32.load (i32.const 300)))
  (call $rec (call $kill (local.get $c) (i32.const 1)))
  (call $rec (call $process_info (local.get $c) (i32.const 400) (i32.const 40)))
  (call $rec (i32.load (i32.const 408)))   ;; EXITED (3)
  (call $rec (i32.load (i32.const 416)))   ;; exit status 7
  (call $rec (call $process_info (i32.const -1) (i32.const 400) (i32.const 40)))
  (call $rec (i32.load (i32.const 408)))   ;; RUNNING (1)
  (call $rec (call $process_info (local.get $c) (i32.const 400) (i32.const 39)))
  (call $rec (call $process_info (local.get $c) (i32.const 65497) (i32.const 40)))
  (call $rec (call $process_info (local.get $c) (i32.const 65496) (i32.const 40)))
  (call $rec (call $process_info (local.get $c) (i32.const -40) (i32.const 40)))
  ;; a child blocked for ever
  (local.set $d (call $spawn (local.get $img) (i32.const 210) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $wait (local.get $d) (i32.const 300) (i64.add (call $clock_now) (i64.const 1000000))))
  (call $rec (call $wait (local.get $d) (i32.const 300) (i64.const 0)))          ;; deadline in the past polls
  (call $rec (call $wait (local.get $d) (i32.const 65533) (i64.const 9223372036854775807)))
  (call $rec (call $wait (local.get $d) (i32.const -1) (i64.const 9223372036854775807)))
  (call $rec (call $kill (local.get $d) (i32.const 9)))
  (call $rec (call $wait (local.get $d) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))   ;; status 9
  (call $rec (i32.load (i32.const 304)))   ;; KILLED (1)
  (call $rec (call $kill (local.get $d) (i32.const 9)))
  (call $rec (call $handle_close (local.get $d)))
  (call $rec (call $kill (local.get $d) (i32.const 9)))
  (call $flush))
