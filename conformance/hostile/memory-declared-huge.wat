;; a memory minimum above MAX_MEMORY_PAGES is refused
(module (memory (export "memory") 65536) (func (export "_start")))
