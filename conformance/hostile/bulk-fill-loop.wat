;; a loop of 64 MiB memory.fill calls is charged by the bytes it fills: preempted (the bystander finishes) and ended by its CPU limit
(func (export "_start")
  (drop (call $set_limit (i32.const -1) (i32.const 1) (i64.const 20000000)))
  (loop $l (memory.fill (i32.const 0) (i32.const 7) (i32.const 67108864)) (br $l)))
