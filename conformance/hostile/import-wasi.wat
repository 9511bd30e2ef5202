;; a WASI-looking import outside preview 1 is refused: WASIX's sock_open is not a wasi_snapshot_preview1 function
;; (a preview 1 program is served by the WASI personality, docs/wasi.md; nothing beyond its 46 functions gets through)
(module (import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1) (func (export "_start")))
