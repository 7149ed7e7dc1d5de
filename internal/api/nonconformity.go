package api

// registerNonconformities adds the nonconformity operations.
func registerNonconformities(r *registrar, s Services) {}
