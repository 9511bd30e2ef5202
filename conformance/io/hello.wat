;; console_write's bytes reach the console unchanged, in order.
(data (i32.const 0) "hello, \00world\n")
(func (export "_start")
  (drop (call $console_write (i32.const 0) (i32.const 7)))
  (drop (call $console_write (i32.const 7) (i32.const 7))))
