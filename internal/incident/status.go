package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// StatusRequest moves an incident forward to a later status.
type StatusRequest struct {
	Version int    `json:"version" minimum:"1" doc:"The version this change is based on."`
	Status  string `json:"status" enum:"contained,resolved,closed"`
}

func statusIndex(s string) int {
	return slices.IndexFunc(Statuses, func(o Option) bool { return o.Value == s })
}

// SetStatus moves an incident forward. Closing needs incident.close, the
// lessons learnt and every notification duty done.
func (s *Service) SetStatus(ctx context.Context, actor *aims.Actor, idOrRef string, req StatusRequest) (*Incident, error) {
	act, action := identity.ActIncidentEdit, ActionStatus
	if req.Status == StatusClosed {
		act, action = identity.ActIncidentClose, ActionClose
	}
	if err := identity.Authorize(actor, act); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		in, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, req.Version)
		if err != nil {
			return err
		}
		id = in.ID
		var p aims.Problems
		to := statusIndex(req.Status)
		switch {
		case to < 0:
			p.Add("status", "must be one of %s", values(Statuses))
		case to <= statusIndex(in.Status):
			p.Add("status", "must come after %s: an incident only moves forward", in.Status)
		case req.Status == StatusClosed:
			if in.Lessons == "" {
				p.Add("status", "cannot be closed before the lessons learnt are recorded")
			}
			for _, n := range in.Notifications {
				if n.NotifiedAt == nil {
					p.Add("status", "cannot be closed while %s is not notified", n.Ref)
				}
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := s.clock()
		var closedAt any
		if req.Status == StatusClosed {
			closedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = ?, closed_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, req.Status, closedAt, now, in.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectIncident, ID: in.ID, Ref: in.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(in.Status), After: mustJSON(req.Status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change the status of incident %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// RaiseRequest raises a nonconformity from an incident.
type RaiseRequest struct {
	Version int `json:"version" minimum:"1" doc:"The incident's version this change is based on."`
	// Title of the nonconformity; the incident's when left out.
	Title    string `json:"title,omitempty" maxLength:"200"`
	Severity string `json:"severity" enum:"minor,major"`
}

// RaiseNonconformity raises a nonconformity with source incident and stores
// its reference on the incident, in one transaction. An incident raises one at most.
func (s *Service) RaiseNonconformity(ctx context.Context, actor *aims.Actor, idOrRef string, req RaiseRequest) (*Incident, error) {
	if err := identity.Authorize(actor, identity.ActIncidentEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		in, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, req.Version)
		if err != nil {
			return err
		}
		id = in.ID
		if in.NCRef != "" {
			return aims.Errorf(aims.CodeConflict, "%s already raised %s", in.Ref, in.NCRef)
		}
		title := strings.TrimSpace(req.Title)
		if title == "" {
			title = in.Title
		}
		systems := make([]string, len(in.Systems))
		for i, sys := range in.Systems {
			systems[i] = sys.ID
		}
		ref, err := s.sources.RaiseNonconformity(ctx, tx, actor, NCRequest{Title: title, Description: in.Description,
			Severity: req.Severity, SourceRef: in.Ref, Systems: systems})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET nc_ref = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ?`,
			ref, s.clock(), in.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRaiseNC, tlog.EventObject{Type: ObjectIncident, ID: in.ID, Ref: in.Ref},
			[]tlog.Change{{Field: "nonconformity", Before: mustJSON(""), After: mustJSON(ref)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot raise a nonconformity from incident %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}
