(func (export "_start") unreachable)
