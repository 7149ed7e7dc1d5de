package api_test

func init() {
	moreOperations = append(moreOperations, "GET /api/v1/nonconformities", "POST /api/v1/nonconformities", "GET /api/v1/nonconformities/{ref}",
		"PATCH /api/v1/nonconformities/{ref}", "POST /api/v1/nonconformities/{ref}/actions", "PATCH /api/v1/nonconformities/{ref}/actions/{number}",
		"POST /api/v1/nonconformities/{ref}/checks", "POST /api/v1/nonconformities/{ref}/close", "GET /api/v1/nonconformities/{ref}/history")
}
