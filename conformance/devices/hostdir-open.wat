;; hostdir_call's open files: HOSTDIR_OPEN keeps a file open in the device under an id the caller reads,
;; writes, stats, sizes and times by (no path), until CLOSE; the open follows the file through a rename
;; and an unlink; then every error of the open-file operations.
;; $o fills the hostdir_req at 1000 (48 bytes; path2 0, reserved 0) and calls.
(data (i32.const 0) "hd")
(data (i32.const 4) "ro")
(data (i32.const 8) "dead")
(data (i32.const 16) "rdonly")
(data (i32.const 24) "hd2")
(data (i32.const 100) "a.txt")   ;; 5
(data (i32.const 110) "new.txt") ;; 7
(data (i32.const 120) "moved")   ;; 5
(data (i32.const 130) "nope")    ;; 4
(data (i32.const 140) "d")       ;; 1
(data (i32.const 190) "abc")
(func $o (param $h i32) (param $op i32) (param $flags i32) (param $off i64) (param $path i32) (param $plen i32)
         (param $buf i32) (param $len i32) (param $file i32) (result i32)
  (i32.store (i32.const 1000) (local.get $op))
  (i32.store (i32.const 1004) (local.get $flags))
  (i64.store (i32.const 1008) (local.get $off))
  (i32.store (i32.const 1016) (local.get $path))
  (i32.store (i32.const 1020) (local.get $plen))
  (i32.store (i32.const 1024) (i32.const 0))
  (i32.store (i32.const 1028) (i32.const 0))
  (i32.store (i32.const 1032) (local.get $buf))
  (i32.store (i32.const 1036) (local.get $len))
  (i32.store (i32.const 1040) (local.get $file))
  (call $hostdir_call (local.get $h) (i32.const 1000)))
;; A path operation (RENAME 11, REMOVE 10) through the same request.
(func $p (param $h i32) (param $op i32) (param $path i32) (param $plen i32) (param $path2 i32) (param $p2len i32) (result i32)
  (i32.store (i32.const 1000) (local.get $op))
  (i32.store (i32.const 1004) (i32.const 0))
  (i64.store (i32.const 1008) (i64.const 0))
  (i32.store (i32.const 1016) (local.get $path))
  (i32.store (i32.const 1020) (local.get $plen))
  (i32.store (i32.const 1024) (local.get $path2))
  (i32.store (i32.const 1028) (local.get $p2len))
  (i32.store (i32.const 1032) (i32.const 0))
  (i32.store (i32.const 1036) (i32.const 0))
  (i32.store (i32.const 1040) (i32.const 0))
  (call $hostdir_call (local.get $h) (i32.const 1000)))
