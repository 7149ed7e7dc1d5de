package orgcontext

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ReviewMonths is the review interval when an approval names none.
const ReviewMonths = 12

// ApproveRequest approves the draft as the next version.
type ApproveRequest struct {
	Version      int    `json:"version" minimum:"1" doc:"The draft's version as you read it, so that you approve what you saw."`
	ReviewMonths int    `json:"review_months,omitempty" minimum:"0" maximum:"36" doc:"Months until the context is next reviewed, 1 to 36; 12 when 0 or absent."`
	Note         string `json:"note,omitempty" maxLength:"4000" doc:"What this version changes or why it was approved."`
}

// VersionInfo describes an approved version without its content.
type VersionInfo struct {
	Number       int       `json:"number"`
	Ref          string    `json:"ref" doc:"Such as Context v3."`
	Note         string    `json:"note"`
	ApprovedBy   string    `json:"approved_by" doc:"The approver's name."`
	ApprovedAt   time.Time `json:"approved_at"`
	ReviewMonths int       `json:"review_months"`
	NextReviewOn string    `json:"next_review_on" doc:"When it is next to be reviewed, YYYY-MM-DD."`
	InForce      bool      `json:"in_force" doc:"Whether this is the latest approved version."`
}

// Version is an approved, frozen version of the context.
type Version struct {
	VersionInfo
	Content Content `json:"content"`
}

// Approve freezes the draft as the next numbered version, which becomes
// the one in force, and sets the date of its next review. It is refused
// while the draft lacks the scope statement or the decision on climate
// change, or when the draft changed since the version the request names.
func (s *Service) Approve(ctx context.Context, actor *aims.Actor, req ApproveRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActDocumentApprove); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "the context is approved by a person: sign in, or use your own API token")
	}
	var p aims.Problems
	if req.Version < 1 {
		p.Add("version", "must be the draft's version as you read it (1 or more)")
	}
	if req.ReviewMonths == 0 {
		req.ReviewMonths = ReviewMonths
	}
	if req.ReviewMonths < 1 || req.ReviewMonths > 36 {
		p.Add("review_months", "must be between 1 and 36")
	}
	text(&p, "note", &req.Note, false, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var number int
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		if err := lockDraft(ctx, tx, actor.OrgID, now); err != nil {
			return err
		}
		d, err := s.draft(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		if req.Version != d.Version {
			return staleVersion(d.Version, req.Version)
		}
		if len(d.Missing) > 0 {
			return aims.Errorf(aims.CodeConflict, "the draft cannot be approved yet: fill in %s", strings.Join(d.Missing, " and "))
		}
		number = d.InForce + 1
		var approver string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, actor.UserID).Scan(&approver); err != nil {
			return fmt.Errorf("cannot read the approver's name: %w", err)
		}
		content := mustJSON(d.Content)
		sum := sha256.Sum256(content)
		next := AddMonths(now, req.ReviewMonths).Format(DateLayout)
		id := aims.NewID()
		_, err = tx.ExecContext(ctx, `INSERT INTO context_versions (id, org_id, number, content, note, approved_by,
			approved_by_name, approved_at, review_months, next_review_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, actor.OrgID, number, string(content), req.Note, actor.UserID, approver, now, req.ReviewMonths, next)
		if db.IsUniqueViolation(err) {
			return aims.Errorf(aims.CodeConflict, "version %d was approved by someone else at the same time: reload and look at it", number)
		}
		if err != nil {
			return err
		}
		changes := []tlog.Change{
			{Field: "number", After: mustJSON(number)},
			{Field: "content_sha256", After: mustJSON(hex.EncodeToString(sum[:]))},
			{Field: "review_months", After: mustJSON(req.ReviewMonths)},
			{Field: "next_review_on", After: mustJSON(next)},
		}
		if req.Note != "" {
			changes = append(changes, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionApprove,
			tlog.EventObject{Type: ObjectVersion, ID: id, Ref: versionRef(number)}, changes)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot approve the context: %w", err)
	}
	return s.version(ctx, s.db, actor.OrgID, number)
}

// AddMonths returns the calendar date months after t, in UTC; a day that
// the target month lacks becomes its last day (31 January + 1 month = 28 or 29 February).
func AddMonths(t time.Time, months int) time.Time {
	t = t.UTC()
	first := time.Date(t.Year(), t.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
}

const selectVersion = `SELECT number, note, approved_by_name, approved_at, review_months, next_review_on, content,
	(SELECT max(number) FROM context_versions m WHERE m.org_id = v.org_id) FROM context_versions v`

func scanVersion(scan func(...any) error) (*Version, error) {
	var v Version
	var content string
	var latest int
	if err := scan(&v.Number, &v.Note, &v.ApprovedBy, &v.ApprovedAt, &v.ReviewMonths, &v.NextReviewOn, &content, &latest); err != nil {
		return nil, err
	}
	v.Ref, v.InForce, v.ApprovedAt = versionRef(v.Number), v.Number == latest, v.ApprovedAt.UTC()
	if err := decode(content, &v.Content); err != nil {
		return nil, err
	}
	return &v, nil
}

// version reads an approved version by number.
func (s *Service) version(ctx context.Context, q db.Queryer, orgID string, number int) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, selectVersion+` WHERE v.org_id = ? AND v.number = ?`, orgID, number).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("context version", fmt.Sprint(number))
	}
	return v, err
}

// latest reads the version in force, or nil when none is approved.
func (s *Service) latest(ctx context.Context, q db.Queryer, orgID string) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, selectVersion+` WHERE v.org_id = ? ORDER BY v.number DESC LIMIT 1`, orgID).Scan)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return v, err
}

// all reads every approved version, oldest first.
func (s *Service) all(ctx context.Context, orgID string) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, selectVersion+` WHERE v.org_id = ? ORDER BY v.number`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		v, err := scanVersion(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// Version returns an approved version by number.
func (s *Service) Version(ctx context.Context, actor *aims.Actor, number int) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.version(ctx, s.db, actor.OrgID, number)
}

// Versions lists the approved versions, newest first.
func (s *Service) Versions(ctx context.Context, actor *aims.Actor) ([]VersionInfo, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	vs, err := s.all(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	out := make([]VersionInfo, len(vs))
	for i, v := range vs {
		out[len(vs)-1-i] = v.VersionInfo
	}
	return out, nil
}
