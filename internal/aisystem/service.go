package aisystem

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ObjectType names AI systems in the audit log.
const ObjectType = "ai_system"

// refPrefix starts every AI system's short reference.
const refPrefix = "SYS"

// Service manages the AI system inventory.
type Service struct {
	db    *db.DB
	logs  *tlog.Logs
	clock aims.Clock
}

// New returns the inventory service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock}
}

// auditSkip leaves out of change records what every change touches anyway.
var auditSkip = []string{"version", "updated_at", "created_at", "owner_name", "id"}

// Create adds a system to the actor's organisation.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*System, error) {
	if err := identity.Authorize(actor, identity.ActSystemCreate); err != nil {
		return nil, err
	}
	sys := fromCreate(req)
	var p aims.Problems
	sys.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := checkOwner(ctx, tx, actor.OrgID, sys.OwnerID); err != nil {
			return err
		}
		ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		sys.ID, sys.Ref, sys.Version, sys.CreatedAt, sys.UpdatedAt = aims.NewID(), ref, 1, now, now
		roles, groups := jsonText(sys.AIRoles), jsonText(sys.AffectedStakeholders)
		_, err = tx.ExecContext(ctx, `INSERT INTO ai_systems (id, org_id, ref, name, name_key, intended_purpose, description,
			owner_id, ai_roles, lifecycle_stage, eu_ai_act_class, deployment_context, affected_stakeholders,
			automation_level, human_oversight, status, search_text, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sys.ID, actor.OrgID, sys.Ref, sys.Name, nameKey(sys.Name), sys.IntendedPurpose, sys.Description,
			nullable(sys.OwnerID), roles, sys.LifecycleStage, sys.EUAIActClass, sys.DeploymentContext, groups,
			sys.AutomationLevel, sys.HumanOversight, sys.Status, sys.searchText(), sys.Version, now, now)
		if db.IsUniqueViolation(err) {
			return nameTaken()
		}
		if err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, sys, auditSkip...)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ObjectType+".create",
			tlog.EventObject{Type: ObjectType, ID: sys.ID, Ref: sys.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot create AI system: %w", err)
	}
	return s.Get(ctx, actor, sys.ID)
}

// Get returns a system of the actor's organisation by id or reference.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*System, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return get(ctx, s.db, actor.OrgID, idOrRef)
}

// Update changes the fields the request names, if the system has not
// changed since the version the request is based on.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*System, error) {
	if err := identity.Authorize(actor, identity.ActSystemUpdate); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Version, req.Version)
		}
		if before.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		after := *before
		req.apply(&after)
		var p aims.Problems
		if after.LifecycleStage != before.LifecycleStage && allowed(LifecycleStages, after.LifecycleStage) {
			// Nothing skips a stage gate: the stage moves only through an approved request.
			p.Add("lifecycle_stage", "changes only through a stage-move request, which checks the stage gate: "+
				"request the move on the system's page (Move to another stage) or with aims lifecycle move %s --to %s", before.Ref, after.LifecycleStage)
			after.LifecycleStage = before.LifecycleStage
		}
		after.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before, after, auditSkip...)
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		// An owner who has left does not block other changes; only a new owner is checked.
		if after.OwnerID != before.OwnerID {
			if err := checkOwner(ctx, tx, actor.OrgID, after.OwnerID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE ai_systems SET name = ?, name_key = ?, intended_purpose = ?, description = ?,
			owner_id = ?, ai_roles = ?, lifecycle_stage = ?, eu_ai_act_class = ?, deployment_context = ?,
			affected_stakeholders = ?, automation_level = ?, human_oversight = ?, search_text = ?,
			version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND version = ?`,
			after.Name, nameKey(after.Name), after.IntendedPurpose, after.Description, nullable(after.OwnerID),
			jsonText(after.AIRoles), after.LifecycleStage, after.EUAIActClass, after.DeploymentContext,
			jsonText(after.AffectedStakeholders), after.AutomationLevel, after.HumanOversight, after.searchText(),
			s.clock(), before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return nameTaken()
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ObjectType+".update",
			tlog.EventObject{Type: ObjectType, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update AI system %s: %w", idOrRef, err)
	}
	return get(ctx, s.db, actor.OrgID, id)
}

