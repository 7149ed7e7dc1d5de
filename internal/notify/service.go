// Package notify tells people what is due: it gathers the reminders of
// every capability, keeps each person's notifications in the notification
// centre, sends them by e-mail over SMTP and posts them to the
// organisation's webhooks as JSON signed with HMAC-SHA256.
package notify

import (
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Sources are the records of other capabilities this one refers to; app satisfies it.
type Sources interface{}

// Service manages this capability's records.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}
