;; a syscall imported with the wrong result type is refused
(module (import "wasmos" "console_write" (func (param i32 i32) (result i64))) (memory (export "memory") 1) (func (export "_start")))
