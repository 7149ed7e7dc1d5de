package api_test

func init() {
	moreOperations = append(moreOperations, "POST /api/v1/systems/{id}/tokens")
}
