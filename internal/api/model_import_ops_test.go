package api_test

func init() {
	moreOperations = append(moreOperations, "POST /api/v1/models/{ref}/versions/{label}/evaluations/import")
}
