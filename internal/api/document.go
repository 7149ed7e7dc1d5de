package api

// registerDocuments adds the document operations.
func registerDocuments(r *registrar, s Services) {}
