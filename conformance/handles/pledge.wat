;; pledge: bits outside the classes are EINVAL; dropping is for good; core always stays.
(func (export "_start")
  (call $rec (call $pledge (i32.const 0x400)))       ;; no class 10
  (call $rec (call $pledge (i32.const -1)))
  (call $rec (call $pledge (i32.const 0x1ff)))       ;; keeping everything is fine
  (call $rec (call $pledge (i32.const 0x00a)))       ;; keep stdio and ipc (core implied)
  (call $rec (call $pledge (i32.const 0x01a)))       ;; ask for ports back
  (call $rec (call $port_create))
  (call $rec (i32.gt_s (call $endpoint_create) (i32.const 0)))
  (call $rec (call $pledge (i32.const 0x002)))       ;; drop ipc too
  (call $rec (call $endpoint_create))
  (call $rec (call $pledge (i32.const 0x00a)))
  (call $flush)
  (drop (call $pledge (i32.const 0)))                ;; core only; stdio goes with it
  ;; core still works; the console does not: exit 100 + its result
  (if (i64.lt_s (call $clock_now) (i64.const 0)) (then unreachable))
  (call $exit (i32.add (i32.const 100) (call $console_write (i32.const 60000) (i32.const 4)))))
