package api_test

func init() {
	moreOperations = append(moreOperations, "GET /api/v1/reviews", "POST /api/v1/reviews", "GET /api/v1/reviews/{ref}",
		"PATCH /api/v1/reviews/{ref}", "POST /api/v1/reviews/{ref}/sign-off", "GET /api/v1/reviews/{ref}/minutes",
		"GET /api/v1/reviews/{ref}/history", "POST /api/v1/reviews/{ref}/decisions", "DELETE /api/v1/reviews/{ref}/decisions/{number}",
		"POST /api/v1/reviews/{ref}/actions", "GET /api/v1/reviews/{ref}/actions/{number}", "PATCH /api/v1/reviews/{ref}/actions/{number}",
		"DELETE /api/v1/reviews/{ref}/actions/{number}")
}
