;; a million pulses at one endpoint: MAX_PENDING_PULSES queue, the rest are EAGAIN; nothing grows
(func (export "_start") (local $ep i32) (local $i i32) (local $ok i32) (local $again i32) (local $r i32)
  (local.set $ep (call $endpoint_create))
  (loop $l
    (local.set $r (call $pulse (local.get $ep) (local.get $i) (i64.const 0)))
    (if (i32.eqz (local.get $r)) (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
    (if (i32.eq (local.get $r) (i32.const -17)) (then (local.set $again (i32.add (local.get $again) (i32.const 1)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
  (call $rec (local.get $ok))
  (call $rec (local.get $again))
  (call $flush))
