package api

// registerContext adds the orgcontext operations.
func registerContext(r *registrar, s Services) {}
