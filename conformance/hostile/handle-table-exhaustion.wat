;; creating endpoints until the table is full gives EMFILE (never a host error), and every one can be closed again
(func (export "_start") (local $n i32) (local $h i32) (local $first i32)
  (local.set $first (call $endpoint_create))
  (local.set $n (i32.const 1))
  (block $full (loop $l
    (local.set $h (call $endpoint_create))
    (br_if $full (i32.lt_s (local.get $h) (i32.const 0)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $l)))
  (call $rec (local.get $h))
  (call $rec (local.get $n))
  (call $flush))
