package web

// notificationRoutes adds the notify pages.
func (h *handler) notificationRoutes(signed route) {}
