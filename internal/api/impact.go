package api

// registerImpact adds the impact assessment operations.
func registerImpact(r *registrar, s Services) {}
