package aims

import (
	"time"

	"github.com/google/uuid"
)

// NewID returns a new time-ordered UUIDv7 as text.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// ValidID reports whether s looks like an id made by NewID.
func ValidID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// Clock tells the time; tests replace it to make times predictable.
type Clock func() time.Time

// SystemClock is the real clock, in UTC and truncated to microseconds so that
// every database stores the same value.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
