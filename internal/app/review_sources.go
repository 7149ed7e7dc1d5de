package app

// reviewSources gives review the records of other capabilities it refers to.
type reviewSources struct{ a *App }
