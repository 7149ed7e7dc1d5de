package api_test

func init() {
	moreOperations = append(moreOperations, "GET /api/v1/systems/{id}/monitoring/settings", "PUT /api/v1/systems/{id}/monitoring/settings",
		"GET /api/v1/systems/{id}/monitoring/report", "GET /api/v1/systems/{id}/monitors", "POST /api/v1/systems/{id}/monitors",
		"GET /api/v1/monitors", "GET /api/v1/monitors/{ref}", "PUT /api/v1/monitors/{ref}", "POST /api/v1/monitors/{ref}/archive",
		"GET /api/v1/monitors/{ref}/results", "POST /api/v1/monitors/{ref}/evaluate", "GET /api/v1/alerts")
}
