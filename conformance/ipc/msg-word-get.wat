;; msg_word_get: the word through memory, the status apart from it, so a word equal to -EINVAL is still a word.
(func (export "_start") (local $ep i32)
  (local.set $ep (call $endpoint_create))
  (call $rec (call $pulse (local.get $ep) (i32.const 7) (i64.const -2)))  ;; value -2: what msg_word returns for EINVAL
  (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const 0) (i64.const 0)))
  (call $rec (call $msg_word_get (i32.const 0) (i32.const 200)))
  (call $rec (i32.wrap_i64 (i64.load (i32.const 200))))      ;; the code
  (call $rec (call $msg_word_get (i32.const 1) (i32.const 208)))
  (call $rec (i32.wrap_i64 (i64.load (i32.const 208))))      ;; the value, -2, not an error
  (call $rec (i32.wrap_i64 (i64.shr_s (i64.load (i32.const 208)) (i64.const 32))))  ;; all 64 bits: -1 above
  ;; index out of range: EINVAL, nothing written
  (i64.store (i32.const 216) (i64.const 99))
  (call $rec (call $msg_word_get (i32.const 4) (i32.const 216)))
  (call $rec (call $msg_word_get (i32.const -1) (i32.const 216)))
  (call $rec (i32.wrap_i64 (i64.load (i32.const 216))))
  ;; the word would not fit in memory: EFAULT
  (call $rec (call $msg_word_get (i32.const 0) (i32.const 65532)))
  (call $rec (call $msg_word_get (i32.const 0) (i32.const -1)))
  (call $flush))
