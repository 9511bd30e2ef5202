;; a syscall imported with the wrong parameter types is refused
(module (import "wasmos" "exit" (func (param i64))) (memory (export "memory") 1) (func (export "_start")))
