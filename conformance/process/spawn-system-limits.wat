;; spawn past the kernel's process limit, and past the system's pages.
(data (i32.const 0) "self")
(data (i32.const 8) "big")
(func (export "_start") (local $img i32)
  (if (i32.ne (call $arg_count) (i32.const 1)) (then (return)))
  (local.set $img (call $h (i32.const 0) (i32.const 4)))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))   ;; process limit 1
  (call $rec (call $spawn (call $h (i32.const 8) (i32.const 3)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $flush))
