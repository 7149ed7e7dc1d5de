// Package orgcontext keeps the context of the organisation (ISO/IEC 42001
// 4.1 to 4.3): internal and external issues, interested parties and their
// requirements, the AIMS scope statement and the decision on whether
// climate change is a relevant issue, in versions approved like documents.
//
// Each organisation has one draft, edited as a whole (document.edit), and
// numbered approved versions (document.approve) that the database keeps
// frozen. The latest approved version is the one in force.
package orgcontext

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log.
const (
	ObjectDraft   = "context_draft"
	ObjectVersion = "context_version"
)

// Audit actions.
const (
	ActionEdit    = "context.edit"
	ActionApprove = "context.approve"
)

// SystemInfo is what the context needs of an AI system.
type SystemInfo struct {
	ID   string
	Ref  string
	Name string
}

// Sources are the records of other capabilities this one refers to; app satisfies it.
type Sources interface {
	// System resolves an AI system of the actor's organisation by id or reference (SYS-1).
	System(ctx context.Context, actor *aims.Actor, idOrRef string) (*SystemInfo, error)
}

// Service manages the organisation's context.
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

// DateLayout is how calendar dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Field limits, in characters or items.
const (
	maxShort = 200
	maxText  = 4000
	maxLong  = 20000
	maxItems = 100
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

// key is the form of a name or issue used to tell items apart: lower case, single spaces.
func key(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// mustJSON encodes values that always encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func staleVersion(current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed the draft context since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// versionRef is how people see an approved version: Context v3.
func versionRef(n int) string { return fmt.Sprintf("Context v%d", n) }

// longDate writes a date as people read it: 2 March 2026.
func longDate(t time.Time) string { return t.UTC().Format("2 January 2006") }
