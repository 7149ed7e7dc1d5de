package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Review is a management review: the meeting, who took part, the period it
// looks back on, its inputs, decisions and actions, and its sign-off.
type Review struct {
	ID        string   `json:"id"`
	Ref       string   `json:"ref" doc:"Short reference such as MR-2."`
	Title     string   `json:"title"`
	PlannedOn string   `json:"planned_on" doc:"The planned date, YYYY-MM-DD."`
	HeldOn    string   `json:"held_on" doc:"When the meeting was held, YYYY-MM-DD; empty until recorded."`
	Chair     Person   `json:"chair" doc:"The member of top management who chairs the review and signs it off."`
	Attendees []Person `json:"attendees" doc:"Members who attend."`
	Guests    []string `json:"guests" doc:"Others who attend, named in words."`
	Notes     string   `json:"notes" doc:"What was discussed, as minutes."`
	Status    string   `json:"status" enum:"draft,signed_off"`
	// PeriodFrom is the start of the period the review covers: the day the
	// previous review was signed off; empty when it covers everything from the start.
	PeriodFrom  string     `json:"period_from" doc:"Start of the period covered, YYYY-MM-DD: the sign-off of the previous review; empty for the first review."`
	SignedOffBy *Person    `json:"signed_off_by"`
	SignedOffAt *time.Time `json:"signed_off_at"`
	Decisions   []Decision `json:"decisions"`
	Actions     []Action   `json:"actions"`
	// Inputs are compiled live while the review is a draft, and are those stored at sign-off afterwards.
	Inputs    *Inputs   `json:"inputs,omitempty" doc:"Compiled live while a draft; as stored at sign-off once signed off. Left out of lists."`
	Version   int       `json:"version" doc:"Increases with every change to the review's own fields; send it back when updating or signing off."`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Request describes a new management review; title, planned date and chair are required.
type Request struct {
	Title     string   `json:"title" minLength:"1" maxLength:"200" doc:"Such as Management review 2026."`
	PlannedOn string   `json:"planned_on" doc:"The planned date, YYYY-MM-DD."`
	HeldOn    string   `json:"held_on,omitempty" doc:"When it was held, YYYY-MM-DD; not in the future."`
	Chair     string   `json:"chair" doc:"The chair, by user id or email: an owner or manager, who alone signs the review off."`
	Attendees []string `json:"attendees,omitempty" maxItems:"100" doc:"Members who attend, by user id or email."`
	Guests    []string `json:"guests,omitempty" maxItems:"100" doc:"Others who attend, such as External consultant (Jane Roe)."`
	Notes     string   `json:"notes,omitempty" maxLength:"10000" doc:"Minutes of the discussion."`
}

// Update changes the fields it names, if the review has not changed since
// the version it is based on. A signed-off review cannot change.
type Update struct {
	Version   int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title     *string   `json:"title,omitempty" minLength:"1" maxLength:"200"`
	PlannedOn *string   `json:"planned_on,omitempty"`
	HeldOn    *string   `json:"held_on,omitempty" doc:"Empty to clear."`
	Chair     *string   `json:"chair,omitempty"`
	Attendees *[]string `json:"attendees,omitempty" maxItems:"100" doc:"Replaces the list."`
	Guests    *[]string `json:"guests,omitempty" maxItems:"100" doc:"Replaces the list."`
	Notes     *string   `json:"notes,omitempty" maxLength:"10000"`
}

// fields are a review's own fields as stored, with people by user id.
type fields struct {
	Title     string   `json:"title"`
	PlannedOn string   `json:"planned_on"`
	HeldOn    string   `json:"held_on"`
	Chair     string   `json:"chair"`
	Attendees []string `json:"attendees"`
	Guests    []string `json:"guests"`
	Notes     string   `json:"notes"`
}

// normalise trims the fields, resolves people to user ids, and records every problem.
func (f *fields) normalise(p *aims.Problems, ms []Member, orgID, today string) {
	text(p, "title", &f.Title, true, maxTitle)
	checkDate(p, "planned_on", &f.PlannedOn, true)
	checkDate(p, "held_on", &f.HeldOn, false)
	if f.HeldOn != "" && !p.Has("held_on") && f.HeldOn > today {
		p.Add("held_on", "must not be in the future")
	}
	text(p, "notes", &f.Notes, false, maxText)
	f.Chair = strings.TrimSpace(f.Chair)
	if f.Chair == "" {
		p.Add("chair", "is required")
	} else if m, ok := resolveMember(p, "chair", f.Chair, ms); ok {
		if !identity.Can(&aims.Actor{Kind: aims.ActorUser, OrgID: orgID, Role: m.Role}, identity.ActReviewSignOff) {
			p.Add("chair", "must be an owner or manager, who may sign the review off; %s is %s", m.Email, m.Role)
		}
		f.Chair = m.UserID
	}
	ids := []string{}
	seen := map[string]bool{}
	for _, a := range f.Attendees {
		if strings.TrimSpace(a) == "" {
			continue
		}
		m, ok := resolveMember(p, "attendees", a, ms)
		if ok && !seen[m.UserID] {
			seen[m.UserID] = true
			ids = append(ids, m.UserID)
		}
	}
	if len(ids) > maxPeople {
		p.Add("attendees", "must list at most %d", maxPeople)
	}
	f.Attendees = ids
	guests := []string{}
	for _, g := range f.Guests {
		g = strings.Join(strings.Fields(g), " ")
		if g == "" {
			continue
		}
		if (utf8.RuneCountInString(g) > maxName || strings.ContainsRune(g, 0)) && !p.Has("guests") {
			p.Add("guests", "must each be at most %d characters", maxName)
		}
		guests = append(guests, g)
	}
	if len(guests) > maxPeople && !p.Has("guests") {
		p.Add("guests", "must list at most %d", maxPeople)
	}
	f.Guests = guests
}

// row is a review as stored.
type row struct {
	fields
	ID, Ref, Status, PeriodFrom, Inputs, SignedOffBy string
	SignedOffAt                                      *time.Time
	LastDecision, LastAction, Version                int
	CreatedAt, UpdatedAt                             time.Time
}

const selectReview = `SELECT id, ref, title, planned_on, held_on, chair_id, attendees, guests, notes, status, period_from,
	inputs, signed_off_by, signed_off_at, last_decision, last_action, version, created_at, updated_at FROM management_reviews`

func scanRow(scan func(...any) error) (*row, error) {
	var r row
	var attendees, guests string
	if err := scan(&r.ID, &r.Ref, &r.Title, &r.PlannedOn, &r.HeldOn, &r.Chair, &attendees, &guests, &r.Notes, &r.Status,
		&r.PeriodFrom, &r.Inputs, &r.SignedOffBy, &r.SignedOffAt, &r.LastDecision, &r.LastAction, &r.Version,
		&r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attendees), &r.Attendees); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(guests), &r.Guests); err != nil {
		return nil, err
	}
	return &r, nil
}

