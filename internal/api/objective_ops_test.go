package api_test

func init() {
	moreOperations = append(moreOperations, "GET /api/v1/objectives", "POST /api/v1/objectives", "GET /api/v1/objectives/{ref}",
		"PATCH /api/v1/objectives/{ref}", "POST /api/v1/objectives/{ref}/status", "GET /api/v1/objectives/{ref}/history",
		"POST /api/v1/objectives/{ref}/indicators", "GET /api/v1/objectives/{ref}/indicators/{number}",
		"PATCH /api/v1/objectives/{ref}/indicators/{number}", "GET /api/v1/objectives/{ref}/indicators/{number}/measurements",
		"POST /api/v1/objectives/{ref}/indicators/{number}/measurements", "POST /api/v1/objective-measurements")
}
