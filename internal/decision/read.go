package decision

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// Query searches a system's decisions, newest first.
type Query struct {
	From time.Time `query:"from" doc:"Only decisions made at or after this time (RFC 3339)."`
	To   time.Time `query:"to" doc:"Only decisions made before this time (RFC 3339)."`
	// Model is a model version's id, key or label.
	Model   string `query:"model" doc:"Only decisions of this model version: its id, key such as MDL-1@1.4.0, or label."`
	Output  string `query:"output" doc:"Only decisions with this output label."`
	Subject string `query:"subject" doc:"Only decisions about this subject pseudonym."`
	Review  string `query:"review" enum:"any,none,reviewed,agreed,overridden" doc:"Only decisions a person reviewed (reviewed, agreed, overridden) or did not (none)."`
	// Before is the index to continue before, from the previous page's Next.
	Before int64 `query:"before" doc:"Continue with decisions before this index (the previous page's next)."`
	Limit  int   `query:"limit" doc:"How many decisions to return, 1 to 500; 50 when absent."`
}

// Summary is one decision as a search lists it.
type Summary struct {
	Index       int64     `json:"index"`
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	ReceivedAt  time.Time `json:"received_at"`
	ModelID     string    `json:"model_version_id"`
	ModelKey    string    `json:"model_version"`
	OutputLabel string    `json:"output_label,omitempty"`
	OutputScore *float64  `json:"output_score,omitempty"`
	Confidence  *float64  `json:"confidence,omitempty"`
	Review      string    `json:"review,omitempty" doc:"agreed or overridden when a person reviewed it."`
	Subject     string    `json:"subject,omitempty"`
	// Erased says the record's payload was erased; the log still proves it.
	Erased bool `json:"erased,omitempty"`
}

// Page is a page of decisions.
type Page struct {
	System string    `json:"system"`
	Size   int64     `json:"size" doc:"How many decisions the system's log holds."`
	Items  []Summary `json:"items"`
	// Next is the Before of the next page; absent on the last page.
	Next *int64 `json:"next,omitempty"`
}

const summaryColumns = `idx, client_id, decided_at, received_at, model_version_id, output_label, output_score, confidence, review, subject, erased_at`

func scanSummary(scan func(...any) error) (*Summary, error) {
	var s Summary
	var label, subject *string
	var erased *time.Time
	if err := scan(&s.Index, &s.ID, &s.Time, &s.ReceivedAt, &s.ModelID, &label, &s.OutputScore, &s.Confidence,
		&s.Review, &subject, &erased); err != nil {
		return nil, err
	}
	s.OutputLabel, s.Subject, s.Erased = deref(label), deref(subject), erased != nil
	s.Time, s.ReceivedAt = s.Time.UTC(), s.ReceivedAt.UTC()
	return &s, nil
}

