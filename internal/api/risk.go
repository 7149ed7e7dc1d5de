package api

// registerRisks adds the risk operations.
func registerRisks(r *registrar, s Services) {}
