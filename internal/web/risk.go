package web

// riskRoutes adds the risk pages.
func (h *handler) riskRoutes(signed route) {}
