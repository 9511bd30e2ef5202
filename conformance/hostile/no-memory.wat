;; a module that exports no memory is refused
(module (func (export "_start")))
