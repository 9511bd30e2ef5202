;; call_indirect through a null entry ends the process with TRAP_INDIRECT_CALL
(module (memory (export "memory") 1) (table 4 funcref) (type $t (func)) (func (export "_start") (call_indirect (type $t) (i32.const 2))))
