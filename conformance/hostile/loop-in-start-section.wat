;; an endless loop in the start section is preempted by fuel (the bystander finishes) and ended by its CPU limit
(func $spin (drop (call $set_limit (i32.const -1) (i32.const 1) (i64.const 20000000))) (loop $l (br $l)))
(start $spin)
(func (export "_start"))
