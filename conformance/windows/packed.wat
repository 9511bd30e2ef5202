;; window_get_packed: n consecutive elements in one call, element index lowest, at most 7 bytes (never negative).
(func (export "_start") (local $m i32) (local $w i32) (local $b i32) (local $w4 i32) (local $w8 i32) (local $d i32) (local $r i64)
  (local.set $m (call $memory_create (i32.const 64)))
  ;; 16-bit elements, every 4 bytes, 8 of them (the left channel of 8 stereo frames): 1..7, then 0xffff
  (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 4) (i32.const 2)))
  (i64.store (i32.const 200) (i64.const 0x0004000300020001))
  (i64.store (i32.const 208) (i64.const 0xffff000700060005))
  (call $rec (call $window_write (local.get $w) (i32.const 0) (i32.const 8) (i32.const 200)))
  (local.set $r (call $window_get_packed (local.get $w) (i32.const 0) (i32.const 3)))
  (call $rec (i32.wrap_i64 (local.get $r)))                                   ;; 1 | 2 << 16
  (call $rec (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))         ;; 3
  (local.set $r (call $window_get_packed (local.get $w) (i32.const 5) (i32.const 3)))
  (call $rec (i32.wrap_i64 (local.get $r)))                                   ;; 6 | 7 << 16
  (call $rec (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))         ;; 0xffff, zero-extended
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 7) (i32.const 1))))   ;; window_get's answer
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 6) (i32.const 3))))   ;; one past the end
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const -1) (i32.const 1))))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 0) (i32.const 0))))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 0) (i32.const 4))))   ;; 8 bytes
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 0) (i32.const -1))))
  ;; bytes: seven at most (bytes 0..6 of the memory are 01 00 00 00 02 00 00)
  (local.set $b (call $memory_map (local.get $m) (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 1)))
  (local.set $r (call $window_get_packed (local.get $b) (i32.const 0) (i32.const 7)))
  (call $rec (i32.wrap_i64 (local.get $r)))
  (call $rec (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $b) (i32.const 0) (i32.const 8))))
  ;; 4-byte elements one at a time, 8-byte ones never
  (local.set $w4 (call $memory_map (local.get $m) (i32.const 0) (i32.const 4) (i32.const 4) (i32.const 4)))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w4) (i32.const 3) (i32.const 1))))   ;; 4
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w4) (i32.const 0) (i32.const 2))))
  (local.set $w8 (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 8)))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w8) (i32.const 0) (i32.const 1))))
  ;; a window mapped through a derived handle dies when that handle is revoked from above
  (local.set $d (call $handle_dup (local.get $m) (i32.const 0x400f)))
  (local.set $w (call $memory_map (local.get $d) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 0) (i32.const 2))))   ;; 1
  (drop (call $handle_revoke (local.get $d)))
  (call $rec (i32.wrap_i64 (call $window_get_packed (local.get $w) (i32.const 0) (i32.const 2))))
  (call $flush))
