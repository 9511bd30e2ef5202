;; a trap in a port handler ends the process like any trap
(data (i32.const 0) "on")
(func (export "on") (param i32 i32 i64) unreachable)
(func (export "_start") (local $p i32)
  (local.set $p (call $port_create))
  (drop (call $port_bind (local.get $p) (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 0)))
  (drop (call $port_send (local.get $p) (i32.const 1) (i64.const 0))))
