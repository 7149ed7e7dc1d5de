package web

// objectiveRoutes adds the objective pages.
func (h *handler) objectiveRoutes(signed route) {}
