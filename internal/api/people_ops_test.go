package api_test

func init() {
	moreOperations = append(moreOperations,
		"GET /api/v1/aims-roles", "POST /api/v1/aims-roles", "GET /api/v1/aims-roles/{ref}", "PATCH /api/v1/aims-roles/{ref}",
		"POST /api/v1/aims-roles/{ref}/archive", "POST /api/v1/aims-roles/{ref}/restore", "GET /api/v1/aims-roles/{ref}/history",
		"GET /api/v1/competences", "POST /api/v1/competences", "GET /api/v1/competences/{ref}", "PATCH /api/v1/competences/{ref}",
		"POST /api/v1/competences/{ref}/archive", "POST /api/v1/competences/{ref}/restore", "GET /api/v1/competences/{ref}/history",
		"GET /api/v1/courses", "POST /api/v1/courses", "GET /api/v1/courses/{ref}", "PATCH /api/v1/courses/{ref}",
		"POST /api/v1/courses/{ref}/archive", "POST /api/v1/courses/{ref}/restore", "GET /api/v1/courses/{ref}/history",
		"GET /api/v1/training-records", "POST /api/v1/training-records", "GET /api/v1/training-records/{ref}",
		"POST /api/v1/training-records/{ref}/withdraw", "GET /api/v1/training-records/{ref}/history",
		"GET /api/v1/people/matrix", "GET /api/v1/people/{person}")
}
