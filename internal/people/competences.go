package people

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Competence is an ability the organisation needs of people whose work affects its AI systems (7.2).
type Competence struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"Short reference such as COMP-3."`
	Name        string `json:"name" doc:"Unique in the organisation, ignoring case."`
	Description string `json:"description"`
	// RequiredBy and ConferredBy are the active roles that require it and the courses that confer it.
	RequiredBy  []Named    `json:"required_by" doc:"The active AIMS roles that require the competence."`
	ConferredBy []Named    `json:"conferred_by" doc:"The active courses whose completion confers the competence."`
	Status      string     `json:"status" enum:"active,archived"`
	Version     int        `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ArchivedAt  *time.Time `json:"archived_at"`
}

// CompetenceRequest describes a new competence; the name is required.
type CompetenceRequest struct {
	Name        string `json:"name" minLength:"1" maxLength:"200" doc:"Such as Statistics, or EU AI Act obligations."`
	Description string `json:"description,omitempty" maxLength:"10000" doc:"What someone with the competence knows and can do."`
}

// CompetenceUpdate changes the fields it names, if the competence has not changed since the version it is based on.
type CompetenceUpdate struct {
	Version     int     `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name        *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Description *string `json:"description,omitempty" maxLength:"10000"`
}

func (c *Competence) normalise(p *aims.Problems) {
	text(p, "name", &c.Name, true, maxName)
	text(p, "description", &c.Description, false, maxLongText)
}

type auditCompetence struct {
	Ref         string `json:"ref"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (c *Competence) audit() auditCompetence {
	return auditCompetence{Ref: c.Ref, Name: c.Name, Description: c.Description}
}

const selectCompetence = `SELECT c.id, c.ref, c.name, c.description, c.status, c.version, c.created_at, c.updated_at, c.archived_at
	FROM competences c`

func scanCompetence(scan func(...any) error) (*Competence, error) {
	var c Competence
	err := scan(&c.ID, &c.Ref, &c.Name, &c.Description, &c.Status, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.ArchivedAt)
	return &c, err
}

func (s *Service) getCompetence(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Competence, error) {
	col, key := keyOf("c", idOrRef)
	c, err := scanCompetence(q.QueryRowContext(ctx, selectCompetence+` WHERE c.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("competence", idOrRef)
	}
	return c, err
}

// CreateCompetence records a competence.
func (s *Service) CreateCompetence(ctx context.Context, actor *aims.Actor, req CompetenceRequest) (*Competence, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	c := &Competence{Name: req.Name, Description: req.Description, Status: StatusActive}
	var p aims.Problems
	c.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, competencePrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		c.ID, c.Ref, c.Version = aims.NewID(), ref, 1
		_, err = tx.ExecContext(ctx, `INSERT INTO competences (id, org_id, ref, name, name_key, description, status, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, actor.OrgID, c.Ref, c.Name, nameKey(c.Name), c.Description, c.Status, c.Version, now, now)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "competence")
		}
		if err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, c.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCompetenceCreate, tlog.EventObject{Type: ObjectCompetence, ID: c.ID, Ref: c.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record competence: %w", err)
	}
	return s.GetCompetence(ctx, actor, c.ID)
}

// GetCompetence returns a competence by id or reference, with the roles that require it and the courses that confer it.
func (s *Service) GetCompetence(ctx context.Context, actor *aims.Actor, idOrRef string) (*Competence, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	c, err := s.getCompetence(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if c.RequiredBy, err = links(ctx, s.db, `SELECT r.id, r.ref, r.name FROM aims_role_competences x JOIN aims_roles r ON r.id = x.role_id
		WHERE x.org_id = ? AND x.competence_id = ? AND r.status = 'active' ORDER BY r.name_key`, actor.OrgID, c.ID); err != nil {
		return nil, err
	}
	if c.ConferredBy, err = links(ctx, s.db, `SELECT k.id, k.ref, k.title FROM course_competences x JOIN training_courses k ON k.id = x.course_id
		WHERE x.org_id = ? AND x.competence_id = ? AND k.status = 'active' ORDER BY k.title_key`, actor.OrgID, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// links reads id, ref and name rows.
func links(ctx context.Context, q db.Queryer, query string, args ...any) ([]Named, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Named{}
	for rows.Next() {
		var l Named
		if err := rows.Scan(&l.ID, &l.Ref, &l.Name); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// UpdateCompetence changes the fields the request names.
func (s *Service) UpdateCompetence(ctx context.Context, actor *aims.Actor, idOrRef string, req CompetenceUpdate) (*Competence, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getCompetence(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if before.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		after := *before
		if req.Name != nil {
			after.Name = *req.Name
		}
		if req.Description != nil {
			after.Description = *req.Description
		}
		var p aims.Problems
		after.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE competences SET name = ?, name_key = ?, description = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND version = ?`, after.Name, nameKey(after.Name), after.Description, s.clock(), before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "competence")
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCompetenceUpdate, tlog.EventObject{Type: ObjectCompetence, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update competence %s: %w", idOrRef, err)
	}
	return s.GetCompetence(ctx, actor, id)
}

// ArchiveCompetence takes a competence out of use: roles no longer require it and no gap is counted for it.
func (s *Service) ArchiveCompetence(ctx context.Context, actor *aims.Actor, idOrRef string) (*Competence, error) {
	return s.setCompetenceStatus(ctx, actor, idOrRef, StatusArchived)
}

// RestoreCompetence returns an archived competence to use.
func (s *Service) RestoreCompetence(ctx context.Context, actor *aims.Actor, idOrRef string) (*Competence, error) {
	return s.setCompetenceStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setCompetenceStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Competence, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	c, err := s.getCompetence(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionCompetenceArch, StatusActive: ActionCompetenceRest}[status]
	if err := s.setStatus(ctx, actor, "competences", ObjectCompetence, action, c.ID, c.Ref, status); err != nil {
		return nil, fmt.Errorf("cannot change competence %s: %w", c.Ref, err)
	}
	return s.GetCompetence(ctx, actor, c.ID)
}

// CompetenceQuery filters the competences.
type CompetenceQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, name or description."`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
}

// ListCompetences returns the organisation's competences by name.
func (s *Service) ListCompetences(ctx context.Context, actor *aims.Actor, q CompetenceQuery) ([]Competence, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkStatus(&p, &q.Status)
	if err := p.Err(); err != nil {
		return nil, err
	}
	cond, args := " WHERE c.org_id = ?", []any{actor.OrgID}
	if q.Status != "all" {
		cond, args = cond+" AND c.status = ?", append(args, q.Status)
	}
	rows, err := s.db.QueryContext(ctx, selectCompetence+cond+` ORDER BY c.name_key`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	words := strings.Fields(strings.ToLower(q.Q))
	out := []Competence{}
	for rows.Next() {
		c, err := scanCompetence(rows.Scan)
		if err != nil {
			return nil, err
		}
		if matches(words, c.Ref, c.Name, c.Description) {
			out = append(out, *c)
		}
	}
	return out, rows.Err()
}

// matches reports whether every word appears in one of the texts, ignoring case.
func matches(words []string, texts ...string) bool {
	all := strings.ToLower(strings.Join(texts, "\n"))
	for _, w := range words {
		if !strings.Contains(all, w) {
			return false
		}
	}
	return true
}

// CompetenceHistory returns the audit events about a competence, newest first.
func (s *Service) CompetenceHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	c, err := s.GetCompetence(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectCompetence, ObjectID: c.ID, Limit: 500})
}

// resolveCompetences finds the competences a request names by reference,
// id or name, recording a problem for each it cannot find or that is
// archived (unless before already has it).
func (s *Service) resolveCompetences(ctx context.Context, q db.Queryer, orgID, field string, keys []string, before []Named, p *aims.Problems) ([]Named, error) {
	out := []Named{}
	seen := map[string]bool{}
	had := map[string]bool{}
	for _, l := range before {
		had[l.ID] = true
	}
	for _, key := range keys {
		if key = strings.TrimSpace(key); key == "" {
			continue
		}
		c, err := s.getCompetence(ctx, q, orgID, key)
		if aims.CodeOf(err) == aims.CodeNotFound {
			c, err = scanCompetence(q.QueryRowContext(ctx, selectCompetence+` WHERE c.org_id = ? AND c.name_key = ?`, orgID, nameKey(key)).Scan)
			if db.IsNoRows(err) {
				p.Add(field, "names %s, which is not a competence of this organisation", key)
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if c.Status != StatusActive && !had[c.ID] {
			p.Add(field, "names %s, which is archived", c.Ref)
			continue
		}
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, Named{ID: c.ID, Ref: c.Ref, Name: c.Name})
		}
	}
	if len(out) > maxItems {
		p.Add(field, "must list at most %d", maxItems)
	}
	sortLinks(out)
	return out, nil
}

// sortLinks orders links by name, ignoring case.
func sortLinks(ls []Named) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && strings.ToLower(ls[j].Name) < strings.ToLower(ls[j-1].Name); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

func refsOf(ls []Named) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Ref
	}
	return out
}
