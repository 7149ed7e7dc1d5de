package app

// peopleSources gives people the records of other capabilities it refers to.
type peopleSources struct{ a *App }
