;; table.grow in a loop stops at MAX_TABLE_ELEMENTS; the process carries on
(table $t 1 funcref)
(func (export "_start") (local $n i32)
  (block $done (loop $l
    (br_if $done (i32.eq (table.grow $t (ref.null func) (i32.const 4096)) (i32.const -1)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $n) (i32.const 1000)))))
  (call $exit (i32.lt_u (local.get $n) (i32.const 1000))))
