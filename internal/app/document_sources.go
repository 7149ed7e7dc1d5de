package app

// documentSources gives document the records of other capabilities it refers to.
type documentSources struct{ a *App }