// getRow reads a review of an organisation by id or reference.
func getRow(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*row, error) {
	col, key := "ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	r, err := scanRow(q.QueryRowContext(ctx, selectReview+` WHERE org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("management review", idOrRef)
	}
	return r, err
}

// view turns a stored review into what people see, without decisions, actions or inputs.
func (r *row) view(by map[string]Member) *Review {
	v := &Review{ID: r.ID, Ref: r.Ref, Title: r.Title, PlannedOn: r.PlannedOn, HeldOn: r.HeldOn, Chair: person(by, r.Chair),
		Attendees: []Person{}, Guests: r.Guests, Notes: r.Notes, Status: r.Status, PeriodFrom: r.PeriodFrom,
		SignedOffAt: r.SignedOffAt, Decisions: []Decision{}, Actions: []Action{}, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, id := range r.Attendees {
		v.Attendees = append(v.Attendees, person(by, id))
	}
	if r.SignedOffBy != "" {
		p := person(by, r.SignedOffBy)
		v.SignedOffBy = &p
	}
	return v
}

// Create records a draft management review.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req Request) (*Review, error) {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return nil, err
	}
	_, ms, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	f := fields{Title: req.Title, PlannedOn: req.PlannedOn, HeldOn: req.HeldOn, Chair: req.Chair, Attendees: req.Attendees,
		Guests: req.Guests, Notes: req.Notes}
	var p aims.Problems
	f.normalise(&p, ms, actor.OrgID, s.today())
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		id = aims.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO management_reviews (id, org_id, ref, title, planned_on, held_on, chair_id,
			attendees, guests, notes, status, period_from, inputs, signed_off_by, signed_off_at, last_decision, last_action,
			version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', NULL, 0, 0, 1, ?, ?)`,
			id, actor.OrgID, ref, f.Title, f.PlannedOn, f.HeldOn, f.Chair, mustJSON(f.Attendees), mustJSON(f.Guests), f.Notes,
			StatusDraft, now, now); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, auditFields{Ref: ref, fields: f})
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectReview, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record management review: %w", err)
	}
	return s.Get(ctx, actor, id)
}

