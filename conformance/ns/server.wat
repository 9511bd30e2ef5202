;; The namespace with a resource manager: mounts, ns_open (a FILE, an ENDPOINT for a MOUNT_ENDPOINT mount),
;; io_call in the registers and buffer forms, ns_call, the server's own errors passed through, the kernel's
;; errors of each call, then ECLOSED once the server is gone and EUNVEIL after unveil.
(data (i32.const 0) "root")
(data (i32.const 8) "ep")
(data (i32.const 16) "/srv/x")
(data (i32.const 24) "/srv")
(data (i32.const 32) "/other")
(data (i32.const 40) "/other/b")
(data (i32.const 48) "/srv/d")
(data (i32.const 56) "/svc")
(data (i32.const 64) "/svc/x")
(data (i32.const 72) "/nowhere")
(data (i32.const 80) "/srv/a")
(data (i32.const 88) "/srv2")
(data (i32.const 104) "srv\00x\00")
(data (i32.const 96) "self")
(data (i32.const 140) "HELLO")
(data (i32.const 128) "\ff\fe")
;; the IO descriptor at 200 (IO_DESC_SIZE bytes)
(func $desc (param $op i32) (param $form i32) (param $off i64) (param $buf i32) (param $len i32) (param $grant i32)
            (param $path i32) (param $plen i32) (param $path2 i32) (param $p2len i32)
  (i32.store (i32.const 200) (local.get $op))
  (i32.store (i32.const 204) (local.get $form))
  (i64.store (i32.const 208) (local.get $off))
  (i32.store (i32.const 216) (local.get $buf))
  (i32.store (i32.const 220) (local.get $len))
  (i32.store (i32.const 224) (local.get $grant))
  (i32.store (i32.const 228) (local.get $path))
  (i32.store (i32.const 232) (local.get $plen))
  (i32.store (i32.const 236) (local.get $path2))
  (i32.store (i32.const 240) (local.get $p2len))
  (i32.store (i32.const 244) (i32.const 0)))
