;; handle_dup, handle_close, handle_revoke, handle_info on live, derived, closed and revoked handles.
(func (export "_start") (local $a i32) (local $b i32) (local $c i32) (local $d i32)
  (local.set $a (call $endpoint_create))
  (call $rec (i32.gt_s (local.get $a) (i32.const 0)))
  (call $rec (call $handle_info (local.get $a) (i32.const 100)))          ;; 16 bytes
  (call $rec (i32.load (i32.const 100)))                                  ;; type ENDPOINT (3)
  (call $rec (i32.load (i32.const 104)))                                  ;; rights
  (call $rec (i32.load (i32.const 112)))                                  ;; depth 0
  ;; derive with fewer rights: SEND|DUPLICATE
  (local.set $b (call $handle_dup (local.get $a) (i32.const 0x101)))
  (call $rec (i32.gt_s (local.get $b) (i32.const 0)))
  (call $rec (i32.ne (local.get $a) (local.get $b)))
  (call $rec (call $handle_info (local.get $b) (i32.const 200)))
  (call $rec (i32.eq (i32.load (i32.const 108)) (i32.load (i32.const 208)))) ;; same object
  (call $rec (i32.load (i32.const 204)))                                  ;; rights 0x101
  (call $rec (i32.load (i32.const 212)))                                  ;; depth 1
  ;; rights never grow
  (call $rec (call $handle_dup (local.get $b) (i32.const 0x201)))         ;; RECEIVE not held
  (call $rec (call $handle_dup (local.get $b) (i32.const -1)))
  (call $rec (call $handle_dup (local.get $b) (i32.const 0x80000000)))
  ;; same rights is fine
  (local.set $c (call $handle_dup (local.get $b) (i32.const 0x101)))
  (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
  ;; handle_info at the last valid and first invalid address
  (call $rec (call $handle_info (local.get $a) (i32.const 65520)))
  (call $rec (call $handle_info (local.get $a) (i32.const 65521)))
  (call $rec (call $handle_info (local.get $a) (i32.const -1)))
  ;; revoke the middle of the tree: everything below goes stale, it and the root live
  (call $rec (call $handle_revoke (local.get $b)))
  (call $rec (call $handle_info (local.get $b) (i32.const 200)))
  (call $rec (call $handle_info (local.get $c) (i32.const 200)))
  (call $rec (call $handle_dup (local.get $c) (i32.const 0)))
  (call $rec (call $handle_revoke (local.get $c)))
  (call $rec (call $handle_close (local.get $c)))
  (call $rec (call $handle_info (local.get $a) (i32.const 100)))
  ;; revoke the root: its remaining children ($b and $d) die, the root itself stays usable
  (local.set $d (call $handle_dup (local.get $a) (i32.const 0x100)))
  (call $rec (call $handle_revoke (local.get $a)))
  (call $rec (call $handle_info (local.get $d) (i32.const 200)))
  (call $rec (call $handle_info (local.get $a) (i32.const 100)))
  ;; close, then everything about it is stale
  (call $rec (call $handle_close (local.get $a)))
  (call $rec (call $handle_close (local.get $a)))
  (call $rec (call $handle_info (local.get $a) (i32.const 100)))
  (call $rec (call $handle_dup (local.get $a) (i32.const 0)))
  (call $rec (call $handle_revoke (local.get $a)))
  ;; a new handle in the freed slot does not revive the old value
  (local.set $d (call $endpoint_create))
  (call $rec (i32.ne (local.get $d) (local.get $a)))
  (call $rec (call $handle_info (local.get $a) (i32.const 100)))
  ;; forged and guessed values
  (call $rec (call $handle_close (i32.const 0)))
  (call $rec (call $handle_close (i32.const -2)))
  (call $rec (call $handle_close (i32.const 0x7fffffff)))
  (call $rec (call $handle_close (i32.const -2147483648)))
  (call $rec (call $handle_revoke (i32.const 0)))
  (call $rec (call $handle_info (i32.const 0) (i32.const 100)))
  (call $rec (call $handle_dup (i32.const 0xffff) (i32.const 0)))
  (call $flush))
