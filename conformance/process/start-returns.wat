(func (export "_start"))
