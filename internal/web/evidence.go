package web

// evidenceRoutes adds the evidence pages.
func (h *handler) evidenceRoutes(signed route) {}
