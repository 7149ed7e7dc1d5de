package app

// lifecycleSources gives stage gates the records they check.
type lifecycleSources struct{ a *App }
