;; a module that writes a grant it holds read-only is refused at spawn
(module (import "grant" "buf" (memory $g 1)) (memory (export "memory") 1) (func (export "_start") (i32.store $g (i32.const 0) (i32.const 1))))
