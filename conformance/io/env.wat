;; env_count and env_get: lengths, a short buffer, the last valid byte and the first invalid one,
;; bad indices; and a spawned child inherits its spawner's environment.
(data (i32.const 0) "self")
(data (i32.const 16) "c\00x\00")
(func $child
  (call $exit (i32.add (i32.mul (call $env_count) (i32.const 10))
    (i32.eq (call $env_get (i32.const 1) (i32.const 0) (i32.const 0)) (i32.const 16)))))
(func (export "_start") (local $c i32)
  (if (i32.ne (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (call $rec (call $env_count))
  (call $rec (call $env_get (i32.const 0) (i32.const 0) (i32.const 0)))       ;; length only: "A=1"
  (call $rec (call $env_get (i32.const 1) (i32.const 100) (i32.const 4)))     ;; "LONGER=two words": 16, 4 bytes copied
  (call $rec (i32.load (i32.const 100)))                                      ;; "LONG"
  (call $rec (i32.load8_u (i32.const 104)))                                   ;; nothing past buf_len
  (call $rec (call $env_get (i32.const 0) (i32.const 65533) (i32.const 3)))   ;; ends at the last byte
  (call $rec (call $env_get (i32.const 0) (i32.const 65534) (i32.const 3)))   ;; one byte past the end
  (call $rec (call $env_get (i32.const 2) (i32.const 100) (i32.const 4)))
  (call $rec (call $env_get (i32.const -1) (i32.const 100) (i32.const 4)))
  (call $rec (call $env_get (i32.const 0) (i32.const 100) (i32.const -1)))
  (local.set $c (call $spawn (call $h (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 4) (i32.const 0) (i32.const 0)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))                                      ;; 2 variables * 10 + the second's length = 21
  (call $flush))
