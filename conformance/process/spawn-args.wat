;; spawn's argument and handle lists: malformed, too long, out of memory; and what a child receives,
;; as a copy (TRANSFER and DUPLICATE; the caller keeps its handle) or moved (SPAWN_MOVE_HANDLE, TRANSFER alone).
;; The child (arg "c") prints its arguments and handle "ep" to the results, its parent relays them.
(data (i32.const 0) "self")
(data (i32.const 16) "c\00two\00")   ;; 6 bytes
(data (i32.const 32) "ep")
(data (i32.const 40) "x")
(func $child (local $n i32)
  (local.set $n (call $arg_count))
  (call $exit (i32.add (i32.mul (local.get $n) (i32.const 10))
    (i32.gt_s (call $handle_get (i32.const 32) (i32.const 2)) (i32.const 0)))))
(func $entry (param $at i32) (param $h i32) (param $name i32) (param $len i32)
  (call $entryf (local.get $at) (local.get $h) (local.get $name) (local.get $len) (i32.const 0)))
(func $entryf (param $at i32) (param $h i32) (param $name i32) (param $len i32) (param $flags i32)
  (i32.store (local.get $at) (local.get $h))
  (i32.store (i32.add (local.get $at) (i32.const 4)) (local.get $name))
  (i32.store (i32.add (local.get $at) (i32.const 8)) (local.get $len))
  (i32.store (i32.add (local.get $at) (i32.const 12)) (local.get $flags)))
(func (export "_start") (local $img i32) (local $ep i32) (local $c i32) (local $stale i32) (local $bare i32) (local $nodup i32)
  (if (i32.ne (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $img (call $h (i32.const 0) (i32.const 4)))
  (local.set $ep (call $endpoint_create))
  (local.set $stale (call $endpoint_create))
  (drop (call $handle_close (local.get $stale)))
  (local.set $bare (call $handle_dup (local.get $ep) (i32.const 0x100)))  ;; SEND only: no TRANSFER
  (local.set $nodup (call $handle_dup (local.get $ep) (i32.const 0x102)))  ;; SEND|TRANSFER: no DUPLICATE
  ;; a good spawn: 2 arguments and one handle
  (call $entry (i32.const 1000) (local.get $ep) (i32.const 32) (i32.const 2))
  (local.set $c (call $spawn (local.get $img) (i32.const 16) (i32.const 6) (i32.const 1000) (i32.const 1)))
  (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))  ;; 2 args * 10 + handle found = 21
  ;; arguments
  (call $rec (call $spawn (local.get $img) (i32.const 16) (i32.const -1) (i32.const 0) (i32.const 0)))
  (call $rec (call $spawn (local.get $img) (i32.const 16) (i32.const 5) (i32.const 0) (i32.const 0)))     ;; no final NUL
  (call $rec (call $spawn (local.get $img) (i32.const 131071) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $spawn (local.get $img) (i32.const -1) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 65537) (i32.const 0) (i32.const 0)))  ;; > MAX_ARGS_BYTES (memory has 2 pages)
  (call $rec (call $spawn (local.get $img) (i32.const 70000) (i32.const 1025) (i32.const 0) (i32.const 0))) ;; 1025 empty args > MAX_ARGS
  ;; handle lists
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const -1)))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 70000) (i32.const 65)))  ;; > MAX_SPAWN_HANDLES
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 131070) (i32.const 1))) ;; list past the end
  (call $entry (i32.const 1000) (i32.const 0x00350007) (i32.const 32) (i32.const 2))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entry (i32.const 1000) (local.get $stale) (i32.const 32) (i32.const 2))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entry (i32.const 1000) (local.get $bare) (i32.const 32) (i32.const 2))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entryf (i32.const 1000) (local.get $bare) (i32.const 32) (i32.const 2) (i32.const 1))  ;; not even moved without TRANSFER
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entry (i32.const 1000) (local.get $nodup) (i32.const 32) (i32.const 2))  ;; a copy needs DUPLICATE
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entryf (i32.const 1000) (local.get $ep) (i32.const 32) (i32.const 2) (i32.const 2))  ;; unknown flag bit
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entryf (i32.const 1000) (local.get $ep) (i32.const 32) (i32.const 2) (i32.const 1))  ;; moved and also copied
  (call $entry (i32.const 1016) (local.get $ep) (i32.const 40) (i32.const 1))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 2)))
  (call $entry (i32.const 1000) (local.get $ep) (i32.const 40) (i32.const 1))      ;; copied, then moved
  (call $entryf (i32.const 1016) (local.get $ep) (i32.const 32) (i32.const 2) (i32.const 1))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 2)))
  (call $entryf (i32.const 1000) (local.get $nodup) (i32.const 32) (i32.const 2) (i32.const 1))  ;; moved, but the next entry is bad
  (call $entry (i32.const 1016) (local.get $ep) (i32.const 40) (i32.const 65))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 2)))
  (call $rec (i32.gt_s (call $handle_info (local.get $nodup) (i32.const 100)) (i32.const 0)))  ;; still the caller's
  (call $entry (i32.const 1000) (local.get $ep) (i32.const 32) (i32.const 0))      ;; empty name
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entry (i32.const 1000) (local.get $ep) (i32.const 32) (i32.const 65))     ;; name too long
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entry (i32.const 1000) (local.get $ep) (i32.const 131071) (i32.const 2)) ;; name past the end
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 1)))
  (call $entry (i32.const 1000) (local.get $ep) (i32.const 32) (i32.const 2))      ;; two entries, one name
  (call $entry (i32.const 1016) (local.get $ep) (i32.const 32) (i32.const 2))
  (call $rec (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 2)))
  ;; the handles are still the caller's after all that
  (call $rec (i32.gt_s (call $handle_info (local.get $ep) (i32.const 100)) (i32.const 0)))
  ;; a moved handle reaches the child and leaves the caller's table
  (call $entryf (i32.const 1000) (local.get $nodup) (i32.const 32) (i32.const 2) (i32.const 1))
  (local.set $c (call $spawn (local.get $img) (i32.const 16) (i32.const 6) (i32.const 1000) (i32.const 1)))
  (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))  ;; 21 again
  (call $rec (call $handle_info (local.get $nodup) (i32.const 100)))
  (call $flush))
