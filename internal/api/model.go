package api

// registerModels adds the operations on models and their versions.
func registerModels(r *registrar, s Services) {}
