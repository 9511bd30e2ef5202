;; console_write and random_get with pointers all over the address space answer EFAULT, never a host error
(func (export "_start") (local $p i32) (local $bad i32)
  (local.set $p (i32.const 65536))
  (loop $l
    (if (i32.eq (call $random_get (local.get $p) (i32.const 16)) (i32.const -1)) (then (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))
    (if (i32.eq (call $console_write (local.get $p) (i32.const 16)) (i32.const -1)) (then (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))
    (local.set $p (i32.add (local.get $p) (i32.const 0x01000193)))
    (br_if $l (i32.gt_u (local.get $p) (i32.const 65536))))
  (call $rec (i32.gt_u (local.get $bad) (i32.const 100)))
  (call $flush))
