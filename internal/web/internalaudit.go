package web

// internalAuditRoutes adds the internalaudit pages.
func (h *handler) internalAuditRoutes(signed route) {}
