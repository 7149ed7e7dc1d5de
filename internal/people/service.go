// Package people keeps who does what in the AIMS and whether they are able
// to (ISO/IEC 42001 5.3, 7.2, 7.3, A.3.2, A.4.6): AIMS roles with their
// responsibilities assigned to members, the competences each role requires,
// training courses, each person's training records with evidence, and the
// gaps between what roles require and what people hold.
package people

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
	ObjectRole       = "aims_role"
	ObjectCompetence = "competence"
	ObjectCourse     = "training_course"
	ObjectRecord     = "training_record"
)

// Audit actions.
const (
	ActionRoleCreate       = "aims_role.create"
	ActionRoleUpdate       = "aims_role.update"
	ActionRoleArchive      = "aims_role.archive"
	ActionRoleRestore      = "aims_role.restore"
	ActionCompetenceCreate = "competence.create"
	ActionCompetenceUpdate = "competence.update"
	ActionCompetenceArch   = "competence.archive"
	ActionCompetenceRest   = "competence.restore"
	ActionCourseCreate     = "training_course.create"
	ActionCourseUpdate     = "training_course.update"
	ActionCourseArchive    = "training_course.archive"
	ActionCourseRestore    = "training_course.restore"
	ActionRecordCreate     = "training_record.create"
	ActionRecordReplace    = "training_record.replace"
	ActionRecordWithdraw   = "training_record.withdraw"
)

// Reference prefixes.
const (
	rolePrefix       = "ROLE"
	competencePrefix = "COMP"
	coursePrefix     = "CRS"
	recordPrefix     = "TR"
)

// Statuses of roles, competences and courses.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// DateLayout is how dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Field limits, in characters or items.
const (
	maxName     = 200
	maxLongText = 10000
	maxMembers  = 200
	maxItems    = 50
	maxEvidence = 20
	maxMonths   = 600
)

// Member is a member of the organisation.
type Member struct {
	UserID string
	Name   string
	Email  string
}

// EvidenceInfo names a piece of evidence.
type EvidenceInfo struct {
	ID     string
	Ref    string
	Title  string
	Status string
}

// Sources are the records of other capabilities this one refers to; app satisfies it.
type Sources interface {
	// Members lists the members of an organisation.
	Members(ctx context.Context, orgID string) ([]Member, error)
	// Evidence resolves a piece of evidence of the actor's organisation by id or reference (EV-3).
	Evidence(ctx context.Context, actor *aims.Actor, idOrRef string) (*EvidenceInfo, error)
}

// Service manages AIMS roles, competences, training courses and training records.
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

// Named names a role, competence or course.
type Named struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// PersonRef names a member of the organisation.
type PersonRef struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

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

// checkDate trims an optional date and records a problem when it is not YYYY-MM-DD.
func checkDate(p *aims.Problems, field string, v *string) (time.Time, bool) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, *v)
	if err != nil {
		p.Add(field, "must be a date written YYYY-MM-DD, such as 2026-03-02")
		return time.Time{}, false
	}
	return t, true
}

// AddMonths returns the day months after day, kept within the month it
// lands in: 2026-01-31 plus one month is 2026-02-28, not 2026-03-03.
func AddMonths(day time.Time, months int) time.Time {
	y, m, d := day.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// nameKey is the form of a name used to keep names unique in an organisation.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// mustJSON encodes values that always encode: strings, numbers and lists of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

func nameTaken(field, what string) error {
	return &aims.Error{Code: aims.CodeConflict, Message: field + " in use",
		Fields: []aims.FieldError{{Field: field, Message: "is already the " + field + " of another " + what}}}
}

// today is the clock's date as YYYY-MM-DD, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// keyOf says which column an id or reference is looked up by, and the key to look up.
func keyOf(alias, idOrRef string) (col, key string) {
	v := strings.TrimSpace(idOrRef)
	if aims.ValidID(v) {
		return alias + ".id", strings.ToLower(v)
	}
	return alias + ".ref", strings.ToUpper(v)
}

// inList is an SQL IN list of placeholders for the values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// members lists the organisation's members, by user id.
func (s *Service) members(ctx context.Context, orgID string) (map[string]Member, []Member, error) {
	ms, err := s.sources.Members(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	by := make(map[string]Member, len(ms))
	for _, m := range ms {
		by[m.UserID] = m
	}
	return by, ms, nil
}

// findMember finds a member by user id or email, ignoring case.
func findMember(ms []Member, key string) (Member, bool) {
	key = strings.TrimSpace(key)
	for _, m := range ms {
		if strings.EqualFold(m.UserID, key) || strings.EqualFold(m.Email, key) {
			return m, true
		}
	}
	return Member{}, false
}

func personOf(m Member) PersonRef { return PersonRef{UserID: m.UserID, Name: m.Name, Email: m.Email} }

// setStatus archives or restores a row of table with its audit event; it changes nothing when the status is already so.
func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, table, object, action, id, ref, status string) error {
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM `+table+` WHERE id = ? AND org_id = ?`, id, actor.OrgID).Scan(&current); err != nil {
			return err
		}
		if current == status {
			return nil
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, archivedAt, now, id, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: object, ID: id, Ref: ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(current), After: mustJSON(status)}})
	})
}

// checkPage fills the default page size and checks the paging parameters.
func checkPage(p *aims.Problems, limit *int, offset int) {
	if *limit == 0 {
		*limit = 50
	}
	if *limit < 1 || *limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if offset < 0 {
		p.Add("offset", "must not be negative")
	}
}

// checkStatus fills the default status filter and checks it.
func checkStatus(p *aims.Problems, status *string) {
	if *status == "" {
		*status = StatusActive
	}
	if *status != StatusActive && *status != StatusArchived && *status != "all" {
		p.Add("status", "must be active, archived or all")
	}
}