// auditFields is what the audit log records of a review's own fields.
type auditFields struct {
	Ref string `json:"ref"`
	fields
}

// Update changes the fields the request names, while the review is a draft.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req Update) (*Review, error) {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return nil, err
	}
	_, ms, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status != StatusDraft {
			return frozen(before.Ref)
		}
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		after := before.fields
		for dst, src := range map[*string]*string{&after.Title: req.Title, &after.PlannedOn: req.PlannedOn, &after.HeldOn: req.HeldOn,
			&after.Chair: req.Chair, &after.Notes: req.Notes} {
			if src != nil {
				*dst = *src
			}
		}
		if req.Attendees != nil {
			after.Attendees = *req.Attendees
		}
		if req.Guests != nil {
			after.Guests = *req.Guests
		}
		var p aims.Problems
		after.normalise(&p, ms, actor.OrgID, s.today())
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(auditFields{Ref: before.Ref, fields: before.fields}, auditFields{Ref: before.Ref, fields: after})
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE management_reviews SET title = ?, planned_on = ?, held_on = ?, chair_id = ?,
			attendees = ?, guests = ?, notes = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Title, after.PlannedOn, after.HeldOn, after.Chair, mustJSON(after.Attendees), mustJSON(after.Guests), after.Notes,
			s.clock(), before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectReview, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update management review %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

// Get returns a review with its decisions, actions and inputs: compiled
// now while it is a draft, as stored at sign-off afterwards.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Review, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	by, _, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	v := r.view(by)
	if v.Decisions, err = s.decisions(ctx, s.db, actor.OrgID, r.ID, r.Ref); err != nil {
		return nil, err
	}
	if v.Actions, err = s.actions(ctx, s.db, actor.OrgID, `a.review_id = ?`, r.ID); err != nil {
		return nil, err
	}
	for i := range v.Actions {
		v.Actions[i].Owner = person(by, v.Actions[i].Owner.UserID)
	}
	if r.Status == StatusSignedOff {
		var in Inputs
		if err := json.Unmarshal([]byte(r.Inputs), &in); err != nil {
			return nil, fmt.Errorf("the stored inputs of %s do not read: %w", r.Ref, err)
		}
		v.Inputs = &in
		return v, nil
	}
	since, err := s.periodStart(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	if !since.IsZero() {
		v.PeriodFrom = since.UTC().Format(DateLayout)
	}
	if v.Inputs, err = s.compile(ctx, actor, r.ID, since); err != nil {
		return nil, err
	}
	return v, nil
}

// periodStart is when the latest signed-off review was signed off; zero when none was.
func (s *Service) periodStart(ctx context.Context, q db.Queryer, orgID string) (time.Time, error) {
	var at *time.Time
	err := q.QueryRowContext(ctx, `SELECT signed_off_at FROM management_reviews WHERE org_id = ? AND status = ?
		ORDER BY signed_off_at DESC LIMIT 1`, orgID, StatusSignedOff).Scan(&at)
	if db.IsNoRows(err) {
		return time.Time{}, nil
	}
	if err != nil || at == nil {
		return time.Time{}, err
	}
	return at.UTC(), nil
}

// List returns the organisation's reviews, the latest planned first, without their inputs.
func (s *Service) List(ctx context.Context, actor *aims.Actor) ([]Review, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	by, _, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectReview+` WHERE org_id = ? ORDER BY planned_on DESC, ref DESC`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		r, err := scanRow(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *r.view(by))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		acts, err := s.actions(ctx, s.db, actor.OrgID, `a.review_id = ?`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for j := range acts {
			acts[j].Owner = person(by, acts[j].Owner.UserID)
		}
		out[i].Actions = acts
	}
	return out, nil
}

// History returns the audit events about a review, its decisions and its actions, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	var out []tlog.Event
	for _, typ := range []string{ObjectReview, ObjectDecision, ObjectAction} {
		f := tlog.EventFilter{ObjectType: typ, Limit: 1000}
		if typ == ObjectReview {
			f.ObjectID = r.ID
		}
		evs, err := tlog.Events(ctx, s.db, actor.OrgID, f)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if typ == ObjectReview || strings.HasPrefix(ev.Object.Ref, r.Ref+"/") {
				out = append(out, ev)
			}
		}
	}
	sortNewestFirst(out)
	return out, nil
}
