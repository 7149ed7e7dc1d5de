package api

// registerObjectives adds the objective operations.
func registerObjectives(r *registrar, s Services) {}
