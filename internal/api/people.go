package api

// registerPeople adds the people operations.
func registerPeople(r *registrar, s Services) {}
