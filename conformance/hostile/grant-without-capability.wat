;; a grant import the spawner gave no handle for is refused at spawn
(module (import "grant" "buf" (memory 1)) (memory (export "memory") 1) (func (export "_start")))
