(func (export "_start")
  (call $exit (i32.const 42)))
