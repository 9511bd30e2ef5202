;; memory.grow in a loop stops at the budget (grow returns -1); the process carries on
(func (export "_start") (local $n i32)
  (block $done (loop $l
    (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $l)))
  (call $exit (local.get $n)))
