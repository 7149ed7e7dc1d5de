package api

// registerInternalAudits adds the internalaudit operations.
func registerInternalAudits(r *registrar, s Services) {}
