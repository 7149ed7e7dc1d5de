package app

// concernSources gives concern the records of other capabilities it refers to.
type concernSources struct{ a *App }
