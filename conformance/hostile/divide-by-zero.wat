;; integer division by zero ends the process with TRAP_DIVIDE_BY_ZERO
(module (memory (export "memory") 1) (global $z (mut i32) (i32.const 0)) (func (export "_start") (drop (i32.div_s (i32.const 1) (global.get $z)))))
