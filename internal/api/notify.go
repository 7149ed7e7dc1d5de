package api

// registerNotifications adds the notify operations.
func registerNotifications(r *registrar, s Services) {}
