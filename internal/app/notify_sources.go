package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/notify"
)

// notificationSources gives notify the organisations, their members, every
// capability's reminders and the mail settings.
type notificationSources struct{ a *App }

// Organisations lists every organisation.
func (s notificationSources) Organisations(ctx context.Context) ([]notify.Org, error) {
	rows, err := s.a.DB.QueryContext(ctx, `SELECT id, name FROM organisations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Org
	for rows.Next() {
		var o notify.Org
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Members lists an organisation's members through identity, as aims itself.
func (s notificationSources) Members(ctx context.Context, orgID string) ([]notify.Member, error) {
	ms, err := s.a.Identity.ListMembers(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "reminders"})
	if err != nil {
		return nil, err
	}
	out := make([]notify.Member, len(ms))
	for i, m := range ms {
		out[i] = notify.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role}
	}
	return out, nil
}

// Reminders gathers what every capability with due dates lists. A
// capability that fails is named in the error; the others' reminders are
// still returned.
func (s notificationSources) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	a := s.a
	sources := []struct {
		name string
		list func(context.Context, string) ([]aims.Reminder, error)
	}{
		{"evidence", a.Evidence.Reminders},
		{"suppliers", a.Suppliers.Reminders},
		{"risks", a.Risks.Reminders},
		{"impact assessments", a.Impact.Reminders},
		{"documents", a.Documents.Reminders},
		{"context", a.Context.Reminders},
		{"people", a.People.Reminders},
		{"concerns", a.Concerns.Reminders},
		{"objectives", a.Objectives.Reminders},
		{"incidents", a.Incidents.Reminders},
		{"monitors", a.Monitors.Reminders},
		{"nonconformities", a.Nonconformities.Reminders},
		{"internal audits", a.InternalAudits.Reminders},
		{"management reviews", a.Reviews.Reminders},
	}
	var out []aims.Reminder
	var errs []error
	for _, src := range sources {
		rs, err := src.list(ctx, orgID)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot list the reminders of %s: %w", src.name, err))
			continue
		}
		out = append(out, rs...)
	}
	return out, errors.Join(errs...)
}

// SMTP returns the configured mail server.
func (s notificationSources) SMTP() notify.SMTP {
	c := s.a.Config
	return notify.SMTP{Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUsername, Password: c.SMTPPassword, From: c.SMTPFrom, TLS: c.SMTPTLS}
}

// PublicURL is the configured public address.
func (s notificationSources) PublicURL() string { return s.a.Config.PublicURL }
