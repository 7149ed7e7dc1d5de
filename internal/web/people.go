package web

// peopleRoutes adds the people pages.
func (h *handler) peopleRoutes(signed route) {}
