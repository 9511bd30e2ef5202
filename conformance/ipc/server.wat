;; A server and its clients: message registers, bodies, every reply error on a pending message, late replies (EGONE).
;; Clients (spawned from "self", argument "a" or "g", handle "ep"):
;;   a: sendmsg words 1..4, body "ping", reply buffer 64 bytes; exits with status + 10 if the reply body starts with 'p'
;;   g: send with a 1 ms deadline; exits with the result (-ETIMEDOUT once the server is too slow)
(data (i32.const 0) "self")
(data (i32.const 8) "ep")
(data (i32.const 16) "a\00")
(data (i32.const 24) "g\00")
(data (i32.const 32) "ping")
(data (i32.const 40) "pong")
(func $desc (param $at i32) (param $send i32) (param $len i32) (param $reply i32) (param $cap i32) (param $hptr i32) (param $hcount i32) (param $flags i32)
  (memory.fill (local.get $at) (i32.const 0) (i32.const 56))
  (i64.store offset=0 (local.get $at) (i64.const 1))
  (i64.store offset=8 (local.get $at) (i64.const 2))
  (i64.store offset=16 (local.get $at) (i64.const 3))
  (i64.store offset=24 (local.get $at) (i64.const 4))
  (i32.store offset=32 (local.get $at) (local.get $send))
  (i32.store offset=36 (local.get $at) (local.get $len))
  (i32.store offset=40 (local.get $at) (local.get $reply))
  (i32.store offset=44 (local.get $at) (local.get $cap))
  (i32.store offset=48 (local.get $at) (local.get $hptr))
  (i32.store16 offset=52 (local.get $at) (local.get $hcount))
  (i32.store16 offset=54 (local.get $at) (local.get $flags)))
(func $client (local $ep i32) (local $r i32)
  (local.set $ep (call $h (i32.const 8) (i32.const 2)))
  (drop (call $arg_get (i32.const 0) (i32.const 500) (i32.const 1)))
  (if (i32.eq (i32.load8_u (i32.const 500)) (i32.const 97)) ;; 'a'
    (then
      (call $desc (i32.const 600) (i32.const 32) (i32.const 4) (i32.const 2000) (i32.const 64) (i32.const 0) (i32.const 0) (i32.const 0))
      (local.set $r (call $sendmsg (local.get $ep) (i32.const 600) (i64.const 9223372036854775807)))
      (call $exit (i32.add (local.get $r) (i32.mul (i32.const 10) (i32.eq (i32.load8_u (i32.const 2000)) (i32.const 112)))))))
  (call $exit (call $send (local.get $ep) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.add (call $clock_now) (i64.const 1000000)))))
(func $spawn1 (param $arg i32) (param $ep i32) (result i32)
  (i32.store (i32.const 700) (local.get $ep))
  (i32.store (i32.const 704) (i32.const 8))
  (i32.store (i32.const 708) (i32.const 2))
  (call $spawn (call $h (i32.const 0) (i32.const 4)) (local.get $arg) (i32.const 2) (i32.const 700) (i32.const 1)))
(func $late (param $ep i32) (result i32) (local $c i32) (local $id i32)
  ;; a client that gives up before the reply; returns its rcvid once it is gone
  (local.set $c (call $spawn1 (i32.const 24) (local.get $ep)))
  (local.set $id (call $receive (local.get $ep) (i32.const 1000) (i32.const 0) (i64.const 9223372036854775807)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  (drop (call $handle_close (local.get $c)))
  (local.get $id))
(func (export "_start") (local $ep i32) (local $c i32) (local $id i32) (local $port i32) (local $stale i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $client) (return)))
  (local.set $ep (call $endpoint_create))
  (local.set $port (call $port_create))
  (local.set $stale (call $port_create))
  (drop (call $handle_close (local.get $stale)))
  (local.set $c (call $spawn1 (i32.const 16) (local.get $ep)))
  (local.set $id (call $receive (local.get $ep) (i32.const 1000) (i32.const 2) (i64.const 9223372036854775807)))
  (call $rec (i32.gt_s (local.get $id) (i32.const 0)))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 3))))
  (call $rec (call $msg_info (i32.const 1100)))
  (call $rec (i32.load (i32.const 1100)))       ;; MSG_KIND_MESSAGE
  (call $rec (i32.load (i32.const 1108)))       ;; full body length 4, though 2 were taken
  (call $rec (i32.eq (i32.load (i32.const 1120)) (local.get $id)))
  (call $rec (i32.load16_u (i32.const 1000)))   ;; "pi"
  ;; every reply error leaves the message pending
  (call $rec (call $reply (local.get $id) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const -1)))
  (call $rec (call $reply (local.get $id) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 1114110) (i32.const 4)))
  (call $rec (call $reply (local.get $id) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 1048577)))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 1114100)))
  (call $desc (i32.const 600) (i32.const 40) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; unknown flag
  (i32.store (i32.const 800) (local.get $port))
  (i32.store (i32.const 804) (local.get $port))
  (call $desc (i32.const 600) (i32.const 40) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 800) (i32.const 2) (i32.const 0))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; a handle twice
  (call $desc (i32.const 600) (i32.const 40) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 800) (i32.const 17) (i32.const 0))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; 17 handles
  (call $desc (i32.const 600) (i32.const 0) (i32.const 1048577) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; body too big
  (call $desc (i32.const 600) (i32.const 1114100) (i32.const 16) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; body past the end
  (call $desc (i32.const 600) (i32.const 40) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1114110) (i32.const 1) (i32.const 0))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; handle array past the end
  (i32.store (i32.const 800) (i32.const 0x00350007))
  (call $desc (i32.const 600) (i32.const 40) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 800) (i32.const 1) (i32.const 0))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; forged
  (i32.store (i32.const 800) (local.get $stale))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; closed
  (i32.store (i32.const 800) (call $handle_dup (local.get $port) (i32.const 0)))
  (call $rec (call $replymsg (local.get $id) (i32.const 0) (i32.const 600)))           ;; no TRANSFER
  (call $rec (call $reply_error (local.get $id) (i32.const 0)))
  (call $rec (call $reply_error (local.get $id) (i32.const -5)))
  (call $rec (call $reply_error (i32.const 99999) (i32.const 5)))
  (call $rec (call $reply (i32.const 99999) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $reply (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
  (call $desc (i32.const 600) (i32.const 40) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $replymsg (i32.const -1) (i32.const 0) (i32.const 600)))
  ;; the real answer: status 5, body "pong"
  (call $rec (call $reply (local.get $id) (i32.const 5) (i64.const 0) (i64.const 0) (i32.const 40) (i32.const 4)))
  (call $rec (call $reply (local.get $id) (i32.const 5) (i64.const 0) (i64.const 0) (i32.const 40) (i32.const 4)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  ;; clients that gave up: each kind of answer is EGONE
  (call $rec (call $reply (call $late (local.get $ep)) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $replymsg (call $late (local.get $ep)) (i32.const 0) (i32.const 600)))
  (call $rec (call $reply_error (call $late (local.get $ep)) (i32.const 5)))
  (call $flush))
