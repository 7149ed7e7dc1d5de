package api

// registerCatalog adds the catalog operations.
func registerCatalog(r *registrar, s Services) {}
