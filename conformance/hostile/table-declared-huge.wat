;; a table above MAX_TABLE_ELEMENTS is refused
(module (memory (export "memory") 1) (table 100000 funcref) (func (export "_start")))
