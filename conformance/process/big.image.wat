;; An image with 3 pages of memory that exits 3.
(func (export "_start") (call $exit (i32.const 3)))
