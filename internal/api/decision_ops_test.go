package api_test

func init() {
	moreOperations = append(moreOperations, "POST /api/v1/systems/{id}/decisions", "POST /api/v1/systems/{id}/outcomes",
		"GET /api/v1/systems/{id}/decisions", "GET /api/v1/systems/{id}/decisions/{key}", "GET /api/v1/systems/{id}/decisions/{key}/receipt",
		"GET /api/v1/systems/{id}/decision-log", "PUT /api/v1/systems/{id}/decision-log/retention",
		"POST /api/v1/systems/{id}/decisions/erase", "GET /api/v1/systems/{id}/oversight")
}
