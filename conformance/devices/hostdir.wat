;; hostdir_call: a host directory with a.txt ("hello") and d/b.txt; every operation once, then every error.
;; $q fills the hostdir_req at 1000 and calls; paths live in the data segments below.
(data (i32.const 0) "hd")
(data (i32.const 4) "ro")
(data (i32.const 8) "dead")
(data (i32.const 16) "rdonly")
(data (i32.const 100) "a.txt")   ;; 5
(data (i32.const 110) "new.txt") ;; 7
(data (i32.const 120) "/")       ;; 1
(data (i32.const 130) "nope")    ;; 4
(data (i32.const 140) "d")       ;; 1
(data (i32.const 150) "l1")      ;; 2
(data (i32.const 160) "l2")      ;; 2
(data (i32.const 170) "../x")    ;; 4
(data (i32.const 180) "a\00b")   ;; 3
(data (i32.const 190) "abc")
(data (i32.const 200) "\ff\fe")  ;; not UTF-8
(func $q (param $h i32) (param $op i32) (param $flags i32) (param $off i64) (param $path i32) (param $plen i32)
         (param $path2 i32) (param $p2len i32) (param $buf i32) (param $len i32) (result i32)
  (i32.store (i32.const 1000) (local.get $op))
  (i32.store (i32.const 1004) (local.get $flags))
  (i64.store (i32.const 1008) (local.get $off))
  (i32.store (i32.const 1016) (local.get $path))
  (i32.store (i32.const 1020) (local.get $plen))
  (i32.store (i32.const 1024) (local.get $path2))
  (i32.store (i32.const 1028) (local.get $p2len))
  (i32.store (i32.const 1032) (local.get $buf))
  (i32.store (i32.const 1036) (local.get $len))
  (call $hostdir_call (local.get $h) (i32.const 1000)))
(func (export "_start") (local $hd i32) (local $ro i32) (local $dead i32) (local $rd i32)
  (local.set $hd (call $h (i32.const 0) (i32.const 2)))
  (local.set $ro (call $h (i32.const 4) (i32.const 2)))
  (local.set $dead (call $h (i32.const 8) (i32.const 4)))
  (local.set $rd (call $h (i32.const 16) (i32.const 6)))
  ;; every operation
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (i32.load (i32.const 2000)))  ;; type 1: a regular file
  (call $rec (i32.load (i32.const 2008)))  ;; size 5
  (call $rec (call $q (local.get $hd) (i32.const 3) (i32.const 0) (i64.const 1) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 3)))
  (call $rec (i32.load8_u (i32.const 2000))) ;; 'e'
  (call $rec (call $q (local.get $hd) (i32.const 4) (i32.const 1) (i64.const 0) (i32.const 110) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 190) (i32.const 3)))
  (call $rec (call $q (local.get $hd) (i32.const 5) (i32.const 4) (i64.const 0) (i32.const 110) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 6) (i32.const 0) (i64.const 2) (i32.const 110) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 7) (i32.const 0) (i64.const 0) (i32.const 110) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 8) (i32.const 0) (i64.const 0) (i32.const 120) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 256)))
  (call $rec (i32.load (i32.const 2012)))  ;; first entry's name length: "a.txt" = 5
  (call $rec (call $q (local.get $hd) (i32.const 9) (i32.const 0) (i64.const 0) (i32.const 130) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 11) (i32.const 0) (i64.const 0) (i32.const 130) (i32.const 4) (i32.const 160) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 10) (i32.const 0) (i64.const 0) (i32.const 160) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  ;; links that loop: made fine (they stay inside), followed: ELOOP
  (call $rec (call $q (local.get $hd) (i32.const 12) (i32.const 0) (i64.const 0) (i32.const 150) (i32.const 2) (i32.const 160) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 12) (i32.const 0) (i64.const 0) (i32.const 160) (i32.const 2) (i32.const 150) (i32.const 2) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 13) (i32.const 0) (i64.const 0) (i32.const 150) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 16)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 150) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (call $q (local.get $hd) (i32.const 2) (i32.const 0) (i64.const 0) (i32.const 150) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  ;; errors of the file system
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 130) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (call $q (local.get $hd) (i32.const 9) (i32.const 0) (i64.const 0) (i32.const 140) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 5) (i32.const 2) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 8) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 256)))
  (call $rec (call $q (local.get $hd) (i32.const 3) (i32.const 0) (i64.const 0) (i32.const 140) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 4)))
  (call $rec (call $q (local.get $hd) (i32.const 10) (i32.const 0) (i64.const 0) (i32.const 140) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (memory.fill (i32.const 3000) (i32.const 0x78) (i32.const 1100))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 3000) (i32.const 300) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 3000) (i32.const 1025) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  ;; refusals: out of the root, read-only, no WRITE right
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 170) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (i32.wrap_i64 (call $device_info (local.get $hd) (i32.const 97))))  ;; DEVINFO_HOSTDIR_REFUSALS: 1
  (call $rec (call $q (local.get $ro) (i32.const 4) (i32.const 1) (i64.const 0) (i32.const 110) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 190) (i32.const 3)))
  (call $rec (i32.wrap_i64 (call $device_info (local.get $ro) (i32.const 96))))  ;; DEVINFO_HOSTDIR_READONLY: 1
  (call $rec (call $q (local.get $ro) (i32.const 3) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 5)))
  (call $rec (call $q (local.get $rd) (i32.const 9) (i32.const 0) (i64.const 0) (i32.const 130) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $rd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  ;; bad requests
  (call $rec (call $q (local.get $hd) (i32.const 99) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (call $q (local.get $hd) (i32.const 3) (i32.const 1) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 5)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 31)))
  (call $rec (call $q (local.get $hd) (i32.const 3) (i32.const 0) (i64.const -1) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 5)))
  (call $rec (call $q (local.get $hd) (i32.const 3) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 65537)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 180) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 200) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $rec (call $hostdir_call (local.get $hd) (i32.const 65530)))
  (call $rec (call $q (local.get $hd) (i32.const 3) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 65530) (i32.const 16)))
  (call $rec (call $q (local.get $hd) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 65535) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  ;; a device the host shut down
  (call $rec (call $q (local.get $dead) (i32.const 1) (i32.const 0) (i64.const 0) (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 2000) (i32.const 32)))
  (call $flush))
