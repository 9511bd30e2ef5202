;; deriving, revoking and closing the same handle 10000 times leaves exactly the original
(func (export "_start") (local $ep i32) (local $i i32)
  (local.set $ep (call $endpoint_create))
  (loop $l
    (drop (call $handle_dup (local.get $ep) (i32.const 0x101)))
    (drop (call $handle_dup (call $handle_dup (local.get $ep) (i32.const 0x101)) (i32.const 0x100)))
    (drop (call $handle_revoke (local.get $ep)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 10000))))
  (call $rec (call $handle_info (local.get $ep) (i32.const 100)))
  (call $rec (call $handle_dup (local.get $ep) (i32.const 0)))
  (call $flush))
