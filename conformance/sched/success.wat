;; Success paths: tiers, joining a partition, reading it back.
(func (export "_start") (local $p i32)
  (call $rec (call $sched_set_tier (i32.const -1) (i32.const 1)))           ;; GRAVITY: default priority 96
  (call $rec (call $sched_info (i32.const -1) (i32.const 1000) (i32.const 80)))
  (call $rec (i32.load (i32.const 1008)))
  (call $rec (i32.load (i32.const 1016)))                                     ;; tier 1
  (local.set $p (call $partition_create (i32.const 250)))
  (call $rec (call $partition_join (local.get $p) (i32.const -1)))
  (call $rec (call $partition_info (local.get $p) (i32.const 1100) (i32.const 40)))
  (call $rec (i32.load (i32.const 1100)))                                     ;; share 250
  (call $rec (i32.load (i32.const 1108)))                                     ;; 1 process
  (call $flush))
