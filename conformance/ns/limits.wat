;; Namespace limits: a full handle table (ns_scope, ns_open of an endpoint path: EMFILE), unveil's argument
;; errors, at most MAX_UNVEIL_CALLS calls in a view, and a view of nothing (count 0).
(data (i32.const 0) "root")
(data (i32.const 8) "/svc")
(data (i32.const 16) "/a")
(func $rule (param $at i32) (param $path i32) (param $len i32) (param $perms i32)
  (i32.store (local.get $at) (local.get $path))
  (i32.store (i32.add (local.get $at) (i32.const 4)) (local.get $len))
  (i32.store (i32.add (local.get $at) (i32.const 8)) (local.get $perms)))
(func (export "_start") (local $dir i32) (local $ep i32) (local $i i32)
  (local.set $dir (call $h (i32.const 0) (i32.const 4)))
  (local.set $ep (call $endpoint_create))                  ;; the table (self, root, ep) is full now
  (call $rec (call $ns_mount (local.get $dir) (i32.const 8) (i32.const 4) (local.get $ep) (i32.const 1)))
  (call $rec (call $ns_scope (local.get $dir) (i32.const 16) (i32.const 2) (i32.const 4)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 8) (i32.const 4) (i32.const 1)))
  ;; unveil's arguments
  (call $rec (call $unveil (i32.const 65530) (i32.const 1)))
  (call $rec (call $unveil (i32.const 100) (i32.const -1)))
  (call $rec (call $unveil (i32.const 100) (i32.const 65)))
  (call $rule (i32.const 100) (i32.const 8) (i32.const 4) (i32.const 16))
  (call $rec (call $unveil (i32.const 100) (i32.const 1)))   ;; unknown permission bit
  (call $rule (i32.const 100) (i32.const 8) (i32.const 1025) (i32.const 1))
  (call $rec (call $unveil (i32.const 100) (i32.const 1)))
  (call $rule (i32.const 100) (i32.const 8) (i32.const 0) (i32.const 1))
  (call $rec (call $unveil (i32.const 100) (i32.const 1)))
  (call $rule (i32.const 100) (i32.const 65534) (i32.const 4) (i32.const 1))
  (call $rec (call $unveil (i32.const 100) (i32.const 1)))
  ;; 15 calls that keep everything, then one that keeps nothing: the 17th is one too many
  (call $rule (i32.const 100) (i32.const 8) (i32.const 1) (i32.const 15))   ;; "/"
  (loop $l
    (call $rec (call $unveil (i32.const 100) (i32.const 1)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 15))))
  (call $rec (call $unveil (i32.const 100) (i32.const 0)))
  (call $rec (call $unveil (i32.const 100) (i32.const 1)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 8) (i32.const 4) (i32.const 1)))
  (call $flush))
