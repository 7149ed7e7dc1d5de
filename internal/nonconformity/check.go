package nonconformity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Check is an effectiveness check of a nonconformity's corrective actions; it never changes once recorded.
type Check struct {
	ID        string `json:"id"`
	Ref       string `json:"ref" doc:"The nonconformity's reference and the check's number, such as NC-4/E1."`
	Number    int    `json:"number"`
	CheckedOn string `json:"checked_on" doc:"YYYY-MM-DD."`
	CheckedBy string `json:"checked_by" doc:"User id of the member who checked."`
	Effective bool   `json:"effective"`
	// Evidence names what shows the result, such as EV-12 or a document reference.
	Evidence []string `json:"evidence"`
	Notes    string   `json:"notes"`
	// ActionsChecked is how many corrective actions the nonconformity had when checked.
	ActionsChecked int       `json:"actions_checked"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// CheckRequest records an effectiveness check. A check that finds the
// actions not effective sends the nonconformity back to action planning
// and needs notes that say why.
type CheckRequest struct {
	CheckedOn string   `json:"checked_on,omitempty" doc:"YYYY-MM-DD; today when left out."`
	CheckedBy string   `json:"checked_by,omitempty" doc:"User id of the member who checked; you when left out."`
	Effective bool     `json:"effective,omitempty"`
	Evidence  []string `json:"evidence,omitempty" doc:"References of what shows the result, such as EV-12."`
	Notes     string   `json:"notes,omitempty" maxLength:"10000" doc:"Required when not effective: why, and what must be planned again."`
}

// AddCheck records an effectiveness check of a nonconformity whose actions are all done.
func (s *Service) AddCheck(ctx context.Context, actor *aims.Actor, idOrRef string, req CheckRequest) (*Check, error) {
	if err := identity.Authorize(actor, identity.ActNCClose); err != nil {
		return nil, err
	}
	var out *Check
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		n, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, 0)
		if err != nil {
			return err
		}
		if n.Status != StatusVerifying {
			return aims.Errorf(aims.CodeConflict, "%s is %s: its effectiveness can be checked once every corrective action is done",
				n.Ref, strings.ToLower(Label(Statuses, n.Status)))
		}
		c := &Check{CheckedOn: req.CheckedOn, CheckedBy: strings.TrimSpace(req.CheckedBy), Effective: req.Effective, Notes: req.Notes}
		var p aims.Problems
		if strings.TrimSpace(c.CheckedOn) == "" {
			c.CheckedOn = s.today()
		}
		checkDate(&p, "checked_on", &c.CheckedOn, true)
		if !p.Has("checked_on") && c.CheckedOn > s.today() {
			p.Add("checked_on", "must not be in the future")
		}
		if c.CheckedBy == "" {
			c.CheckedBy = actor.UserID
		} else if err := s.checkMember(ctx, actor.OrgID, "checked_by", c.CheckedBy, &p); err != nil {
			return err
		}
		c.Evidence = list(&p, "evidence", req.Evidence)
		text(&p, "notes", &c.Notes, !c.Effective, maxText)
		if err := p.Err(); err != nil {
			return err
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT last_check FROM nonconformities WHERE id = ?`, n.ID).Scan(&last); err != nil {
			return err
		}
		now := s.clock()
		c.ID, c.Number, c.ActionsChecked, c.CreatedBy, c.CreatedAt = aims.NewID(), last+1, len(n.Actions), actor.UserID, now
		c.Ref = n.Ref + "/E" + strconv.Itoa(c.Number)
		effective := 0
		if c.Effective {
			effective = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO nc_checks (id, org_id, nc_id, number, checked_on, checked_by, effective, evidence,
			notes, actions_checked, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, actor.OrgID, n.ID, c.Number, c.CheckedOn, c.CheckedBy, effective, string(mustJSON(c.Evidence)), c.Notes,
			c.ActionsChecked, c.CreatedBy, now); err != nil {
			return err
		}
		status, reason := StatusVerifying, n.ReplanReason
		if !c.Effective {
			status, reason = StatusPlanned, c.Notes
		}
		if _, err := tx.ExecContext(ctx, `UPDATE nonconformities SET last_check = ?, replan_reason = ? WHERE id = ?`, c.Number, reason, n.ID); err != nil {
			return err
		}
		if err := s.bump(ctx, tx, actor.OrgID, n, status); err != nil {
			return err
		}
		ch := []tlog.Change{{Field: "ref", After: mustJSON(c.Ref)}, {Field: "checked_on", After: mustJSON(c.CheckedOn)},
			{Field: "checked_by", After: mustJSON(c.CheckedBy)}, {Field: "effective", After: mustJSON(c.Effective)},
			{Field: "evidence", After: mustJSON(c.Evidence)}, {Field: "notes", After: mustJSON(c.Notes)}}
		if status != n.Status {
			ch = append(ch, tlog.Change{Field: "nonconformity.status", Before: mustJSON(n.Status), After: mustJSON(status)})
		}
		out = c
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCheck, tlog.EventObject{Type: ObjectCheck, ID: c.ID, Ref: c.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record effectiveness check of %s: %w", idOrRef, err)
	}
	return out, nil
}

// checks reads the effectiveness checks of a nonconformity, oldest first.
func (s *Service) checks(ctx context.Context, q db.Queryer, orgID string, n *Nonconformity) ([]Check, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, number, checked_on, checked_by, effective, evidence, notes, actions_checked, created_by, created_at
		FROM nc_checks WHERE org_id = ? AND nc_id = ? ORDER BY number`, orgID, n.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Check{}
	for rows.Next() {
		var c Check
		var effective int
		var evidence string
		if err := rows.Scan(&c.ID, &c.Number, &c.CheckedOn, &c.CheckedBy, &effective, &evidence, &c.Notes, &c.ActionsChecked,
			&c.CreatedBy, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.Effective = effective == 1
		c.Ref = n.Ref + "/E" + strconv.Itoa(c.Number)
		if err := jsonList(evidence, &c.Evidence); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
