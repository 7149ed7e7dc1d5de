package api

// registerConcerns adds the concern operations.
func registerConcerns(r *registrar, s Services) {}