;; the child: a resource manager on the endpoint "ep"
(func $serve (local $ep i32) (local $r i32) (local $op i32) (local $w0 i64)
  (local.set $ep (call $h (i32.const 8) (i32.const 2)))
  (loop $l
    (local.set $r (call $receive (local.get $ep) (i32.const 1000) (i32.const 1000) (i64.const 0x7fffffffffffffff)))
    (if (i32.gt_s (local.get $r) (i32.const 0)) (then
      (local.set $w0 (call $msg_word (i32.const 0)))
      (local.set $op (i32.and (i32.wrap_i64 (local.get $w0)) (i32.const 0xff)))
      (block $done
        (if (i32.eq (local.get $op) (i32.const 1)) (then ;; IO_OPEN: O_EXEC is not served; anything else gets OCB 7
          (if (i32.and (i32.wrap_i64 (i64.shr_u (local.get $w0) (i64.const 16))) (i32.const 64))
            (then (drop (call $reply_error (local.get $r) (i32.const 66))))
            (else (drop (call $reply (local.get $r) (i32.const 0) (i64.const 7) (i64.const 0) (i32.const 0) (i32.const 0)))))
          (br $done)))
        (if (i32.eq (local.get $op) (i32.const 2)) (then ;; IO_READ: "abcdefgh" in the words, "HELLO" as the body
          (drop (call $reply (local.get $r) (i32.const 5) (i64.const 0x6867666564636261) (i64.const 0) (i32.const 140) (i32.const 5)))
          (br $done)))
        (if (i32.eq (local.get $op) (i32.const 3)) (then ;; IO_WRITE: all taken; the OCB must be 7
          (drop (call $reply (local.get $r)
            (select (i32.wrap_i64 (i64.shr_u (local.get $w0) (i64.const 32))) (i32.const -2) (i64.eq (call $msg_word (i32.const 1)) (i64.const 7)))
            (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
          (br $done)))
        (if (i32.eq (local.get $op) (i32.const 16)) (then ;; IO_MKDIR
          (drop (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
          (br $done)))
        (drop (call $reply_error (local.get $r) (i32.const 66))))))
    (br $l)))
(func (export "_start") (local $dir i32) (local $ep i32) (local $ep3 i32) (local $srv i32) (local $f i32) (local $e i32)
  (if (i32.eq (call $arg_count) (i32.const 2)) (then (call $serve) (return)))
  (local.set $dir (call $h (i32.const 0) (i32.const 4)))
  (local.set $ep (call $endpoint_create))
  ;; mounts
  (call $rec (call $ns_mount (local.get $dir) (i32.const 24) (i32.const 4) (local.get $ep) (i32.const 0)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 24) (i32.const 4) (local.get $ep) (i32.const 0)))      ;; taken: EEXIST
  (call $rec (call $ns_mount (local.get $dir) (i32.const 32) (i32.const 6) (call $endpoint_create) (i32.const 0)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 5) (local.get $ep) (i32.const 2)))      ;; unknown flag
  (call $rec (call $ns_mount (local.get $dir) (i32.const 65534) (i32.const 4) (local.get $ep) (i32.const 0)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 0) (local.get $ep) (i32.const 0)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 1025) (local.get $ep) (i32.const 0)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 128) (i32.const 2) (local.get $ep) (i32.const 0)))     ;; not UTF-8
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 5) (i32.const 0x00350007) (i32.const 0)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 5) (local.get $dir) (i32.const 0)))     ;; not an endpoint
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 5) (call $handle_dup (local.get $ep) (i32.const 0x100)) (i32.const 0)))
  (local.set $ep3 (call $endpoint_create))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 56) (i32.const 4) (local.get $ep3) (i32.const 1)))     ;; MOUNT_ENDPOINT
  ;; the server
  (i32.store (i32.const 112) (local.get $ep))
  (i32.store (i32.const 116) (i32.const 8))
  (i32.store (i32.const 120) (i32.const 2))
  (local.set $srv (call $spawn (call $h (i32.const 96) (i32.const 4)) (i32.const 104) (i32.const 6) (i32.const 112) (i32.const 1)))
  (drop (call $handle_close (local.get $ep))) ;; the server holds the only receive capability now
  ;; ns_open
  (local.set $f (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 3)))
  (call $rec (i32.gt_s (local.get $f) (i32.const 0)))
  (call $rec (call $handle_info (local.get $f) (i32.const 300)))
  (call $rec (i32.load (i32.const 300)))                                                      ;; FILE
  (call $rec (i32.load (i32.const 304)))                                                      ;; READ|WRITE|DUPLICATE|TRANSFER
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 64)))     ;; the server refuses O_EXEC
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 0)))      ;; neither read nor write
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 256)))    ;; unknown flag
  (call $rec (i32.gt_s (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 129)) (i32.const 0))) ;; O_NOFOLLOW: passed to the server
  (call $rec (call $ns_open (local.get $dir) (i32.const 65534) (i32.const 6) (i32.const 1)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 0) (i32.const 1)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 1025) (i32.const 1)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 72) (i32.const 8) (i32.const 1)))      ;; no mount covers it
  (call $rec (call $ns_open (local.get $dir) (i32.const 64) (i32.const 6) (i32.const 1)))      ;; below an endpoint
  (local.set $e (call $ns_open (local.get $dir) (i32.const 56) (i32.const 4) (i32.const 1)))   ;; an endpoint by path
  (drop (call $handle_info (local.get $e) (i32.const 300)))
  (call $rec (i32.load (i32.const 300)))                                                      ;; ENDPOINT
  (call $rec (i32.load (i32.const 304)))                                                      ;; SEND|DUPLICATE|TRANSFER
  ;; io_call: registers and buffer forms
  (call $desc (i32.const 2) (i32.const 1) (i64.const 0) (i32.const 256) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $rec (i32.load (i32.const 256)))                                                      ;; "abcd"
  (call $desc (i32.const 2) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 64) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $rec (i32.load (i32.const 256)))                                                      ;; "HELL"
  (call $desc (i32.const 3) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 10) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $desc (i32.const 3) (i32.const 1) (i64.const 0) (i32.const 256) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $desc (i32.const 8) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))                                  ;; the server does not sync
  (call $rec (call $io_call (local.get $f) (i32.const 65530)))
  (call $desc (i32.const 99) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))                                  ;; no such op
  (call $desc (i32.const 2) (i32.const 1) (i64.const 0) (i32.const 256) (i32.const 17) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))                                  ;; registers hold 16
  (call $desc (i32.const 2) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 1048577) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $desc (i32.const 2) (i32.const 0) (i64.const 0) (i32.const 65530) (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $desc (i32.const 2) (i32.const 2) (i64.const 0) (i32.const 0) (i32.const 100) (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))                                  ;; not a grant
  (call $desc (i32.const 3) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 10) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (call $handle_dup (local.get $f) (i32.const 4)) (i32.const 200)))  ;; READ only: no writing
  ;; ns_call
  (call $desc (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; mkdir
  (call $rec (call $ns_call (call $handle_dup (local.get $dir) (i32.const 4)) (i32.const 200))) ;; READ only: EACCES
  (call $desc (i32.const 23) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (call $handle_dup (local.get $dir) (i32.const 4)) (i32.const 200))) ;; IO_PSETTIMES needs WRITE: EACCES
  (call $desc (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; the server does not unlink
  (call $desc (i32.const 18) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 80) (i32.const 6) (i32.const 40) (i32.const 8))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; rename across mounts
  (call $desc (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 72) (i32.const 8) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; no mount
  (call $desc (i32.const 2) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; a file op
  (call $desc (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 1025) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))
  (call $rec (call $ns_call (local.get $dir) (i32.const 65530)))
  (call $desc (i32.const 22) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 32) (i32.const 0) (i32.const 56) (i32.const 4) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; stat of an endpoint: the kernel answers
  (call $rec (i32.load (i32.const 256)))                                                      ;; FILE_TYPE_ENDPOINT
  ;; ns_scope, ns_unmount
  (call $rec (i32.gt_s (call $ns_scope (local.get $dir) (i32.const 24) (i32.const 4) (i32.const 4)) (i32.const 0)))
  (call $rec (call $ns_scope (local.get $dir) (i32.const 65534) (i32.const 4) (i32.const 4)))
  (call $rec (call $ns_scope (local.get $dir) (i32.const 24) (i32.const 0) (i32.const 4)))
  (call $rec (call $ns_scope (local.get $dir) (i32.const 24) (i32.const 1025) (i32.const 4)))
  (call $rec (call $ns_unmount (local.get $dir) (i32.const 32) (i32.const 6)))
  (call $rec (call $ns_unmount (local.get $dir) (i32.const 32) (i32.const 6)))
  (call $rec (call $ns_unmount (local.get $dir) (i32.const 65534) (i32.const 6)))
  (call $rec (call $ns_unmount (local.get $dir) (i32.const 32) (i32.const 0)))
  (call $rec (call $ns_unmount (local.get $dir) (i32.const 32) (i32.const 1025)))
  ;; the server ends: its opens, its mount and its paths answer ECLOSED
  (drop (call $kill (local.get $srv) (i32.const 0)))
  (call $desc (i32.const 2) (i32.const 0) (i64.const 0) (i32.const 256) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
  (call $rec (call $io_call (local.get $f) (i32.const 200)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 1)))
  (call $desc (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 6) (i32.const 0) (i32.const 0))
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))
  (call $rec (call $ns_mount (local.get $dir) (i32.const 24) (i32.const 4) (call $endpoint_create) (i32.const 0)))  ;; a dead mount is replaced
  ;; unveil: /srv readable only
  (i32.store (i32.const 600) (i32.const 24))
  (i32.store (i32.const 604) (i32.const 4))
  (i32.store (i32.const 608) (i32.const 1))
  (call $rec (call $unveil (i32.const 600) (i32.const 1)))
  (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 6) (i32.const 2)))     ;; writing
  (call $rec (call $ns_open (local.get $dir) (i32.const 56) (i32.const 4) (i32.const 1)))     ;; outside the view
  (call $rec (call $ns_call (local.get $dir) (i32.const 200)))                                ;; mkdir
  (call $rec (call $ns_mount (local.get $dir) (i32.const 88) (i32.const 5) (local.get $ep3) (i32.const 0)))
  (call $rec (call $ns_unmount (local.get $dir) (i32.const 56) (i32.const 4)))
  (call $flush))
