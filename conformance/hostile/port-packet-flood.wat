;; 100000 packets at one port: MAX_PORT_PACKETS queue, the rest are EAGAIN
(func (export "_start") (local $p i32) (local $i i32) (local $ok i32) (local $r i32)
  (local.set $p (call $port_create))
  (loop $l
    (local.set $r (call $port_send (local.get $p) (i32.const 1) (i64.const 0)))
    (if (i32.eqz (local.get $r)) (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
  (call $rec (local.get $ok))
  (call $rec (local.get $r))
  (call $flush))
