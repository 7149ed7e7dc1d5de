package web

// datasetRoutes adds the data set pages.
func (h *handler) datasetRoutes(signed route) {}
