;; the sys entry imported with i32 arguments is refused
(module (import "wasmos" "sys" (func (param i32 i32) (result i32))) (memory (export "memory") 1) (func (export "_start")))
