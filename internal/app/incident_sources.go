package app

// incidentSources gives incident the records of other capabilities it refers to.
type incidentSources struct{ a *App }
