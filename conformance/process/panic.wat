;; panic ends the process with reason PANIC and its message.
(data (i32.const 0) "it broke")
(func (export "_start")
  (call $panic (i32.const 0) (i32.const 8)))
