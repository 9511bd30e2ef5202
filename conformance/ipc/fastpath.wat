;; The fast path's calls: ipc_buffer, call and reply_wait, and how they meet send/receive/reply.
;; The client ("c", handle "ep": SEND) calls twice and exits with what it saw.
(data (i32.const 0) "self")
(data (i32.const 8) "ep")
(data (i32.const 16) "c\00")
(func $client (local $ep i32) (local $s i32)
  (local.set $ep (call $h (i32.const 8) (i32.const 2)))
  (drop (call $ipc_buffer (i32.const 2048)))
  ;; first call: words 7, 8 (and a 99 past the count, which is not sent)
  (i32.store (i32.const 2048) (i32.const 7))
  (i32.store (i32.const 2052) (i32.const 8))
  (i32.store (i32.const 2056) (i32.const 99))
  (local.set $s (call $call (local.get $ep) (i32.const 2)))
  ;; second call: one word, status * 100 + the answer's word 0
  (i32.store (i32.const 2048) (i32.add (i32.mul (local.get $s) (i32.const 100)) (i32.load (i32.const 2048))))
  (local.set $s (call $call (local.get $ep) (i32.const 1)))
  ;; answered by reply (64-bit words): the buffer holds the low 32 bits of word 0
  (call $exit (i32.add (i32.mul (local.get $s) (i32.const 10)) (i32.load (i32.const 2048)))))
(func (export "_start") (local $ep i32) (local $send i32) (local $c i32) (local $id i32) (local $gone i32)
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $client) (return)))
  (local.set $ep (call $endpoint_create))
  ;; no buffer yet
  (call $rec (call $call (local.get $ep) (i32.const 1)))
  (call $rec (call $reply_wait (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 0)))
  ;; declaring it: aligned and inside memory
  (call $rec (call $ipc_buffer (i32.const 1026)))
  (call $rec (call $ipc_buffer (i32.const 65528)))
  (call $rec (call $ipc_buffer (i32.const 1024)))
  ;; word counts and receive ids that are refused before anything happens
  (call $rec (call $call (local.get $ep) (i32.const 5)))
  (call $rec (call $call (local.get $ep) (i32.const -1)))
  (call $rec (call $reply_wait (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 5)))
  (call $rec (call $reply_wait (local.get $ep) (i32.const 12345) (i32.const 0) (i32.const 0)))
  ;; a call on an endpoint whose receive side is gone
  (local.set $gone (call $endpoint_create))
  (local.set $send (call $handle_dup (local.get $gone) (i32.const 256))) ;; SEND only
  (drop (call $handle_close (local.get $gone)))
  (call $rec (call $call (local.get $send) (i32.const 0)))
  ;; the round trips
  (i32.store (i32.const 700) (local.get $ep))
  (i32.store (i32.const 704) (i32.const 8))
  (i32.store (i32.const 708) (i32.const 2))
  (local.set $c (call $spawn (call $h (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 2) (i32.const 700) (i32.const 1)))
  (local.set $id (call $reply_wait (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (i32.gt_s (local.get $id) (i32.const 0)))
  (call $rec (i32.load (i32.const 1024)))
  (call $rec (i32.load (i32.const 1028)))
  (call $rec (i32.load (i32.const 1032)))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 1))))
  ;; answer with status 2 and word 15, and take the next call: its word is 215
  (i32.store (i32.const 1024) (i32.const 15))
  (local.set $id (call $reply_wait (local.get $ep) (local.get $id) (i32.const 2) (i32.const 1)))
  (call $rec (i32.gt_s (local.get $id) (i32.const 0)))
  (call $rec (i32.load (i32.const 1024)))
  ;; answer it with reply: word 0 = 2^32 + 5 reaches the client's buffer as 5; status 9
  (call $rec (call $reply (local.get $id) (i32.const 9) (i64.const 0x100000005) (i64.const 0) (i32.const 0) (i32.const 0)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  (call $flush))
