package web

// lifecycleRoutes adds the pages of stage gates, transitions and change requests.
func (h *handler) lifecycleRoutes(signed route) {}
