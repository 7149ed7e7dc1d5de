package web

// modelRoutes adds the model pages.
func (h *handler) modelRoutes(signed route) {}
