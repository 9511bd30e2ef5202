;; 64 MiB copies in straight-line code (no loop, no call: a function the fuel pass would once have left alone) are charged and hit the CPU limit
(func $copy8
  (memory.copy (i32.const 0) (i32.const 1) (i32.const 67108863)) (memory.copy (i32.const 1) (i32.const 0) (i32.const 67108863))
  (memory.copy (i32.const 0) (i32.const 1) (i32.const 67108863)) (memory.copy (i32.const 1) (i32.const 0) (i32.const 67108863))
  (memory.copy (i32.const 0) (i32.const 1) (i32.const 67108863)) (memory.copy (i32.const 1) (i32.const 0) (i32.const 67108863))
  (memory.copy (i32.const 0) (i32.const 1) (i32.const 67108863)) (memory.copy (i32.const 1) (i32.const 0) (i32.const 67108863)))
(func (export "_start")
  (drop (call $set_limit (i32.const -1) (i32.const 1) (i64.const 20000000)))
  (loop $l (call $copy8) (br $l)))
