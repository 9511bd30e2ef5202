;; the sys entry with numbers no syscall has answers ENOSYS
(func (export "_start")
  (call $rec (i32.wrap_i64 (call $sys (i32.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
  (call $rec (i32.wrap_i64 (call $sys (i32.const -1) (i64.const -1) (i64.const -1) (i64.const -1) (i64.const -1) (i64.const -1) (i64.const -1))))
  (call $rec (i32.wrap_i64 (call $sys (i32.const 39) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
  (call $rec (i32.wrap_i64 (call $sys (i32.const 1000) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
  (call $rec (i32.wrap_i64 (call $sys (i32.const 0x7fffffff) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
  (call $rec (i32.wrap_i64 (call $sys (i32.const -2147483648) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
  (call $flush))
