package app

// objectiveSources gives objective the records of other capabilities it refers to.
type objectiveSources struct{ a *App }
