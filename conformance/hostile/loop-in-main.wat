;; an endless loop in _start is preempted (the bystander finishes) and ended by its CPU limit
(func (export "_start") (drop (call $set_limit (i32.const -1) (i32.const 1) (i64.const 20000000))) (loop $l (br $l)))
