package api

// registerIncidents adds the incident operations.
func registerIncidents(r *registrar, s Services) {}
