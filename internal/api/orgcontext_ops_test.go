package api_test

func init() {
	moreOperations = append(moreOperations, "GET /api/v1/context", "PUT /api/v1/context", "POST /api/v1/context/approve",
		"GET /api/v1/context/versions", "GET /api/v1/context/versions/{number}", "GET /api/v1/context/compare",
		"GET /api/v1/context/history")
}
