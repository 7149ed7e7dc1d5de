package app

// nonconformitySources gives nonconformity the records of other capabilities it refers to.
type nonconformitySources struct{ a *App }
