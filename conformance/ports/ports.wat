;; Event ports: binding, packets delivered to the handler after _start returns, the queue limit, bad binds.
;; The handler records (key, code, value) and ends the process on code 3.
(data (i32.const 0) "on")
(data (i32.const 8) "nope")
(data (i32.const 16) "bad")
(data (i32.const 24) "memory")
(data (i32.const 32) "self")
(data (i32.const 40) "port")
(data (i32.const 48) "c\00")
(func (export "on") (param $key i32) (param $code i32) (param $value i64)
  (call $rec (local.get $key))
  (call $rec (local.get $code))
  (call $rec (i32.wrap_i64 (local.get $value)))
  (if (i32.eq (local.get $code) (i32.const 3)) (then (call $flush) (call $exit (i32.const 0)))))
(func (export "bad") (param i32 i32 i32))
(func $child (local $p i32)
  ;; binds the port it was given, then ends without serving it
  (local.set $p (call $h (i32.const 40) (i32.const 4)))
  (call $exit (call $port_bind (local.get $p) (i32.const 0) (i32.const 2) (i32.const 1) (i32.const 0))))
(func (export "_start") (local $p i32) (local $q i32) (local $i i32) (local $r i32) (local $c i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $p (call $port_create))
  (call $rec (call $port_send (local.get $p) (i32.const 1) (i64.const 10)))   ;; queues before binding
  (call $rec (call $port_bind (local.get $p) (i32.const 0) (i32.const 2) (i32.const 42) (i32.const 0)))
  (call $rec (call $port_bind (local.get $p) (i32.const 0) (i32.const 2) (i32.const 42) (i32.const 0)))  ;; bound already
  (local.set $q (call $port_create))
  (call $rec (call $port_bind (local.get $q) (i32.const 8) (i32.const 4) (i32.const 0) (i32.const 0)))  ;; no such export
  (call $rec (call $port_bind (local.get $q) (i32.const 16) (i32.const 3) (i32.const 0) (i32.const 0))) ;; wrong type
  (call $rec (call $port_bind (local.get $q) (i32.const 24) (i32.const 6) (i32.const 0) (i32.const 0))) ;; not a function: no function of that name
  (call $rec (call $port_bind (local.get $q) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $port_bind (local.get $q) (i32.const 0) (i32.const 65) (i32.const 0) (i32.const 0)))
  (call $rec (call $port_bind (local.get $q) (i32.const 0) (i32.const -1) (i32.const 0) (i32.const 0)))
  (call $rec (call $port_bind (local.get $q) (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 6)))  ;; unknown flag
  (call $rec (call $port_bind (local.get $q) (i32.const 65535) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $port_send (local.get $q) (i32.const -1) (i64.const 0)))   ;; PORT_CODE_IDLE
  ;; MAX_PORT_PACKETS on one port, then EAGAIN
  (block $done (loop $more
    (local.set $r (call $port_send (local.get $q) (i32.const 5) (i64.const 0)))
    (br_if $done (i32.ne (local.get $r) (i32.const 0)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $more (i32.lt_u (local.get $i) (i32.const 1000)))))
  (call $rec (local.get $i))
  (call $rec (local.get $r))
  (drop (call $handle_close (local.get $q)))
  ;; a port bound by a process that has ended
  (local.set $q (call $port_create))
  (i32.store (i32.const 700) (local.get $q))
  (i32.store (i32.const 704) (i32.const 40))
  (i32.store (i32.const 708) (i32.const 4))
  (local.set $c (call $spawn (call $h (i32.const 32) (i32.const 4)) (i32.const 48) (i32.const 2) (i32.const 700) (i32.const 1)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  (call $rec (call $port_send (local.get $q) (i32.const 1) (i64.const 0)))
  ;; two more packets for our handler; the third ends us
  (call $rec (call $port_send (local.get $p) (i32.const 2) (i64.const 20)))
  (call $rec (call $port_send (local.get $p) (i32.const 3) (i64.const 30))))
