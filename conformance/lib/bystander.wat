;; The bystander: an unrelated process that runs beside every hostile case and
;; must finish with the same output whatever its neighbour does. Sums 1..100000
;; across yields and a sleep, then prints "bystander ok <sum>\n".
(data (i32.const 0) "bystander ok ")
(func $digits (param $v i64) (param $end i32) (result i32)
  ;; writes v in decimal ending just before $end; returns where it starts
  (loop $next
    (local.set $end (i32.sub (local.get $end) (i32.const 1)))
    (i32.store8 (local.get $end) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
    (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
    (br_if $next (i64.ne (local.get $v) (i64.const 0))))
  (local.get $end))
(func (export "_start") (local $i i64) (local $sum i64) (local $at i32)
  (loop $more
    (local.set $i (i64.add (local.get $i) (i64.const 1)))
    (local.set $sum (i64.add (local.get $sum) (local.get $i)))
    (if (i64.eqz (i64.rem_u (local.get $i) (i64.const 20000))) (then (drop (call $yield))))
    (if (i64.eq (local.get $i) (i64.const 50000)) (then (drop (call $sleep (i64.const 1000000)))))
    (br_if $more (i64.lt_u (local.get $i) (i64.const 100000))))
  (i32.store8 (i32.const 200) (i32.const 10))
  (local.set $at (call $digits (local.get $sum) (i32.const 200)))
  (drop (call $console_write (i32.const 0) (i32.const 13)))
  (drop (call $console_write (local.get $at) (i32.sub (i32.const 201) (local.get $at)))))
