;; a trap in the start section ends the process, not the kernel
(module (memory (export "memory") 1) (func $s unreachable) (start $s) (func (export "_start")))
