package api_test

func init() {
	moreOperations = append(moreOperations, "POST /api/v1/concerns", "GET /api/v1/concerns", "GET /api/v1/concerns/{ref}",
		"PATCH /api/v1/concerns/{ref}", "POST /api/v1/concerns/{ref}/notes", "GET /api/v1/concerns/{ref}/history",
		"GET /api/v1/concern-settings", "PUT /api/v1/concern-settings", "POST /api/v1/concern-settings/rotate")
}
