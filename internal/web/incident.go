package web

// incidentRoutes adds the incident pages.
func (h *handler) incidentRoutes(signed route) {}
