// Package concern lets people report concerns about the organisation's AI
// (ISO/IEC 42001 A.3.3), anonymously if they wish, members through their
// account and anyone else through the organisation's public link, and lets
// those who handle concerns answer; the reporter reads the answer through a
// private link.
//
// Confidentiality: only those allowed concern.handle read a concern's
// contents; every other role, auditors included, is refused by the service
// whatever it may otherwise read. Audit events record references, statuses,
// categories and SHA-256 digests of texts, never the texts themselves.
//
// Anonymity: a concern reported anonymously stores no reporter: the row's
// reporter_id is NULL and its audit event's actor is "anonymous reporter",
// with no user id, email or token. Public reports are likewise recorded as
// "public reporter". Private links are stored only as SHA-256 digests.
package concern

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// ObjectConcern is the concern's object type in the audit log; ObjectSettings that of the reporting settings.
const (
	ObjectConcern  = "concern"
	ObjectSettings = "concern_settings"
)

// Audit actions.
const (
	ActionReport   = "concern.report"
	ActionFollowUp = "concern.follow_up"
	ActionUpdate   = "concern.update"
	ActionNote     = "concern.note"
	ActionSettings = "concern_settings.update"
	ActionRotate   = "concern_settings.rotate"
)

// refPrefix starts the references of concerns: CON-1.
const refPrefix = "CON"

// Channels a concern came through.
const (
	ChannelMember    = "member"    // a member, named
	ChannelAnonymous = "anonymous" // a member who chose not to be named
	ChannelPublic    = "public"    // anyone, through the organisation's public link
)

// Statuses of a concern.
const (
	StatusReceived    = "received"
	StatusUnderReview = "under_review"
	StatusAnswered    = "answered"
	StatusClosed      = "closed"
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
}

// Statuses lists the statuses in the order of handling.
var Statuses = []Option{
	{StatusReceived, "Received"}, {StatusUnderReview, "Under review"}, {StatusAnswered, "Answered"}, {StatusClosed, "Closed"},
}

// Categories are the kinds of concern.
var Categories = []Option{
	{"harm", "Harm to people"}, {"bias", "Bias or discrimination"}, {"privacy", "Privacy"}, {"safety", "Safety"},
	{"misuse", "Misuse"}, {"legal", "Legal or regulatory"}, {"transparency", "Transparency"}, {"other", "Other"},
}

// Label returns the label of value in opts, or the value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func allowed(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// SystemInfo is what a concern needs of an AI system.
type SystemInfo struct {
	ID   string
	Ref  string
	Name string
}

// Sources are the records of other capabilities this one refers to; app satisfies it.
type Sources interface {
	// System resolves an AI system of the organisation by id or reference (SYS-1).
	System(ctx context.Context, orgID, idOrRef string) (*SystemInfo, error)
	// OrgName returns the organisation's name, for the public page.
	OrgName(ctx context.Context, orgID string) (string, error)
}

// Service manages concerns.
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

// Field limits, in characters.
const (
	maxSummary = 200
	maxText    = 10000
	maxSystems = 20
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

// newSecret returns a random secret of 256 bits, written for a URL, and its stored digest.
func newSecret() (secret, digest string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, digestOf(secret)
}

// digestOf is the stored form of a secret: its SHA-256 in hex.
func digestOf(secret string) string {
	h := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(h[:])
}

// wellFormed reports whether a secret could be one newSecret made, before any database lookup.
func wellFormed(secret string) bool {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(secret))
	return err == nil && len(b) == 32
}

// textDigest records a text in the audit log without its content.
func textDigest(s string) string {
	if s == "" {
		return ""
	}
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

// mustJSON encodes values that always encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func staleVersion(ref string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", ref, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// reporterActor is how the audit log names a reporter who is not named.
func reporterActor(channel string) tlog.EventActor {
	if channel == ChannelPublic {
		return tlog.EventActor{Kind: "anonymous", Label: "public reporter"}
	}
	return tlog.EventActor{Kind: "anonymous", Label: "anonymous reporter"}
}

// record appends an audit event about a concern with an explicit actor, in the caller's transaction.
func (s *Service) record(ctx context.Context, tx *db.Tx, orgID string, who tlog.EventActor, action string, obj tlog.EventObject, ch []tlog.Change) error {
	return s.logs.AppendEvent(ctx, tx, &tlog.Event{Org: orgID, Time: s.clock(), Actor: who, Action: action, Object: obj, Changes: ch})
}
