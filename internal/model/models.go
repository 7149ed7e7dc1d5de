package model

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Create registers a model of one of the organisation's AI systems.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Model, error) {
	m, checked, err := s.prepareCreate(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error { return s.insertModel(ctx, tx, actor, m, checked) })
	if err != nil {
		return nil, fmt.Errorf("cannot register model: %w", err)
	}
	return s.getModel(ctx, s.db, actor.OrgID, m.ID)
}

// CreateTx is Create within the caller's transaction, for a capability
// that registers models together with records of its own.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req CreateRequest) (*Model, error) {
	m, checked, err := s.prepareCreate(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	if err := s.insertModel(ctx, tx, actor, m, checked); err != nil {
		return nil, fmt.Errorf("cannot register model: %w", err)
	}
	return s.getModel(ctx, tx, actor.OrgID, m.ID)
}

// prepareCreate checks a request to register a model and resolves its
// system; the problems found are returned with the model.
func (s *Service) prepareCreate(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Model, aims.Problems, error) {
	if err := identity.Authorize(actor, identity.ActModelEdit); err != nil {
		return nil, nil, err
	}
	m := &Model{Name: req.Name, Description: req.Description, OwnerID: req.OwnerID, Status: StatusActive}
	var checked aims.Problems
	m.normalise(&checked)
	if sys := strings.TrimSpace(req.System); sys == "" {
		checked.Add("system", "is required: name the AI system the model belongs to")
	} else {
		var err error
		m.SystemID, m.SystemRef, m.SystemName, err = s.sources.System(ctx, actor.OrgID, sys)
		if aims.CodeOf(err) == aims.CodeNotFound {
			checked.Add("system", "is not an AI system of this organisation")
		} else if err != nil {
			return nil, nil, err
		}
	}
	return m, checked, nil
}

// insertModel stores a prepared model with its audit event.
func (s *Service) insertModel(ctx context.Context, tx *db.Tx, actor *aims.Actor, m *Model, checked aims.Problems) error {
	p := append(aims.Problems(nil), checked...)
	if err := checkOwner(ctx, tx, &p, actor.OrgID, m.OwnerID, ""); err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
	if err != nil {
		return err
	}
	now := s.clock()
	m.ID, m.Ref, m.Version = aims.NewID(), ref, 1
	_, err = tx.ExecContext(ctx, `INSERT INTO models (id, org_id, ref, system_id, name, name_key, description, owner_id,
		status, search_text, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, actor.OrgID, m.Ref, m.SystemID, m.Name, nameKey(m.Name), m.Description, nullable(m.OwnerID),
		m.Status, m.searchText(), m.Version, now, now)
	if db.IsUniqueViolation(err) {
		return nameTaken(m.SystemRef)
	}
	if err != nil {
		return err
	}
	ch, err := tlog.Changes(nil, m.fields())
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectModel, ID: m.ID, Ref: m.Ref}, ch)
}

// Get returns a model of the actor's organisation by id or reference.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Model, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.getModel(ctx, s.db, actor.OrgID, idOrRef)
}

// Update changes the fields the request names, if the model has not changed
// since the version the request is based on.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Model, error) {
	if err := identity.Authorize(actor, identity.ActModelEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := lockModel(ctx, tx, actor.OrgID, idOrRef)
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
		if before.SystemRef, before.SystemName, err = s.systemNames(actor.OrgID).name(ctx, before.SystemID); err != nil {
			return err
		}
		after := *before
		if req.Name != nil {
			after.Name = *req.Name
		}
		if req.Description != nil {
			after.Description = *req.Description
		}
		if req.OwnerID != nil {
			after.OwnerID = *req.OwnerID
		}
		var p aims.Problems
		after.normalise(&p)
		if err := checkOwner(ctx, tx, &p, actor.OrgID, after.OwnerID, before.OwnerID); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.fields(), after.fields())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		_, err = tx.ExecContext(ctx, `UPDATE models SET name = ?, name_key = ?, description = ?, owner_id = ?, search_text = ?,
			version = version + 1, updated_at = ? WHERE org_id = ? AND id = ? AND version = ?`,
			after.Name, nameKey(after.Name), after.Description, nullable(after.OwnerID), after.searchText(),
			s.clock(), actor.OrgID, before.ID, before.Version)
		if db.IsUniqueViolation(err) {
			return nameTaken(before.SystemRef)
		}
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectModel, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update model %s: %w", idOrRef, err)
	}
	return s.getModel(ctx, s.db, actor.OrgID, id)
}

// Archive takes a model out of the active list; its versions, evaluations
// and history stay. A model with a deployed version cannot be archived:
// withdraw the version first. Archiving an archived model changes nothing.
func (s *Service) Archive(ctx context.Context, actor *aims.Actor, idOrRef string) (*Model, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusArchived)
}

// Restore returns an archived model to the active list.
func (s *Service) Restore(ctx context.Context, actor *aims.Actor, idOrRef string) (*Model, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Model, error) {
	if err := identity.Authorize(actor, identity.ActModelApprove); err != nil {
		return nil, err
	}
	action, verb := ActionRestore, "restore"
	if status == StatusArchived {
		action, verb = ActionArchive, "archive"
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := lockModel(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status == status {
			return nil
		}
		if status == StatusArchived {
			var envs []string
			rows, err := tx.QueryContext(ctx, `SELECT environment FROM model_deployments WHERE org_id = ? AND model_id = ? AND status = 'active'
				ORDER BY environment`, actor.OrgID, before.ID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var env string
				if err := rows.Scan(&env); err != nil {
					return err
				}
				envs = append(envs, env)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if len(envs) > 0 {
				return aims.Errorf(aims.CodeConflict, "%s has a version deployed in %s: withdraw it before archiving the model",
					before.Ref, strings.Join(envs, ", "))
			}
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE models SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE org_id = ? AND id = ?`, status, archivedAt, now, actor.OrgID, before.ID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectModel, ID: before.ID, Ref: before.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(before.Status), After: mustJSON(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s model %s: %w", verb, idOrRef, err)
	}
	return s.getModel(ctx, s.db, actor.OrgID, id)
}

// History returns the audit events about a model itself, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	m, err := readModel(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectModel, ObjectID: m.ID, Limit: 500})
}
