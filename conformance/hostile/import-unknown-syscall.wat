;; an import of a syscall the ABI does not have is refused
(module (import "wasmos" "escape" (func (result i32))) (memory (export "memory") 1) (func (export "_start")))
