;; a load past the end of memory ends the process with TRAP_MEMORY
(module (memory (export "memory") 1) (func (export "_start") (drop (i32.load (i32.const 65535)))))
