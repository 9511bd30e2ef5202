;; guessing handle values (every slot, generations 0..3, sign bits) finds only the process's own handle, and closing guesses harms nothing
(func (export "_start") (local $slot i32) (local $gen i32) (local $found i32) (local $v i32)
  (loop $slots
    (local.set $gen (i32.const 0))
    (loop $gens
      (local.set $v (i32.or (local.get $slot) (i32.shl (local.get $gen) (i32.const 16))))
      (if (i32.ge_s (call $handle_info (local.get $v) (i32.const 100)) (i32.const 0)) (then (local.set $found (i32.add (local.get $found) (i32.const 1)))))
      (if (i32.ge_s (call $handle_info (i32.or (local.get $v) (i32.const 0x80000000)) (i32.const 100)) (i32.const 0)) (then (local.set $found (i32.add (local.get $found) (i32.const 100)))))
      (local.set $gen (i32.add (local.get $gen) (i32.const 1)))
      (br_if $gens (i32.lt_u (local.get $gen) (i32.const 4))))
    (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
    (br_if $slots (i32.lt_u (local.get $slot) (i32.const 4200))))
  (call $rec (local.get $found))
  (call $flush))
