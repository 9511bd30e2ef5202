;; Windows: strided element access, bulk reads and writes at the window's limits, rights, revocation.
(func (export "_start") (local $m i32) (local $w i32) (local $w8 i32) (local $ro i32) (local $wo i32) (local $d i32)
  (local.set $m (call $memory_create (i32.const 64)))
  ;; 16-bit elements, every 4 bytes, 8 of them (the left channel of 8 stereo frames)
  (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 4) (i32.const 2)))
  (call $rec (call $window_info (local.get $w) (i32.const 100) (i32.const 16)))
  (call $rec (i32.load (i32.const 104)))   ;; count
  (call $rec (i32.load (i32.const 108)))   ;; stride
  (call $rec (call $window_set (local.get $w) (i32.const 7) (i64.const -1)))
  (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 7))))   ;; zero-extended 0xffff
  (call $rec (call $window_set (local.get $w) (i32.const 8) (i64.const 1)))
  (call $rec (call $window_set (local.get $w) (i32.const -1) (i64.const 1)))
  (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 8))))
  (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const -1))))
  ;; bulk: 8 elements of 2 bytes packed in the caller's memory
  (i64.store (i32.const 200) (i64.const 0x0004000300020001))
  (i64.store (i32.const 208) (i64.const 0x0008000700060005))
  (call $rec (call $window_write (local.get $w) (i32.const 0) (i32.const 8) (i32.const 200)))
  (call $rec (call $window_read (local.get $w) (i32.const 6) (i32.const 2) (i32.const 300)))
  (call $rec (i32.load (i32.const 300)))   ;; 7 | 8 << 16
  (call $rec (call $window_read (local.get $w) (i32.const 0) (i32.const 0) (i32.const 300)))
  (call $rec (call $window_read (local.get $w) (i32.const 7) (i32.const 2) (i32.const 300)))
  (call $rec (call $window_read (local.get $w) (i32.const -1) (i32.const 1) (i32.const 300)))
  (call $rec (call $window_read (local.get $w) (i32.const 0) (i32.const -1) (i32.const 300)))
  (call $rec (call $window_read (local.get $w) (i32.const 0) (i32.const 8) (i32.const 65521)))   ;; 16 bytes from 65521: one past
  (call $rec (call $window_read (local.get $w) (i32.const 0) (i32.const 8) (i32.const 65520)))   ;; ends at the last byte
  (call $rec (call $window_write (local.get $w) (i32.const 8) (i32.const 1) (i32.const 200)))
  (call $rec (call $window_write (local.get $w) (i32.const 0) (i32.const -1) (i32.const 200)))
  (call $rec (call $window_write (local.get $w) (i32.const 0) (i32.const 8) (i32.const -2)))
  (call $rec (call $window_info (local.get $w) (i32.const 100) (i32.const 15)))
  (call $rec (call $window_info (local.get $w) (i32.const 65521) (i32.const 16)))
  ;; 8-byte elements: window_get cannot return them whole
  (local.set $w8 (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 8)))
  (call $rec (i32.wrap_i64 (call $window_get (local.get $w8) (i32.const 0))))
  (call $rec (call $window_set (local.get $w8) (i32.const 0) (i64.const 5)))
  ;; rights: a read-only window and a write-only one
  (local.set $ro (call $handle_dup (local.get $w) (i32.const 0x4)))
  (local.set $wo (call $handle_dup (local.get $w) (i32.const 0x8)))
  (call $rec (call $window_set (local.get $ro) (i32.const 0) (i64.const 1)))
  (call $rec (call $window_write (local.get $ro) (i32.const 0) (i32.const 1) (i32.const 200)))
  (call $rec (i32.wrap_i64 (call $window_get (local.get $wo) (i32.const 0))))
  (call $rec (call $window_read (local.get $wo) (i32.const 0) (i32.const 1) (i32.const 300)))
  (call $rec (call $window_info (local.get $ro) (i32.const 100) (i32.const 16)))    ;; any right will do
  ;; a window mapped through a derived handle dies when that handle is revoked from above
  (local.set $d (call $handle_dup (local.get $m) (i32.const 0x400f)))
  (local.set $w (call $memory_map (local.get $d) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
  (drop (call $handle_revoke (local.get $d)))
  (call $rec (call $window_read (local.get $w) (i32.const 0) (i32.const 1) (i32.const 300)))
  (call $rec (call $window_write (local.get $w) (i32.const 0) (i32.const 1) (i32.const 300)))
  (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 0))))
  (call $rec (call $window_set (local.get $w) (i32.const 0) (i64.const 0)))
  (call $rec (call $window_info (local.get $w) (i32.const 100) (i32.const 16)))
  (call $rec (call $memory_size (local.get $d)))   ;; the memory handle itself lives on
  (call $flush))
