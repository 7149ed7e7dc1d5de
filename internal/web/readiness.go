package web

// readinessRoutes adds the readiness and crosswalk pages.
func (h *handler) readinessRoutes(signed route) {}
