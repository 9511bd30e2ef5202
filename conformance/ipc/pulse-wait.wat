;; pulse_wait: every refusal before the pulse (the handles, the IPC buffer, ECLOSED, EAGAIN, a queued
;; message whose handles cannot land), the pulse then the wait (its words in the IPC buffer, the value
;; sign-extended), a ping-pong with a child, and EMFILE for a message that arrives while it waits.
;; The child ("c": "in" SEND-only to the parent, "out" its own) answers each pulse (code, value) with
;; (code + 1, value * 2); on code 0 it sends a message carrying a port handle on "in" and exits with
;; the answer's status.
(data (i32.const 0) "self")
(data (i32.const 16) "c\00")
(data (i32.const 24) "in")
(data (i32.const 32) "out")
(func $child (local $in i32) (local $out i32)
  (local.set $in (call $h (i32.const 24) (i32.const 2)))
  (local.set $out (call $h (i32.const 32) (i32.const 3)))
  (drop (call $ipc_buffer (i32.const 2048)))
  (drop (call $reply_wait (local.get $out) (i32.const 0) (i32.const 0) (i32.const 0)))
  (block $stop
    (loop $serve
      (br_if $stop (i32.eqz (i32.load (i32.const 2048))))
      (drop (call $pulse_wait (local.get $in) (i32.add (i32.load (i32.const 2048)) (i32.const 1))
        (i32.mul (i32.load (i32.const 2052)) (i32.const 2)) (local.get $out)))
      (br $serve)))
  (i32.store (i32.const 800) (call $port_create))
  (memory.fill (i32.const 600) (i32.const 0) (i32.const 56))
  (i32.store offset=48 (i32.const 600) (i32.const 800))
  (i32.store16 offset=52 (i32.const 600) (i32.const 1))
  (call $exit (call $sendmsg (local.get $in) (i32.const 600) (i64.const 9223372036854775807))))
(func (export "_start") (local $in i32) (local $out i32) (local $inSend i32) (local $outSend i32)
    (local $stale i32) (local $gone i32) (local $q i32) (local $i i32) (local $c i32) (local $a i32) (local $id i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $in (call $endpoint_create))
  (local.set $out (call $endpoint_create))
  (local.set $inSend (call $handle_dup (local.get $in) (i32.const 258)))   ;; SEND and TRANSFER (moved to the child)
  (local.set $outSend (call $handle_dup (local.get $out) (i32.const 256))) ;; SEND only
  ;; no IPC buffer yet
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 1) (i32.const 0) (local.get $in)))
  (call $rec (call $ipc_buffer (i32.const 1024)))
  ;; wait_endpoint refused: forged, closed, not an endpoint, without RECEIVE
  (local.set $stale (call $endpoint_create))
  (drop (call $handle_close (local.get $stale)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 1) (i32.const 0) (i32.const 0x00350007)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 1) (i32.const 0) (local.get $stale)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 1) (i32.const 0) (call $port_create)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 1) (i32.const 0) (local.get $inSend)))
  ;; endpoint without SEND
  (call $rec (call $pulse_wait (call $handle_dup (local.get $out) (i32.const 512)) (i32.const 1) (i32.const 0) (local.get $in)))
  ;; an endpoint whose receive side is gone
  (local.set $gone (call $endpoint_create))
  (local.set $i (call $handle_dup (local.get $gone) (i32.const 256)))
  (drop (call $handle_close (local.get $gone)))
  (call $rec (call $pulse_wait (local.get $i) (i32.const 1) (i32.const 0) (local.get $in)))
  ;; MAX_PENDING_PULSES (16) already pending from the caller
  (local.set $q (call $endpoint_create))
  (local.set $i (i32.const 0))
  (loop $fill16 (drop (call $pulse (local.get $q) (i32.const 2) (i64.const 0)))
    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $fill16 (i32.lt_s (local.get $i) (i32.const 16))))
  (call $rec (call $pulse_wait (local.get $q) (i32.const 1) (i32.const 0) (local.get $in)))
  ;; the pulse, then the wait on the same endpoint: nobody else waits, so the caller takes its own pulse
  ;; (the first thing queued on "in": none of the refusals above pulsed)
  (call $rec (call $pulse_wait (local.get $in) (i32.const 7) (i32.const -5) (local.get $in)))
  (call $rec (i32.load (i32.const 1024)))
  (call $rec (i32.load (i32.const 1028)))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 1))))
  (call $rec (i32.wrap_i64 (i64.shr_s (call $msg_word (i32.const 1)) (i64.const 32))))
  ;; a ping-pong with the child (a refused call above that had pulsed "out" would be the first it answers)
  (i32.store (i32.const 700) (local.get $inSend))
  (i32.store (i32.const 704) (i32.const 24))
  (i32.store (i32.const 708) (i32.const 2))
  (i32.store (i32.const 712) (i32.const 1)) ;; SPAWN_MOVE_HANDLE
  (i32.store (i32.const 716) (local.get $out))
  (i32.store (i32.const 720) (i32.const 32))
  (i32.store (i32.const 724) (i32.const 3))
  (local.set $c (call $spawn (call $h (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 2) (i32.const 700) (i32.const 2)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 10) (i32.const -3) (local.get $in)))
  (call $rec (i32.load (i32.const 1024)))
  (call $rec (i32.load (i32.const 1028)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 20) (i32.const 4) (local.get $in)))
  (call $rec (i32.load (i32.const 1024)))
  (call $rec (i32.load (i32.const 1028)))
  ;; a full handle table: the child's message (one handle) arrives while the caller waits: EMFILE, it stays queued
  (local.set $a (call $port_create))
  (block $full (loop $fill (br_if $full (i32.lt_s (call $port_create) (i32.const 0))) (br $fill)))
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 0) (i32.const 0) (local.get $in)))
  ;; now it is queued: refused before pulsing, so 16 more pulses fit on "out" and the 17th does not
  (call $rec (call $pulse_wait (local.get $outSend) (i32.const 1) (i32.const 0) (local.get $in)))
  (local.set $i (i32.const 0))
  (loop $more (local.set $id (call $pulse (local.get $outSend) (i32.const 3) (i64.const 0)))
    (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $more (i32.lt_s (local.get $i) (i32.const 16))))
  (call $rec (local.get $id))
  (call $rec (call $pulse (local.get $outSend) (i32.const 3) (i64.const 0)))
  ;; with room it is delivered, handle and all
  (drop (call $handle_close (local.get $a)))
  (local.set $id (call $reply_wait (local.get $in) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (i32.gt_s (local.get $id) (i32.const 0)))
  (call $rec (i32.gt_s (call $msg_handle (i32.const 0)) (i32.const 0)))
  (call $rec (call $reply (local.get $id) (i32.const 6) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  (call $flush))
