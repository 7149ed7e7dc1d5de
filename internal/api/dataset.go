package api

// registerDatasets adds the operations on data sets and their versions.
func registerDatasets(r *registrar, s Services) {}
