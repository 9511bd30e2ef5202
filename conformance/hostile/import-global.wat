;; importing a global from the ABI module is refused
(module (import "wasmos" "clock_now" (global i64)) (memory (export "memory") 1) (func (export "_start")))
