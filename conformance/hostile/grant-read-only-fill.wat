;; memory.fill into a read-only grant is refused at spawn
(module (import "grant" "buf" (memory $g 1)) (memory (export "memory") 1) (func (export "_start") (memory.fill $g (i32.const 0) (i32.const 1) (i32.const 4))))
