// Package notify tells people what is due: it gathers the reminders of
// every capability, keeps each person's notifications in the notification
// centre, sends them by e-mail over SMTP and posts them to the
// organisation's webhooks as JSON signed with HMAC-SHA256.
//
// Reading and dismissing a notification is the person's own inbox state,
// not a record of the management system, so it writes no audit event. A
// person's e-mail preference and every change to a webhook do.
package notify

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log.
const (
	ObjectWebhook     = "webhook"
	ObjectPreferences = "notification_preferences"
)

// Audit actions.
const (
	ActionWebhookCreate = "webhook.create"
	ActionWebhookUpdate = "webhook.update"
	ActionWebhookRotate = "webhook.rotate_secret"
	ActionWebhookDelete = "webhook.delete"
	ActionPreferences   = "notification.preferences"
)

// Statuses of an e-mail or a webhook delivery.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Org is an organisation whose reminders are swept.
type Org struct {
	ID   string
	Name string
}

// Member is a member of an organisation who may be told of reminders.
type Member struct {
	UserID string
	Name   string
	Email  string
	Role   aims.Role
}

// SMTP is how e-mail is sent; an empty Host means e-mail is not sent.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS is none, starttls or tls.
	TLS string
}

// Sources are the records and settings of the rest of aims this capability
// needs; app satisfies it.
type Sources interface {
	// Organisations lists every organisation.
	Organisations(ctx context.Context) ([]Org, error)
	// Members lists the members of an organisation with their e-mail addresses and roles.
	Members(ctx context.Context, orgID string) ([]Member, error)
	// Reminders lists what is due in an organisation, from every capability.
	Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error)
	// SMTP returns the mail server settings.
	SMTP() SMTP
	// PublicURL is the address people reach aims at, for links in e-mail; may be empty.
	PublicURL() string
}

// Service manages notifications, e-mail and webhooks.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
	// HTTP posts webhook deliveries; it does not follow redirects.
	HTTP *http.Client
}

// WebhookTimeout bounds one webhook delivery, connection to response.
const WebhookTimeout = 10 * time.Second

// New returns the notification service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	client := &http.Client{Timeout: WebhookTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return &Service{db: d, logs: logs, clock: clock, sources: sources, HTTP: client}
}

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
}

// Kinds are the kinds of reminder, with words for people.
var Kinds = []Option{
	{aims.ReminderReviewDue, "Review due"},
	{aims.ReminderEvidenceExpiring, "Evidence expiring"},
	{aims.ReminderActionOverdue, "Action overdue"},
	{aims.ReminderAcknowledgement, "Acknowledgement pending"},
	{aims.ReminderIncidentDeadline, "Incident deadline"},
	{aims.ReminderMonitorAlert, "Monitor alert"},
}

// KindLabel returns the words for a kind of reminder.
func KindLabel(kind string) string {
	for _, o := range Kinds {
		if o.Value == kind {
			return o.Label
		}
	}
	return kind
}

func knownKind(kind string) bool {
	for _, o := range Kinds {
		if o.Value == kind {
			return true
		}
	}
	return false
}

func kindValues() string {
	vs := make([]string, len(Kinds))
	for i, o := range Kinds {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// Field limits, in characters.
const (
	maxTitle = 500
	maxKey   = 300
	maxText  = 2000
	maxURL   = 2000
)

// text trims a text field and records what is wrong with it.
func text(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: "someone changed " + what +
		" since you loaded it: reload and apply your change again",
		Fields: []aims.FieldError{{Field: "version", Message: "is " + strconv.Itoa(current) + ", not " + strconv.Itoa(sent)}}}
}

// backoff is how long to wait after the given number of failed attempts:
// one minute, doubling, at most an hour.
func backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// MaxAttempts is how many times an e-mail or a webhook delivery is tried
// before it is recorded as failed.
const MaxAttempts = 5
