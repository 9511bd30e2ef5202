;; One process, its own endpoint: pulses, timeouts, closed receive sides, bad descriptors.
(data (i32.const 0) "body")
(func $desc (param $at i32) (param $send i32) (param $len i32) (param $hptr i32) (param $hcount i32) (param $flags i32)
  (memory.fill (local.get $at) (i32.const 0) (i32.const 56))
  (i64.store (local.get $at) (i64.const 11))
  (i32.store offset=32 (local.get $at) (local.get $send))
  (i32.store offset=36 (local.get $at) (local.get $len))
  (i32.store offset=48 (local.get $at) (local.get $hptr))
  (i32.store16 offset=52 (local.get $at) (local.get $hcount))
  (i32.store16 offset=54 (local.get $at) (local.get $flags)))
(func (export "_start") (local $ep i32) (local $s i32) (local $i i32) (local $r i32)
  (local.set $ep (call $endpoint_create))
  ;; pulses: delivered by receive as 0, code and value in the words
  (call $rec (call $pulse (local.get $ep) (i32.const 7) (i64.const -5)))
  (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const 0) (i64.const 0)))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 1))))
  (call $rec (call $msg_info (i32.const 200)))
  (call $rec (i32.load (i32.const 200)))     ;; MSG_KIND_PULSE
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 4))))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const -1))))
  (call $rec (call $msg_handle (i32.const 0)))
  (call $rec (call $msg_handle (i32.const -1)))
  (call $rec (call $msg_info (i32.const 1114100)))
  (call $rec (call $msg_info (i32.const -1)))
  ;; MAX_PENDING_PULSES from one sender, then EAGAIN
  (block $done (loop $more
    (local.set $r (call $pulse (local.get $ep) (local.get $i) (i64.const 0)))
    (br_if $done (i32.ne (local.get $r) (i32.const 0)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $more (i32.lt_u (local.get $i) (i32.const 100)))))
  (call $rec (local.get $i))
  (call $rec (local.get $r))
  (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const 0) (i64.const 0)))  ;; one taken: room for one more
  (call $rec (call $pulse (local.get $ep) (i32.const 99) (i64.const 0)))
  ;; nothing more than pulses: drain, then a receive with a past deadline times out
  (block $empty (loop $drain (br_if $empty (i32.ne (call $receive (local.get $ep) (i32.const 100) (i32.const 0) (i64.const 0)) (i32.const 0))) (br $drain)))
  (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const 16) (i64.add (call $clock_now) (i64.const 1000000))))
  (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const -1) (i64.const 0)))
  (call $rec (call $receive (local.get $ep) (i32.const 1114100) (i32.const 16) (i64.const 0)))
  ;; a send nobody receives times out
  (call $rec (call $send (local.get $ep) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.add (call $clock_now) (i64.const 1000000))))
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))
  ;; bad descriptors
  (call $rec (call $sendmsg (local.get $ep) (i32.const 1114090) (i64.const 0)))       ;; descriptor past the end
  (call $desc (i32.const 300) (i32.const 1114100) (i32.const 16) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; body past the end
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 1114110) (i32.const 2) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; handle array past the end
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 2))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; unknown flag
  (local.set $s (call $port_create))
  (i32.store (i32.const 400) (local.get $s))
  (i32.store (i32.const 404) (local.get $s))
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 400) (i32.const 2) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; a handle listed twice
  (call $desc (i32.const 300) (i32.const 0) (i32.const 1048577) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; body above MAX_MSG_BYTES
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 400) (i32.const 17) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; above MAX_MSG_HANDLES
  (i32.store (i32.const 400) (i32.const 0x00350007))
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 400) (i32.const 1) (i32.const 0))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; a forged handle to pass
  (i32.store (i32.const 400) (call $handle_dup (local.get $s) (i32.const 0)))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; a handle without TRANSFER
  (drop (call $handle_close (local.get $s)))
  (i32.store (i32.const 400) (local.get $s))
  (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))            ;; a closed handle to pass
  ;; the receive side closes: sends and pulses through a SEND handle see ECLOSED
  (local.set $s (call $handle_dup (local.get $ep) (i32.const 0x101)))
  (drop (call $handle_close (local.get $ep)))
  (call $rec (call $send (local.get $s) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 9223372036854775807)))
  (call $desc (i32.const 300) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $sendmsg (local.get $s) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (call $pulse (local.get $s) (i32.const 1) (i64.const 1)))
  (call $flush))
