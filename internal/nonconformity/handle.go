package nonconformity

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// UpdateRequest changes the fields it names, if the nonconformity has not
// changed since the version it is based on: its description, the
// correction and the root cause analysis.
type UpdateRequest struct {
	Version     int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title       *string   `json:"title,omitempty" minLength:"1" maxLength:"200"`
	Description *string   `json:"description,omitempty" maxLength:"10000"`
	SourceRef   *string   `json:"source_ref,omitempty" maxLength:"100"`
	Severity    *string   `json:"severity,omitempty" enum:"minor,major"`
	Clauses     *[]string `json:"clauses,omitempty"`
	Controls    *[]string `json:"controls,omitempty"`
	Systems     *[]string `json:"systems,omitempty" doc:"AI systems by reference or id; replaces the list."`
	OwnerID     *string   `json:"owner_id,omitempty"`
	Correction  *string   `json:"correction,omitempty" maxLength:"10000" doc:"What was done at once: the fix, containment, dealing with consequences."`
	RootCause   *string   `json:"root_cause,omitempty" maxLength:"10000"`
	RCAMethod   *string   `json:"rca_method,omitempty" maxLength:"200" doc:"Such as five whys or fishbone."`
	Similar     *string   `json:"similar,omitempty" maxLength:"10000" doc:"Whether similar nonconformities exist or could occur elsewhere."`
}

// lockOpen reads a nonconformity in tx for a change based on version sent
// (any version when sent is 0), refusing one that is closed.
func (s *Service) lockOpen(ctx context.Context, tx *db.Tx, orgID, idOrRef string, sent int) (*Nonconformity, error) {
	n, err := s.get(ctx, tx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if sent != 0 && sent != n.Version {
		return nil, staleVersion(n.Ref, n.Version, sent)
	}
	if n.Status == StatusClosed {
		return nil, aims.Errorf(aims.CodeConflict, "%s is closed: it takes no more changes", n.Ref)
	}
	return n, nil
}

// bump raises the nonconformity's version and sets its status, refusing
// when someone changed it in between.
func (s *Service) bump(ctx context.Context, tx *db.Tx, orgID string, n *Nonconformity, status string) error {
	res, err := tx.ExecContext(ctx, `UPDATE nonconformities SET status = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND org_id = ? AND version = ?`, status, s.clock(), n.ID, orgID, n.Version)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return staleVersion(n.Ref, n.Version+1, n.Version)
	}
	n.Version++
	return nil
}

// Update changes the nonconformity's description, correction and root cause analysis.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Nonconformity, error) {
	if err := identity.Authorize(actor, identity.ActNCEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, req.Version)
		if err != nil {
			return err
		}
		id = before.ID
		after := *before
		for dst, src := range map[*string]*string{&after.Title: req.Title, &after.Description: req.Description,
			&after.SourceRef: req.SourceRef, &after.Severity: req.Severity, &after.OwnerID: req.OwnerID,
			&after.Correction: req.Correction, &after.RootCause: req.RootCause, &after.RCAMethod: req.RCAMethod, &after.Similar: req.Similar} {
			if src != nil {
				*dst = *src
			}
		}
		if req.Clauses != nil {
			after.Clauses = *req.Clauses
		}
		if req.Controls != nil {
			after.Controls = *req.Controls
		}
		systems := make([]string, len(before.Systems))
		for i, sys := range before.Systems {
			systems[i] = sys.ID
		}
		if req.Systems != nil {
			systems = *req.Systems
		}
		var p aims.Problems
		if err := s.checkFields(ctx, actor.OrgID, &after, systems, &p); err != nil {
			return err
		}
		if after.OwnerID == "" && !p.Has("owner_id") {
			p.Add("owner_id", "is required")
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE nonconformities SET title = ?, description = ?, source_ref = ?, severity = ?,
			clauses = ?, controls = ?, systems = ?, owner_id = ?, correction = ?, root_cause = ?, rca_method = ?, similar_cases = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Title, after.Description, after.SourceRef, after.Severity, string(mustJSON(after.Clauses)),
			string(mustJSON(after.Controls)), string(mustJSON(after.Systems)), after.OwnerID, after.Correction, after.RootCause,
			after.RCAMethod, after.Similar, s.clock(), before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionNCUpdate, tlog.EventObject{Type: ObjectNC, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update nonconformity %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// CloseRequest closes a nonconformity whose corrective actions were found effective.
type CloseRequest struct {
	Version int `json:"version" minimum:"1" doc:"The version this change is based on."`
	// AIMSChangeNeeded says whether the management system must change because of it (ISO/IEC 42001 10.2 f).
	AIMSChangeNeeded bool `json:"aims_change_needed,omitempty"`
	// AIMSChange says what must change; required when a change is needed.
	AIMSChange string `json:"aims_change,omitempty" maxLength:"10000"`
}

// Close closes a nonconformity: every corrective action must be done and the
// latest effectiveness check, made after the last action, must have found
// them effective.
func (s *Service) Close(ctx context.Context, actor *aims.Actor, idOrRef string, req CloseRequest) (*Nonconformity, error) {
	if err := identity.Authorize(actor, identity.ActNCClose); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		n, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, req.Version)
		if err != nil {
			return err
		}
		id = n.ID
		var p aims.Problems
		text(&p, "aims_change", &req.AIMSChange, req.AIMSChangeNeeded, maxText)
		if why := n.closeBlocker(); why != "" {
			p.Add("status", "%s", why)
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := s.clock()
		change := 0
		if req.AIMSChangeNeeded {
			change = 1
		}
		if _, err := tx.ExecContext(ctx, `UPDATE nonconformities SET status = 'closed', aims_change_needed = ?, aims_change = ?,
			closed_at = ?, closed_by = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ?`,
			change, req.AIMSChange, now, actor.UserID, now, n.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionClose, tlog.EventObject{Type: ObjectNC, ID: n.ID, Ref: n.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(n.Status), After: mustJSON(StatusClosed)},
				{Field: "aims_change_needed", Before: mustJSON(false), After: mustJSON(req.AIMSChangeNeeded)},
				{Field: "aims_change", Before: mustJSON(""), After: mustJSON(req.AIMSChange)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot close nonconformity %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// closeBlocker says why the nonconformity cannot be closed yet, or "".
func (n *Nonconformity) closeBlocker() string {
	if len(n.Actions) == 0 {
		return "cannot be closed before a corrective action is planned and done"
	}
	for _, a := range n.Actions {
		if a.Status != ActionStatusDone {
			return fmt.Sprintf("cannot be closed while %s is not done", a.Ref)
		}
	}
	if len(n.Checks) == 0 {
		return "cannot be closed before the effectiveness of the actions is checked"
	}
	last := n.Checks[len(n.Checks)-1]
	if !last.Effective {
		return fmt.Sprintf("cannot be closed: %s found the actions not effective", last.Ref)
	}
	if last.ActionsChecked != len(n.Actions) {
		return "cannot be closed before the actions added since the last effectiveness check are checked"
	}
	return ""
}

// CanClose reports whether every action is done and found effective.
func (n *Nonconformity) CanClose() bool { return n.Status != StatusClosed && n.closeBlocker() == "" }
