package web

// reviewRoutes adds the review pages.
func (h *handler) reviewRoutes(signed route) {}
