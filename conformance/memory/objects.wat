;; memory_create, memory_size, memory_map, memory_stats, memory_set_budget: sizes at their limits, revoked objects.
(func (export "_start") (local $m i32) (local $d i32) (local $w i32) (local $me i32)
  (call $rec (call $memory_create (i32.const 0)))
  (call $rec (call $memory_create (i32.const -1)))
  (call $rec (call $memory_create (i32.const 67108865)))    ;; MAX_MEMORY_OBJECT_BYTES + 1
  (local.set $m (call $memory_create (i32.const 1)))
  (call $rec (call $memory_size (local.get $m)))
  (call $rec (call $handle_info (local.get $m) (i32.const 100)))
  (call $rec (i32.load (i32.const 100)))                  ;; MEMORY (6)
  (call $rec (i32.load (i32.const 104)))                  ;; DUPLICATE|TRANSFER|READ|WRITE|MAP = 0x400f
  ;; windows: the last byte, one past it, bad shapes
  (call $rec (i32.gt_s (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)) (i32.const 0)))
  (call $rec (call $memory_map (local.get $m) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1)))
  (drop (call $handle_close (local.get $m)))
  (local.set $m (call $memory_create (i32.const 65536)))
  (call $rec (i32.gt_s (call $memory_map (local.get $m) (i32.const 65528) (i32.const 1) (i32.const 8) (i32.const 8)) (i32.const 0)))
  (call $rec (call $memory_map (local.get $m) (i32.const 65529) (i32.const 1) (i32.const 8) (i32.const 8)))
  (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 16385) (i32.const 4) (i32.const 4)))
  (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 0x7fffffff) (i32.const 0x7fffffff) (i32.const 8)))
  (call $rec (call $memory_map (local.get $m) (i32.const -1) (i32.const 1) (i32.const 1) (i32.const 1)))
  (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1)))
  (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 3) (i32.const 3)))
  (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 2) (i32.const 4)))  ;; stride below elem_size
  ;; memory_stats of ourselves
  (call $rec (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
  (call $rec (i32.load (i32.const 200)))                  ;; budget pages (host default)
  (call $rec (i32.load (i32.const 212)))                  ;; pages of live objects created: 2 (the closed 1-byte object lives on in its window)
  (call $rec (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 63)))
  (call $rec (call $memory_stats (i32.const -1) (i32.const 65473) (i32.const 64)))
  (call $rec (call $memory_stats (i32.const -1) (i32.const 65472) (i32.const 64)))
  ;; budgets only go down, never below use
  (call $rec (call $memory_set_budget (i32.const -1) (i32.const 4097)))
  (call $rec (call $memory_set_budget (i32.const -1) (i32.const 1)))
  (call $rec (call $memory_set_budget (i32.const -1) (i32.const 0)))
  (call $rec (call $memory_set_budget (i32.const -1) (i32.const 3)))
  (call $rec (call $memory_create (i32.const 65537)))      ;; 2 more pages: over the budget of 3
  (call $rec (call $memory_set_budget (i32.const -1) (i32.const 4)))
  ;; revocation: through a derived handle, everything answers EREVOKED
  (local.set $d (call $handle_dup (local.get $m) (i32.const 0x400f)))
  (local.set $w (call $memory_map (local.get $d) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
  (call $rec (call $handle_revoke (local.get $m)))
  (call $rec (call $memory_size (local.get $m)))
  (call $flush))
