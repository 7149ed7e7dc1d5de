package api_test

func init() {
	moreOperations = append(moreOperations,
		"GET /api/v1/notifications", "POST /api/v1/notifications/{id}/read", "POST /api/v1/notifications/read-all",
		"GET /api/v1/notifications/preferences", "PUT /api/v1/notifications/preferences",
		"GET /api/v1/webhooks", "POST /api/v1/webhooks", "GET /api/v1/webhooks/{ref}", "PATCH /api/v1/webhooks/{ref}",
		"DELETE /api/v1/webhooks/{ref}", "POST /api/v1/webhooks/{ref}/rotate", "POST /api/v1/webhooks/{ref}/test",
		"GET /api/v1/webhooks/{ref}/deliveries")
}
