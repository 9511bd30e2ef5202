;; a process that spawns copies of itself, each spawning more, is stopped by the process limit (ENOMEM); the bystander finishes
(data (i32.const 0) "self")
(func (export "_start") (local $img i32) (local $i i32)
  (local.set $img (call $h (i32.const 0) (i32.const 4)))
  (loop $l
    (drop (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 1)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
  (call $exit (i32.const 0)))
(data (i32.const 16) "\01\00\00\00\00\00\00\00\04\00\00\00")
