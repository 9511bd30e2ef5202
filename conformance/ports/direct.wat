;; PORT_BIND_DIRECT: a packet sent to an idle direct binder runs its handler inside the sender's port_send
;; (its output comes before the sender's next), a handler past a quantum ends with DIRECT_OVERRUN and the
;; sender carries on. The child binds the port it is given and answers each packet by printing (key, code).
(data (i32.const 0) "on")
(data (i32.const 32) "self")
(data (i32.const 40) "port")
(data (i32.const 48) "c\00")
(func $out
  (call $flush)
  (global.set $rp (i32.const 60000)))
(func (export "on") (param $key i32) (param $code i32) (param $value i64)
  (call $rec (local.get $key))
  (call $rec (local.get $code))
  (call $out)
  (if (i32.eq (local.get $code) (i32.const 2)) (then (loop $spin (br $spin)))))
(func $child
  (call $rec (call $port_bind (call $h (i32.const 40) (i32.const 4)) (i32.const 0) (i32.const 2) (i32.const 7) (i32.const 2)))
  (call $out))
(func (export "_start") (local $p i32) (local $c i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $p (call $port_create))
  (i32.store (i32.const 700) (call $handle_dup (local.get $p) (i32.const 514))) ;; RECEIVE | TRANSFER, moved
  (i32.store (i32.const 704) (i32.const 40))
  (i32.store (i32.const 708) (i32.const 4))
  (i32.store (i32.const 712) (i32.const 1))
  (local.set $c (call $spawn (call $h (i32.const 32) (i32.const 4)) (i32.const 48) (i32.const 2) (i32.const 700) (i32.const 1)))
  (drop (call $sleep (i64.const 1000000))) ;; the child binds and returns: idle
  (call $rec (call $port_send (local.get $p) (i32.const 1) (i64.const 10)))
  (call $out)
  (call $rec (call $port_send (local.get $p) (i32.const 2) (i64.const 20)))
  (call $out)
  (call $rec (call $port_send (local.get $p) (i32.const 3) (i64.const 30)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 304)))
  (call $out))
