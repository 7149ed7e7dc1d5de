package api_test

func init() {
	moreOperations = append(moreOperations, "GET /api/v1/incidents", "POST /api/v1/incidents", "GET /api/v1/incidents/{ref}",
		"PUT /api/v1/incidents/{ref}", "POST /api/v1/incidents/{ref}/status", "POST /api/v1/incidents/{ref}/nonconformity",
		"POST /api/v1/incidents/{ref}/notifications", "POST /api/v1/incidents/{ref}/notifications/{number}/notified",
		"GET /api/v1/incidents/{ref}/history")
}
