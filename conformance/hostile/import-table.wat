;; importing a table is refused
(module (import "wasmos" "table" (table 1 funcref)) (memory (export "memory") 1) (func (export "_start")))
