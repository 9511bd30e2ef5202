;; table.fill of 65536 elements in a loop is charged per element and ended by its CPU limit
(table $t 65536 funcref)
(func (export "_start")
  (drop (call $set_limit (i32.const -1) (i32.const 1) (i64.const 20000000)))
  (loop $l (table.fill $t (i32.const 0) (ref.null func) (i32.const 65536)) (br $l)))
