package app

// contextSources gives orgcontext the records of other capabilities it refers to.
type contextSources struct{ a *App }
