package web

// impactRoutes adds the impact assessment pages.
func (h *handler) impactRoutes(signed route) {}
