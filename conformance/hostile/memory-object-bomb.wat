;; memory_create in a loop stops at the budget (EQUOTA)
(func (export "_start") (local $r i32)
  (loop $l
    (local.set $r (call $memory_create (i32.const 65536)))
    (br_if $l (i32.gt_s (local.get $r) (i32.const 0))))
  (call $rec (local.get $r))
  (call $flush))
