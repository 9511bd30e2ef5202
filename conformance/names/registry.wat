;; name_register, name_lookup, name_unregister: names at their length limits, taken names, missing names, bad endpoints.
(data (i32.const 0) "ns")
(data (i32.const 8) "svc")
(data (i32.const 16) "\ff\fe")
(data (i32.const 32) "0123456789012345678901234567890123456789012345678901234567890123X")
(func (export "_start") (local $ns i32) (local $ep i32) (local $s i32) (local $bare i32) (local $port i32) (local $stale i32)
  (local.set $ns (call $h (i32.const 0) (i32.const 2)))
  (local.set $ep (call $endpoint_create))
  (local.set $port (call $port_create))
  (local.set $stale (call $endpoint_create))
  (drop (call $handle_close (local.get $stale)))
  (call $rec (call $name_register (local.get $ns) (i32.const 8) (i32.const 3) (local.get $ep)))
  (call $rec (call $name_register (local.get $ns) (i32.const 8) (i32.const 3) (local.get $ep)))       ;; taken
  (call $rec (call $name_register (local.get $ns) (i32.const 32) (i32.const 64) (local.get $ep)))     ;; 64 bytes: the longest
  (call $rec (call $name_register (local.get $ns) (i32.const 32) (i32.const 65) (local.get $ep)))
  (call $rec (call $name_register (local.get $ns) (i32.const 8) (i32.const 0) (local.get $ep)))
  (call $rec (call $name_register (local.get $ns) (i32.const 8) (i32.const -1) (local.get $ep)))
  (call $rec (call $name_register (local.get $ns) (i32.const 16) (i32.const 2) (local.get $ep)))      ;; not UTF-8
  (call $rec (call $name_register (local.get $ns) (i32.const 65534) (i32.const 3) (local.get $ep)))
  ;; the endpoint argument
  (call $rec (call $name_register (local.get $ns) (i32.const 9) (i32.const 2) (i32.const 0x00350007)))
  (call $rec (call $name_register (local.get $ns) (i32.const 9) (i32.const 2) (local.get $stale)))
  (call $rec (call $name_register (local.get $ns) (i32.const 9) (i32.const 2) (local.get $port)))
  (call $rec (call $name_register (local.get $ns) (i32.const 9) (i32.const 2) (call $handle_dup (local.get $ep) (i32.const 0x100))))  ;; no DUPLICATE
  ;; lookups
  (local.set $s (call $name_lookup (local.get $ns) (i32.const 8) (i32.const 3)))
  (call $rec (i32.gt_s (local.get $s) (i32.const 0)))
  (call $rec (call $handle_info (local.get $s) (i32.const 100)))
  (call $rec (i32.load (i32.const 104)))                                  ;; SEND|DUPLICATE|TRANSFER
  (call $rec (call $name_lookup (local.get $ns) (i32.const 9) (i32.const 2)))     ;; "vc": nothing
  (call $rec (call $name_lookup (local.get $ns) (i32.const 8) (i32.const 0)))
  (call $rec (call $name_lookup (local.get $ns) (i32.const 32) (i32.const 65)))
  (call $rec (call $name_lookup (local.get $ns) (i32.const -1) (i32.const 3)))
  (call $rec (i32.gt_s (call $name_lookup (local.get $ns) (i32.const 32) (i32.const 64)) (i32.const 0)))
  ;; unregister
  (call $rec (call $name_unregister (local.get $ns) (i32.const 8) (i32.const 3)))
  (call $rec (call $name_unregister (local.get $ns) (i32.const 8) (i32.const 3)))
  (call $rec (call $name_lookup (local.get $ns) (i32.const 8) (i32.const 3)))
  (call $rec (call $name_unregister (local.get $ns) (i32.const 8) (i32.const 0)))
  (call $rec (call $name_unregister (local.get $ns) (i32.const 8) (i32.const 65)))
  (call $rec (call $name_unregister (local.get $ns) (i32.const 65535) (i32.const 3)))
  ;; LOOKUP only: registering is EACCES
  (call $rec (call $name_register (call $handle_dup (local.get $ns) (i32.const 0x800)) (i32.const 8) (i32.const 3) (local.get $ep)))
  (call $flush))
