package web

// contextRoutes adds the orgcontext pages.
func (h *handler) contextRoutes(signed route) {}