// List searches a system's decisions, newest first.
func (s *Service) List(ctx context.Context, actor *aims.Actor, systemRef string, q Query) (*Page, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionRead, systemRef)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 500 {
		p.Add("limit", "must be between 1 and 500")
	}
	if q.Before < 0 {
		p.Add("before", "must not be negative")
	}
	switch q.Review {
	case "", "any", "none", "reviewed", ReviewAgreed, ReviewOverridden:
	default:
		p.Add("review", "must be any, none, reviewed, agreed or overridden")
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		p.Add("to", "must be after from")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	page := &Page{System: sys.Ref, Items: []Summary{}}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err != nil || l == nil {
		return page, err
	}
	page.Size = l.Size
	where := []string{"log_no = ?"}
	args := []any{l.No}
	if q.Before > 0 {
		where, args = append(where, "idx < ?"), append(args, q.Before)
	}
	if !q.From.IsZero() {
		where, args = append(where, "decided_at >= ?"), append(args, q.From.UTC())
	}
	if !q.To.IsZero() {
		where, args = append(where, "decided_at < ?"), append(args, q.To.UTC())
	}
	if m := strings.TrimSpace(q.Model); m != "" {
		v, err := s.models.Resolve(ctx, actor.OrgID, sys.ID, m)
		if err != nil {
			if aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid {
				return page, nil // no decision names a version that does not exist
			}
			return nil, err
		}
		where, args = append(where, "model_version_id = ?"), append(args, v.ID)
	}
	if o := strings.TrimSpace(q.Output); o != "" {
		where, args = append(where, "output_label = ?"), append(args, o)
	}
	if sub := strings.TrimSpace(q.Subject); sub != "" {
		where, args = append(where, "subject = ?"), append(args, sub)
	}
	switch q.Review {
	case "none":
		where = append(where, "review = ''")
	case "reviewed":
		where = append(where, "review <> ''")
	case ReviewAgreed, ReviewOverridden:
		where, args = append(where, "review = ?"), append(args, q.Review)
	}
	args = append(args, q.Limit+1)
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColumns+` FROM decisions WHERE `+strings.Join(where, " AND ")+
		` ORDER BY idx DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanSummary(rows.Scan)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Items) > q.Limit {
		page.Items = page.Items[:q.Limit]
		next := page.Items[q.Limit-1].Index
		page.Next = &next
	}
	return page, s.fillKeys(ctx, actor.OrgID, page.Items)
}

// fillKeys names the model versions of decisions.
func (s *Service) fillKeys(ctx context.Context, orgID string, items []Summary) error {
	var ids []string
	seen := map[string]bool{}
	for _, d := range items {
		if !seen[d.ModelID] {
			seen[d.ModelID] = true
			ids = append(ids, d.ModelID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	keys, err := s.models.Keys(ctx, orgID, ids)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].ModelKey = keys[items[i].ModelID]
	}
	return nil
}

// Decision is one decision in full: the record, its outcomes and whether
// sensitive attributes were recorded for it.
type Decision struct {
	Summary
	System string `json:"system"`
	// RecordHash is the hex SHA-256 of the canonical record the log commits to.
	RecordHash string `json:"record_hash"`
	// Record is the canonical record; nil once erased.
	Record    *Stored    `json:"record,omitempty"`
	ErasedAt  *time.Time `json:"erased_at,omitempty"`
	Sensitive bool       `json:"sensitive_attributes" doc:"Sensitive attributes were recorded; they are stored apart and not shown."`
	Outcomes  []Outcome  `json:"outcomes"`
	// payload is the canonical record's bytes, for its receipt.
	payload []byte
}

// Get returns one decision of a system by log index or client id.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, systemRef, key string) (*Decision, error) {
	l, err := s.readableLog(ctx, actor, systemRef, key)
	if err != nil {
		return nil, err
	}
	return s.get(ctx, actor.OrgID, l, key)
}

// readableLog returns the log of a system whose decisions the actor may
// read; a system without a log holds no decision named key.
func (s *Service) readableLog(ctx context.Context, actor *aims.Actor, systemRef, key string) (*Log, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionRead, systemRef)
	if err != nil {
		return nil, err
	}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err == nil && l == nil {
		err = aims.NotFound("decision", key)
	}
	return l, err
}

// get finds a decision by key: digits are a log index, and then, if no
// decision has that index, a client id; anything else is a client id.
func (s *Service) get(ctx context.Context, orgID string, l *Log, key string) (*Decision, error) {
	var hash, payload []byte
	var erasedAt *time.Time
	var sensitive bool
	find := func(where string, arg any) (*Summary, error) {
		return scanSummary(func(dest ...any) error {
			return s.db.QueryRowContext(ctx, `SELECT `+summaryColumns+`, record_hash, payload, erased_at,
			EXISTS (SELECT 1 FROM decision_attributes a WHERE a.log_no = d.log_no AND a.idx = d.idx)
			FROM decisions d WHERE log_no = ? AND `+where, l.No, arg).Scan(append(dest, &hash, &payload, &erasedAt, &sensitive)...)
		})
	}
	var d *Summary
	err := db.ErrNoRows
	if n, perr := strconv.ParseInt(key, 10, 64); perr == nil && n >= 0 {
		d, err = find("idx = ?", n)
	}
	if db.IsNoRows(err) {
		d, err = find("client_id = ?", key)
	}
	if db.IsNoRows(err) {
		return nil, aims.NotFound("decision", key)
	}
	if err != nil {
		return nil, err
	}
	out := &Decision{Summary: *d, System: l.SystemRef, RecordHash: fmt.Sprintf("%x", hash), ErasedAt: erasedAt, Sensitive: sensitive,
		payload: payload}
	if payload != nil {
		if out.Record, err = ParseRecord(payload); err != nil {
			return nil, err
		}
	}
	items := []Summary{out.Summary}
	if err := s.fillKeys(ctx, orgID, items); err != nil {
		return nil, err
	}
	out.Summary = items[0]
	if out.Outcomes, err = outcomesOf(ctx, s.db, l.No, d.Index); err != nil {
		return nil, err
	}
	return out, nil
}
