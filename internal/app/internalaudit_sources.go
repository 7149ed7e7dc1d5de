package app

// internalAuditSources gives internalaudit the records of other capabilities it refers to.
type internalAuditSources struct{ a *App }
