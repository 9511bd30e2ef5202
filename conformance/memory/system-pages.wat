;; memory_create past the system's pages (the budget would allow it).
(func (export "_start")
  (call $rec (i32.gt_s (call $memory_create (i32.const 65536)) (i32.const 0)))
  (call $rec (call $memory_create (i32.const 131072)))
  (call $flush))
