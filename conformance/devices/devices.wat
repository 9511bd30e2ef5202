;; Devices: timer interrupts as pulses, console in and out, RNG, framebuffer, audio; ranges at their limits.
(data (i32.const 0) "timer")
(data (i32.const 8) "console")
(data (i32.const 16) "quiet")
(data (i32.const 24) "rng")
(data (i32.const 32) "fb")
(data (i32.const 40) "fbplain")
(data (i32.const 48) "audio")
(data (i32.const 56) "gone")
(data (i32.const 64) "self")
(data (i32.const 72) "b\00")
(func $child (local $ep i32)
  ;; another process trying to take the timer while the parent's attachment lives
  (local.set $ep (call $endpoint_create))
  (call $exit (call $device_attach (call $h (i32.const 0) (i32.const 5)) (local.get $ep) (i32.const 1))))
(func (export "_start") (local $timer i32) (local $con i32) (local $quiet i32) (local $rng i32) (local $fb i32) (local $fbplain i32) (local $audio i32) (local $gone i32)
    (local $ep i32) (local $s i32) (local $c i32) (local $i i32) (local $r i32)
  (local.set $timer (call $h (i32.const 0) (i32.const 5)))
  (if (i32.le_s (call $arg_count) (i32.const 1)) (then (call $child) (return)))
  (local.set $con (call $h (i32.const 8) (i32.const 7)))
  (local.set $quiet (call $h (i32.const 16) (i32.const 5)))
  (local.set $rng (call $h (i32.const 24) (i32.const 3)))
  (local.set $fb (call $h (i32.const 32) (i32.const 2)))
  (local.set $fbplain (call $h (i32.const 40) (i32.const 7)))
  (local.set $audio (call $h (i32.const 48) (i32.const 5)))
  (local.set $gone (call $h (i32.const 56) (i32.const 4)))
  ;; timer: attach, arm, the interrupt arrives as a pulse from the kernel
  (local.set $ep (call $endpoint_create))
  (call $rec (call $device_attach (local.get $timer) (local.get $ep) (i32.const 5)))
  (call $rec (call $timer_set (local.get $timer) (i64.add (call $clock_now) (i64.const 1000000))))
  (call $rec (call $timer_set (local.get $timer) (i64.add (call $clock_now) (i64.const 1000000))))   ;; replaces: 1
  (call $rec (call $timer_set (local.get $timer) (i64.const -1)))
  (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const 0) (i64.const 9223372036854775807)))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))                        ;; code 5
  (call $rec (i32.wrap_i64 (i64.shr_u (call $msg_word (i32.const 1)) (i64.const 32))))  ;; IRQ_TIMER
  (call $rec (i32.wrap_i64 (call $device_info (local.get $timer) (i32.const 17))))  ;; expiries 1
  (call $rec (i32.wrap_i64 (call $device_info (local.get $timer) (i32.const 1))))   ;; attached
  (call $rec (i32.wrap_i64 (call $device_info (local.get $timer) (i32.const 999))))
  (call $rec (i32.wrap_i64 (call $device_info (local.get $timer) (i32.const 32))))  ;; a console key on a timer
  ;; another process cannot take it while we live with our endpoint open
  (i32.store (i32.const 700) (local.get $timer))
  (i32.store (i32.const 704) (i32.const 0))
  (i32.store (i32.const 708) (i32.const 5))
  (local.set $c (call $spawn (call $h (i32.const 64) (i32.const 4)) (i32.const 72) (i32.const 2) (i32.const 700) (i32.const 1)))
  (drop (call $wait (local.get $c) (i32.const 300) (i64.const 9223372036854775807)))
  (call $rec (i32.load (i32.const 300)))
  ;; an endpoint without a receiver
  (local.set $s (call $handle_dup (local.get $ep) (i32.const 0x101)))
  (drop (call $handle_close (local.get $ep)))
  (call $rec (call $device_attach (local.get $timer) (local.get $s) (i32.const 5)))
  (call $rec (call $device_attach (local.get $timer) (i32.const 0) (i32.const 0)))  ;; HANDLE_INVALID detaches
  ;; console: input "hi" then end of input
  (call $rec (call $console_rx (local.get $con) (i32.const 200) (i32.const 16)))
  (call $rec (i32.load16_u (i32.const 200)))
  (call $rec (call $console_rx (local.get $con) (i32.const 200) (i32.const 16)))   ;; ended: 0
  (call $rec (call $console_rx (local.get $quiet) (i32.const 200) (i32.const 16))) ;; nothing yet
  (call $rec (call $console_rx (local.get $con) (i32.const 200) (i32.const 0)))
  (call $rec (call $console_rx (local.get $con) (i32.const 200) (i32.const 65537)))
  (call $rec (call $console_rx (local.get $con) (i32.const 65535) (i32.const 2)))
  (call $rec (call $console_tx (local.get $con) (i32.const 200) (i32.const 2)))
  (call $rec (call $console_tx (local.get $con) (i32.const 200) (i32.const 0)))
  (call $rec (call $console_tx (local.get $con) (i32.const 200) (i32.const -1)))
  (call $rec (call $console_tx (local.get $con) (i32.const 200) (i32.const 65537)))
  (call $rec (call $console_tx (local.get $con) (i32.const 65535) (i32.const 2)))
  (call $rec (i32.wrap_i64 (call $device_info (local.get $con) (i32.const 35))))
  ;; rng
  (call $rec (call $rng_read (local.get $rng) (i32.const 200) (i32.const 16)))
  (call $rec (call $rng_read (local.get $rng) (i32.const 65535) (i32.const 1)))
  (call $rec (call $rng_read (local.get $rng) (i32.const 65535) (i32.const 2)))
  (call $rec (call $rng_read (local.get $rng) (i32.const 200) (i32.const -1)))
  (call $rec (call $rng_read (local.get $rng) (i32.const 200) (i32.const 65537)))
  ;; framebuffer 4 x 2: 32 bytes of pixels
  (call $rec (call $fb_write (local.get $fb) (i32.const 28) (i32.const 200) (i32.const 4)))   ;; the last pixel
  (call $rec (call $fb_write (local.get $fb) (i32.const 29) (i32.const 200) (i32.const 4)))
  (call $rec (call $fb_write (local.get $fb) (i32.const -1) (i32.const 200) (i32.const 4)))
  (call $rec (call $fb_write (local.get $fb) (i32.const 0) (i32.const 200) (i32.const -1)))
  (call $rec (call $fb_write (local.get $fb) (i32.const 0) (i32.const 65535) (i32.const 4)))
  (call $rec (call $fb_present (local.get $fb)))
  (call $rec (call $fb_present (local.get $fb)))
  (call $rec (i32.gt_s (call $fb_memory (local.get $fb)) (i32.const 0)))
  (call $rec (call $fb_memory (local.get $fbplain)))
  (call $rec (i32.wrap_i64 (call $device_info (local.get $fb) (i32.const 64))))
  ;; audio: buffers from our own memory (HANDLE_SELF) or a memory object
  (call $rec (call $audio_submit (local.get $audio) (i32.const -1) (i32.const 1000) (i32.const 0) (i32.const 0)))
  (call $rec (call $audio_submit (local.get $audio) (i32.const -1) (i32.const 1000) (i32.const 48001) (i32.const 0)))
  (call $rec (call $audio_submit (local.get $audio) (i32.const -1) (i32.const 1000) (i32.const 1) (i32.const 2)))
  (call $rec (call $audio_submit (local.get $audio) (i32.const -1) (i32.const 65533) (i32.const 1) (i32.const 0)))
  (call $rec (call $audio_submit (local.get $audio) (call $memory_create (i32.const 64)) (i32.const -4) (i32.const 1) (i32.const 0)))
  (call $rec (call $audio_submit (local.get $audio) (call $memory_create (i32.const 64)) (i32.const 61) (i32.const 1) (i32.const 0)))
  (call $rec (call $audio_submit (local.get $audio) (local.get $gone) (i32.const 0) (i32.const 1) (i32.const 0)))
  (call $rec (call $audio_submit (local.get $audio) (call $handle_dup (call $memory_create (i32.const 64)) (i32.const 0x8)) (i32.const 0) (i32.const 1) (i32.const 0)))  ;; no READ
  (block $done (loop $more
    (local.set $r (call $audio_submit (local.get $audio) (i32.const -1) (i32.const 1000) (i32.const 480) (i32.const 0)))
    (br_if $done (i32.lt_s (local.get $r) (i32.const 0)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $more (i32.lt_u (local.get $i) (i32.const 100)))))
  (call $rec (i32.le_u (local.get $i) (i32.const 5)))
  (call $rec (local.get $r))
  (call $flush))
