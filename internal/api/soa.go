package api

// registerSoA adds the soa operations.
func registerSoA(r *registrar, s Services) {}
