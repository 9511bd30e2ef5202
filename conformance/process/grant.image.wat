;; An image that imports a grant "buf" and writes it: exits with the byte it read back.
(func (export "_start")
  (i32.store8 $buf (i32.const 0) (i32.const 5))
  (call $exit (i32.load8_u $buf (i32.const 0))))
