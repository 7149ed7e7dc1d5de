package api

// registerReviews adds the review operations.
func registerReviews(r *registrar, s Services) {}
