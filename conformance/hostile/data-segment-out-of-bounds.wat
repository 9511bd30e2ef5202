;; a data segment past the end of memory ends the process at start (START_FAILED), not the host
(module (memory (export "memory") 1) (data (i32.const 65530) "0123456789") (func (export "_start")))
