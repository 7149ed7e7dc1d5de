package orgcontext

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Draft is the context being prepared for the next approval.
type Draft struct {
	Content
	Version   int        `json:"version" doc:"Increases with every saved change; send it back when saving or approving. 0 while nothing was saved."`
	UpdatedAt *time.Time `json:"updated_at" doc:"When it was last saved; absent while nothing was saved."`
	UpdatedBy string     `json:"updated_by" doc:"Who last saved it."`
	// InForce is the number of the approved version in force; 0 when none is approved.
	InForce int `json:"in_force" doc:"The number of the approved version in force; 0 when none is approved."`
	// Changed tells whether the draft differs from the version in force.
	Changed bool `json:"changed" doc:"Whether the draft differs from the version in force (always true while none is approved)."`
	// Missing lists what approval still needs.
	Missing []string `json:"missing" doc:"What must be filled in before the draft can be approved; empty when it can be."`
}

// DraftRequest replaces the whole draft content, if the draft has not changed since the version it is based on.
type DraftRequest struct {
	Version int `json:"version" minimum:"0" doc:"The draft's version as you read it (0 for a draft never saved)."`
	Content
}

// Draft returns the organisation's draft; an organisation that never saved one gets an empty draft of version 0.
func (s *Service) Draft(ctx context.Context, actor *aims.Actor) (*Draft, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.draft(ctx, s.db, actor.OrgID)
}

// draft reads an organisation's draft and compares it with the version in force.
func (s *Service) draft(ctx context.Context, q db.Queryer, orgID string) (*Draft, error) {
	d := &Draft{Content: empty()}
	var content string
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT d.content, d.version, d.updated_at, COALESCE(u.email, d.updated_by)
		FROM context_drafts d LEFT JOIN users u ON u.id = d.updated_by WHERE d.org_id = ?`, orgID).
		Scan(&content, &d.Version, &at, &d.UpdatedBy)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return nil, err
	default:
		if err := decode(content, &d.Content); err != nil {
			return nil, err
		}
		at = at.UTC()
		d.UpdatedAt = &at
	}
	latest, err := s.latest(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	d.Changed = true
	if latest != nil {
		d.InForce = latest.Number
		d.Changed = !reflect.DeepEqual(d.Content, latest.Content)
	}
	d.Missing = missing(&d.Content)
	return d, nil
}

// decode reads stored content.
func decode(raw string, c *Content) error {
	if err := json.Unmarshal([]byte(raw), c); err != nil {
		return fmt.Errorf("cannot read stored context: %w", err)
	}
	c.fill()
	return nil
}

// missing says what an approval still needs.
func missing(c *Content) []string {
	out := []string{}
	if c.Scope.Statement == "" {
		out = append(out, "the scope statement")
	}
	if c.Climate.Decision == ClimateUndecided {
		out = append(out, "the decision on whether climate change is a relevant issue")
	}
	return out
}

// SaveDraft replaces the draft content. Saving what is already there changes nothing and records nothing.
func (s *Service) SaveDraft(ctx context.Context, actor *aims.Actor, req DraftRequest) (*Draft, error) {
	if err := identity.Authorize(actor, identity.ActDocumentEdit); err != nil {
		return nil, err
	}
	after := req.Content
	var p aims.Problems
	if req.Version < 0 {
		p.Add("version", "must not be negative")
	}
	if err := s.normalise(ctx, actor, &after, &p); err != nil {
		return nil, fmt.Errorf("cannot save the draft context: %w", err)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	after.fill()
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		if err := lockDraft(ctx, tx, actor.OrgID, now); err != nil {
			return err
		}
		before, err := s.draft(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		if req.Version != before.Version {
			return staleVersion(before.Version, req.Version)
		}
		ch, err := tlog.Changes(before.Content.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE context_drafts SET content = ?, version = version + 1, updated_at = ?, updated_by = ?
			WHERE org_id = ?`, string(mustJSON(after)), now, actorID(actor), actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionEdit,
			tlog.EventObject{Type: ObjectDraft, ID: actor.OrgID, Ref: "Context draft"}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot save the draft context: %w", err)
	}
	return s.draft(ctx, s.db, actor.OrgID)
}

// lockDraft makes the organisation's draft row if it has none and locks it,
// so that saves and approvals run one at a time.
func lockDraft(ctx context.Context, tx *db.Tx, orgID string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO context_drafts (org_id, content, version, updated_at, updated_by)
		VALUES (?, ?, 0, ?, '') ON CONFLICT (org_id) DO NOTHING`, orgID, string(mustJSON(empty())), now); err != nil {
		return fmt.Errorf("cannot make the draft: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE context_drafts SET version = version WHERE org_id = ?`, orgID); err != nil {
		return fmt.Errorf("cannot lock the draft: %w", err)
	}
	return nil
}

// actorID is who saved: the person, or the system actor's name.
func actorID(a *aims.Actor) string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.Name
}

// History returns the audit events of the draft and of the approved versions, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	evs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectDraft, ObjectID: actor.OrgID, Limit: 200})
	if err != nil {
		return nil, err
	}
	approvals, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectVersion, Limit: 200})
	if err != nil {
		return nil, err
	}
	evs = append(evs, approvals...)
	sortNewestFirst(evs)
	return evs, nil
}

func sortNewestFirst(evs []tlog.Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
}
