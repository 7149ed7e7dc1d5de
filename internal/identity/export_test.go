package identity

import (
	"slices"

	"github.com/aims-dev/aims/internal/aims"
)

// RolesFor lists the roles allowed an action, for tests of the policy and its documentation.
func RolesFor(action string) []aims.Role { return slices.Clone(permissions[action]) }