(func (export "_start") (local $hd i32) (local $ro i32) (local $dead i32) (local $rd i32) (local $hd2 i32)
                        (local $f i32) (local $w i32) (local $g i32) (local $r i32) (local $n i32)
  (local.set $hd (call $h (i32.const 0) (i32.const 2)))
  (local.set $ro (call $h (i32.const 4) (i32.const 2)))
  (local.set $dead (call $h (i32.const 8) (i32.const 4)))
  (local.set $rd (call $h (i32.const 16) (i32.const 6)))
  (local.set $hd2 (call $h (i32.const 24) (i32.const 3)))
  ;; open a.txt for reading: read and stat it by id
  (local.set $f (call $o (local.get $hd) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (local.get $f))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 1) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 3) (local.get $f)))
  (call $rec (i32.load8_u (i32.const 2000))) ;; 'e'
  (call $rec (call $o (local.get $hd) (i32.const 19) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32) (local.get $f)))
  (call $rec (i32.load (i32.const 2008)))  ;; size 5
  ;; create new.txt exclusively for writing: write, size, time it by id
  (local.set $w (call $o (local.get $hd) (i32.const 15) (i32.const 19) (i64.const 0) (i32.const 110) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (local.get $w))
  (call $rec (call $o (local.get $hd) (i32.const 18) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 190) (i32.const 3) (local.get $w)))
  (call $rec (call $o (local.get $hd) (i32.const 20) (i32.const 0) (i64.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (local.get $w)))
  (call $rec (call $o (local.get $hd) (i32.const 21) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (local.get $w)))
  ;; renamed, then removed: the id still reaches the file (2 bytes, then no links)
  (call $rec (call $p (local.get $hd) (i32.const 11) (i32.const 110) (i32.const 7) (i32.const 120) (i32.const 5)))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (local.get $w)))
  (call $rec (call $p (local.get $hd) (i32.const 10) (i32.const 120) (i32.const 5) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $hd) (i32.const 19) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32) (local.get $w)))
  (call $rec (i32.load (i32.const 2004)))  ;; nlink 0
  (call $rec (i32.wrap_i64 (call $device_info (local.get $hd) (i32.const 98))))  ;; DEVINFO_HOSTDIR_OPEN: 2
  ;; close: the id is never valid again
  (call $rec (call $o (local.get $hd) (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (local.get $w)))
  (call $rec (call $o (local.get $hd) (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (local.get $w)))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (local.get $w)))
  (call $rec (i32.wrap_i64 (call $device_info (local.get $hd) (i32.const 98))))  ;; 1
  ;; EBADF: no id, a forged one, another device's
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (i32.const 0)))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (i32.add (local.get $f) (i32.const 256))))
  (local.set $g (call $o (local.get $hd2) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (local.get $g))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (local.get $g)))
  (call $rec (call $o (local.get $hd2) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (local.get $f)))
  ;; EACCES: writing a file opened for reading, opening for writing in a read-only directory or through a handle without WRITE
  (call $rec (call $o (local.get $hd) (i32.const 18) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 190) (i32.const 3) (local.get $f)))
  (call $rec (call $o (local.get $hd) (i32.const 20) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (local.get $f)))
  (call $rec (call $o (local.get $ro) (i32.const 15) (i32.const 16) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $ro) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $rd) (i32.const 15) (i32.const 16) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $rd) (i32.const 18) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 190) (i32.const 3) (i32.const 1)))
  ;; errors of the file system at open
  (call $rec (call $o (local.get $hd) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 140) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $hd) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 130) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $hd) (i32.const 15) (i32.const 19) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  ;; EINVAL: EXCL without CREATE, an unknown flag, a reserved field, a short stat buffer, a negative offset
  (call $rec (call $o (local.get $hd) (i32.const 15) (i32.const 2) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $hd) (i32.const 15) (i32.const 32) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (i32.store (i32.const 1044) (i32.const 1))
  (call $rec (call $hostdir_call (local.get $hd) (i32.const 1000)))
  (i32.store (i32.const 1044) (i32.const 0))
  (call $rec (call $o (local.get $hd) (i32.const 19) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 31) (local.get $f)))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const -1) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (local.get $f)))
  ;; a read of an open file may ask for MAX_MSG_BYTES (1 MiB), not one byte more
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1048577) (local.get $f)))
  ;; EFAULT: the buffer of a read or a stat outside memory (a read above MAX_IO_BYTES is not EINVAL: 65537 bytes at 0 leave the one page)
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 65537) (local.get $f)))
  (call $rec (call $o (local.get $hd) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 65530) (i32.const 16) (local.get $f)))
  (call $rec (call $o (local.get $hd) (i32.const 19) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 65520) (i32.const 32) (local.get $f)))
  ;; EMFILE: hd2 takes MAX_HOSTDIR_OPEN (256) files at once, one of them $g
  (local.set $n (i32.const 0))
  (block $full (loop $more
    (local.set $r (call $o (local.get $hd2) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
    (br_if $full (i32.le_s (local.get $r) (i32.const 0)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $more)))
  (call $rec (local.get $r))
  (call $rec (local.get $n))
  (call $rec (call $o (local.get $hd2) (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (local.get $g)))
  (call $rec (call $o (local.get $hd2) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  ;; a device the host shut down
  (call $rec (call $o (local.get $dead) (i32.const 15) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $o (local.get $dead) (i32.const 17) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16) (i32.const 257)))
  (call $flush))
