package web

// documentRoutes adds the document pages.
func (h *handler) documentRoutes(signed route) {}
