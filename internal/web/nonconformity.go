package web

// nonconformityRoutes adds the nonconformity pages.
func (h *handler) nonconformityRoutes(signed route) {}
