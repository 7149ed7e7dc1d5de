package api

// registerReadiness adds the readiness operations.
func registerReadiness(r *registrar, s Services) {}
