package web

// concernRoutes adds the concern pages.
func (h *handler) concernRoutes(signed route, open openRoute) {}
