;; a module without _start is refused
(module (memory (export "memory") 1))
