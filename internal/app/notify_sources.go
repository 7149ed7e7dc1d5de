package app

// notificationSources gives notify the records of other capabilities it refers to.
type notificationSources struct{ a *App }
