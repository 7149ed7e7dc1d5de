package web

// soaRoutes adds the Statement of Applicability pages.
func (h *handler) soaRoutes(signed route) {}
