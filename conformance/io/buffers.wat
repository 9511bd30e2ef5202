;; console_write, random_get, arg_count, arg_get, handle_get: lengths and addresses at their limits.
(data (i32.const 0) "xy")
(data (i32.const 16) "none")
(data (i32.const 32) "self")
(func (export "_start") (local $r i32)
  ;; the largest random_get fills the whole page (before anything is recorded there)
  (local.set $r (call $random_get (i32.const 0) (i32.const 65536)))
  (call $rec (local.get $r))
  (i32.store (i32.const 16) (i32.const 0x656e6f6e)) ;; "none" and "self" again
  (i32.store (i32.const 32) (i32.const 0x666c6573))
  (call $rec (call $random_get (i32.const 0) (i32.const 0)))        ;; zero length
  (call $rec (call $random_get (i32.const 65535) (i32.const 1)))    ;; last valid byte
  (call $rec (call $random_get (i32.const 65535) (i32.const 2)))    ;; one past the end
  (call $rec (call $random_get (i32.const 65536) (i32.const 1)))    ;; first invalid address
  (call $rec (call $random_get (i32.const -1) (i32.const 1)))
  (call $rec (call $random_get (i32.const 0) (i32.const -1)))
  (call $rec (call $random_get (i32.const 0) (i32.const 65537)))   ;; above MAX_IO_BYTES
  (call $rec (call $random_get (i32.const 0) (i32.const 0x7fffffff)))
  (call $rec (call $console_write (i32.const 0) (i32.const 0)))     ;; zero length writes nothing
  (call $rec (call $console_write (i32.const 65535) (i32.const 2)))
  (call $rec (call $console_write (i32.const -2147483648) (i32.const 1)))
  (call $rec (call $console_write (i32.const 0) (i32.const -1)))
  (call $rec (call $console_write (i32.const 0) (i32.const 65537)))
  (call $rec (call $arg_count))
  (call $rec (call $arg_get (i32.const 1) (i32.const 100) (i32.const 16)))  ;; "one": full length
  (call $rec (i32.load8_u (i32.const 102)))
  (call $rec (call $arg_get (i32.const 2) (i32.const 100) (i32.const 0)))   ;; short buffer still gives the length
  (call $rec (call $arg_get (i32.const 2) (i32.const 65533) (i32.const 3))) ;; ends at the last byte
  (call $rec (call $arg_get (i32.const 3) (i32.const 100) (i32.const 16)))  ;; index out of range
  (call $rec (call $arg_get (i32.const -1) (i32.const 100) (i32.const 16)))
  (call $rec (call $arg_get (i32.const 1) (i32.const 100) (i32.const -1)))
  (call $rec (call $arg_get (i32.const 1) (i32.const 65534) (i32.const 3)))  ;; one byte past the end
  (call $rec (call $arg_get (i32.const 1) (i32.const -1) (i32.const 3)))
  (call $rec (call $handle_get (i32.const 16) (i32.const 4)))      ;; no such name
  (call $rec (call $handle_get (i32.const 16) (i32.const 0)))      ;; empty name
  (call $rec (call $handle_get (i32.const 16) (i32.const -1)))
  (call $rec (call $handle_get (i32.const 16) (i32.const 65)))     ;; above MAX_NAME_BYTES
  (call $rec (call $handle_get (i32.const 65534) (i32.const 4)))   ;; name past the end
  (call $rec (i32.gt_s (call $handle_get (i32.const 32) (i32.const 4)) (i32.const 0)))
  (call $rec (i32.eq (call $handle_get (i32.const 32) (i32.const 4)) (call $handle_get (i32.const 32) (i32.const 4))))
  (call $flush))