// ActionStageChange is the audit action of a move to another life-cycle stage.
const ActionStageChange = ObjectType + ".stage_change"

// SetStageTx moves a system from one life-cycle stage to another in the
// caller's transaction, after authorising the actor to decide stage moves:
// the life-cycle service calls it when it approves a stage-move request. It
// refuses when the system is archived or no longer in stage from, and
// records the lifecycle_stage change with the reason on the system, so
// that reviews that watch the stage see it.
func (s *Service) SetStageTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID, from, to, reason string) error {
	if err := identity.Authorize(actor, identity.ActStageDecide); err != nil {
		return err
	}
	if !allowed(LifecycleStages, to) {
		return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "lifecycle_stage", Message: "must be one of " + values(LifecycleStages)}}}
	}
	before, err := get(ctx, tx, actor.OrgID, systemID)
	if err != nil {
		return err
	}
	switch {
	case before.Status == StatusArchived:
		return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before moving it to another stage", before.Ref)
	case before.LifecycleStage != from:
		return aims.Errorf(aims.CodeConflict, "%s is in the stage %s now, not %s", before.Ref,
			Label(LifecycleStages, before.LifecycleStage), Label(LifecycleStages, from))
	case to == from:
		return aims.Errorf(aims.CodeConflict, "%s is in the stage %s already", before.Ref, Label(LifecycleStages, to))
	}
	res, err := tx.ExecContext(ctx, `UPDATE ai_systems SET lifecycle_stage = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND org_id = ? AND version = ?`, to, s.clock(), before.ID, actor.OrgID, before.Version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return staleVersion(before.Version+1, before.Version)
	}
	changes := []tlog.Change{{Field: "lifecycle_stage", Before: mustJSON(from), After: mustJSON(to)}}
	if reason != "" {
		changes = append(changes, tlog.Change{Field: "reason", Before: mustJSON(nil), After: mustJSON(reason)})
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionStageChange, tlog.EventObject{Type: ObjectType, ID: before.ID, Ref: before.Ref}, changes)
}

// Archive takes a system out of the active inventory; its records and
// history stay. Archiving an archived system changes nothing.
func (s *Service) Archive(ctx context.Context, actor *aims.Actor, idOrRef string) (*System, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusArchived)
}

// Restore returns an archived system to the active inventory.
func (s *Service) Restore(ctx context.Context, actor *aims.Actor, idOrRef string) (*System, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*System, error) {
	if err := identity.Authorize(actor, identity.ActSystemArchive); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: "archive", StatusActive: "restore"}[status]
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status == status {
			return nil
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ai_systems SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, archivedAt, now, before.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ObjectType+"."+action,
			tlog.EventObject{Type: ObjectType, ID: before.ID, Ref: before.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(before.Status), After: mustJSON(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s AI system %s: %w", action, idOrRef, err)
	}
	return get(ctx, s.db, actor.OrgID, id)
}

// History returns the audit events about a system, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	sys, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectType, ObjectID: sys.ID, Limit: 500})
}

func checkOwner(ctx context.Context, q db.Queryer, orgID, ownerID string) error {
	if ownerID == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, ownerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "owner_id", Message: "is not a member of this organisation"}}}
	}
	return nil
}

func nameTaken() error {
	return &aims.Error{Code: aims.CodeConflict, Message: "name in use",
		Fields: []aims.FieldError{{Field: "name", Message: "is already the name of another AI system"}}}
}

func staleVersion(current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed this system since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// nameKey is the form of a name used to keep names unique in an organisation.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mustJSON encodes values that always encode: strings and lists of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// jsonText is how list fields are stored: a JSON array as text.
func jsonText(v []string) string { return string(mustJSON(v)) }

// Lookup finds a system of an organisation by id or reference for another
// capability whose service has already authorised its actor in that
// organisation, such as evidence linked to a system.
func (s *Service) Lookup(ctx context.Context, orgID, idOrRef string) (*System, error) {
	return get(ctx, s.db, orgID, idOrRef)
}
