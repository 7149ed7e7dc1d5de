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

// maxDatasets limits the data set versions of each role of a version.
const maxDatasets = 50

// resolveDatasets finds the data set versions that keys name, each once in
// the order given, and records a problem for each key that names none.
func (s *Service) resolveDatasets(ctx context.Context, q db.Queryer, orgID, field string, keys []string, p *aims.Problems) ([]DatasetVersionRef, error) {
	out := []DatasetVersionRef{}
	seen := map[string]bool{}
	if len(keys) > maxDatasets {
		p.Add(field, "must list at most %d data set versions", maxDatasets)
		return out, nil
	}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		d, err := s.sources.DatasetVersion(ctx, q, orgID, k)
		if aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid {
			p.Add(field, "names %s, which is not a data set version of this organisation (write DS-3@2)", k)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[d.ID] {
			seen[d.ID] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// CreateVersion registers a candidate version of a model.
func (s *Service) CreateVersion(ctx context.Context, actor *aims.Actor, modelIDOrRef string, req VersionRequest) (*Version, error) {
	v, err := s.prepareVersion(ctx, s.db, actor, modelIDOrRef, req)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error { return s.insertVersion(ctx, tx, actor, modelIDOrRef, v) })
	if err != nil {
		return nil, fmt.Errorf("cannot register a version of model %s: %w", modelIDOrRef, err)
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, v.Key)
}

// CreateVersionTx is CreateVersion within the caller's transaction, which
// may hold the model and the data set versions it names.
func (s *Service) CreateVersionTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, modelIDOrRef string, req VersionRequest) (*Version, error) {
	v, err := s.prepareVersion(ctx, tx, actor, modelIDOrRef, req)
	if err != nil {
		return nil, err
	}
	if err := s.insertVersion(ctx, tx, actor, modelIDOrRef, v); err != nil {
		return nil, fmt.Errorf("cannot register a version of model %s: %w", modelIDOrRef, err)
	}
	return s.fullVersion(ctx, tx, actor.OrgID, v.Key)
}

// prepareVersion checks a request for a new version, reading through q.
func (s *Service) prepareVersion(ctx context.Context, q db.Queryer, actor *aims.Actor, modelIDOrRef string, req VersionRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActModelEdit); err != nil {
		return nil, err
	}
	// Resolving the model first answers an unknown one with 404 before any problem of the body.
	if _, err := readModel(ctx, q, actor.OrgID, modelIDOrRef); err != nil {
		return nil, err
	}
	v := &Version{Label: req.Label, Digest: req.Digest, Framework: req.Framework, Card: req.Card, Status: VersionCandidate}
	var p aims.Problems
	checkLabel(&p, "label", &v.Label)
	checkDigest(&p, "digest", &v.Digest)
	checkText(&p, "framework", &v.Framework, false, maxName)
	v.Card.normalise(&p)
	var err error
	if v.TrainedOn, err = s.resolveDatasets(ctx, q, actor.OrgID, "trained_on", req.TrainedOn, &p); err != nil {
		return nil, err
	}
	if v.EvaluatedOn, err = s.resolveDatasets(ctx, q, actor.OrgID, "evaluated_on", req.EvaluatedOn, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return v, nil
}

// insertVersion stores a prepared candidate version with its audit event.
func (s *Service) insertVersion(ctx context.Context, tx *db.Tx, actor *aims.Actor, modelIDOrRef string, v *Version) error {
	m, err := lockModel(ctx, tx, actor.OrgID, modelIDOrRef)
	if err != nil {
		return err
	}
	if m.Status == StatusArchived {
		return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before adding versions", m.Ref)
	}
	now := s.clock()
	v.ID, v.Version, v.Key = aims.NewID(), 1, versionKey(m.Ref, v.Label)
	_, err = tx.ExecContext(ctx, `INSERT INTO model_versions (id, org_id, model_id, label, label_key, digest, framework,
		intended_use, out_of_scope_uses, limitations, known_biases, ethical_considerations, status,
		approved_by, approval_note, retired_by, retirement_note, version, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', ?, ?, ?, ?)`,
		v.ID, actor.OrgID, m.ID, v.Label, strings.ToLower(v.Label), v.Digest, v.Framework,
		v.Card.IntendedUse, v.Card.OutOfScopeUses, v.Card.Limitations, v.Card.KnownBiases, v.Card.EthicalConsiderations,
		v.Status, v.Version, tlog.ActorOf(actor).ID, now, now)
	if db.IsUniqueViolation(err) {
		return &aims.Error{Code: aims.CodeConflict, Message: "label in use",
			Fields: []aims.FieldError{{Field: "label", Message: "is already the label of another version of " + m.Ref}}}
	}
	if err != nil {
		return err
	}
	if err := writeDatasets(ctx, tx, actor.OrgID, v); err != nil {
		return err
	}
	ch, err := tlog.Changes(nil, v.fields())
	if err != nil {
		return err
	}
	ch = append(ch, tlog.Change{Field: "status", Before: nil, After: mustJSON(v.Status)})
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionVersionCreate, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key}, ch)
}

// writeDatasets replaces the data set versions stored for a version.
func writeDatasets(ctx context.Context, tx *db.Tx, orgID string, v *Version) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM model_version_datasets WHERE org_id = ? AND model_version_id = ?`, orgID, v.ID); err != nil {
		return err
	}
	for role, ds := range map[string][]DatasetVersionRef{RoleTraining: v.TrainedOn, RoleEvaluation: v.EvaluatedOn} {
		for i, d := range ds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO model_version_datasets (model_version_id, org_id, role, position,
				dataset_version_id, dataset_key, dataset_name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				v.ID, orgID, role, i+1, d.ID, d.Key, d.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// GetVersion returns a version by key (MDL-1@1.4.0) or id, with its
// evaluation results and deployments.
func (s *Service) GetVersion(ctx context.Context, actor *aims.Actor, key string) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, key)
}

// Versions lists a model's versions, newest first, without their
// evaluation results and deployments.
func (s *Service) Versions(ctx context.Context, actor *aims.Actor, modelIDOrRef string) ([]Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	m, err := s.getModel(ctx, s.db, actor.OrgID, modelIDOrRef)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectVersion+` WHERE v.org_id = ? AND v.model_id = ? ORDER BY v.created_at DESC, v.id DESC LIMIT ?`,
		actor.OrgID, m.ID, maxVersionsListed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []*Version
	for rows.Next() {
		v, err := scanVersion(rows.Scan)
		if err != nil {
			return nil, err
		}
		v.setModel(m)
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := fillVersions(ctx, s.db, actor.OrgID, vs); err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(vs))
	for _, v := range vs {
		out = append(out, *v)
	}
	return out, nil
}

// lockVersion reads a version for a change: it locks the model, checks the
// version the change was based on and that the model is active.
func (s *Service) lockVersion(ctx context.Context, tx *db.Tx, orgID, key string, sent int) (*Model, *Version, error) {
	modelID, label, err := resolveKey(ctx, tx, orgID, key)
	if err != nil {
		return nil, nil, err
	}
	m, err := lockModel(ctx, tx, orgID, modelID)
	if err != nil {
		return nil, nil, err
	}
	v, err := versionOf(ctx, tx, orgID, m, label)
	if err != nil {
		return nil, nil, err
	}
	if err := fillVersions(ctx, tx, orgID, []*Version{v}); err != nil {
		return nil, nil, err
	}
	if sent != v.Version {
		return nil, nil, staleVersion(v.Key, v.Version, sent)
	}
	if m.Status == StatusArchived {
		return nil, nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing its versions", m.Ref)
	}
	return m, v, nil
}

// UpdateVersion changes a candidate version's digest, framework, data or
// model card. Approval freezes them: a change after it needs a new version.
func (s *Service) UpdateVersion(ctx context.Context, actor *aims.Actor, key string, req VersionUpdate) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActModelEdit); err != nil {
		return nil, err
	}
	var resolved aims.Problems
	var trained, evaluated []DatasetVersionRef
	var err error
	if req.TrainedOn != nil {
		if trained, err = s.resolveDatasets(ctx, s.db, actor.OrgID, "trained_on", *req.TrainedOn, &resolved); err != nil {
			return nil, err
		}
	}
	if req.EvaluatedOn != nil {
		if evaluated, err = s.resolveDatasets(ctx, s.db, actor.OrgID, "evaluated_on", *req.EvaluatedOn, &resolved); err != nil {
			return nil, err
		}
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		p := append(aims.Problems(nil), resolved...)
		_, before, err := s.lockVersion(ctx, tx, actor.OrgID, key, req.Version)
		if err != nil {
			return err
		}
		id = before.ID
		if !before.Changeable() {
			return aims.Errorf(aims.CodeConflict, "%s is %s: its model card, framework, digest and data are frozen since its approval; "+
				"register a new version to change them", before.Key, before.Status)
		}
		after := *before
		if req.Digest != nil {
			after.Digest = *req.Digest
			checkDigest(&p, "digest", &after.Digest)
		}
		if req.Framework != nil {
			after.Framework = *req.Framework
			checkText(&p, "framework", &after.Framework, false, maxName)
		}
		if req.TrainedOn != nil {
			after.TrainedOn = trained
		}
		if req.EvaluatedOn != nil {
			after.EvaluatedOn = evaluated
		}
		req.Card.Apply(&after.Card)
		after.Card.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.fields(), after.fields())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		c := after.Card
		res, err := tx.ExecContext(ctx, `UPDATE model_versions SET digest = ?, framework = ?, intended_use = ?, out_of_scope_uses = ?,
			limitations = ?, known_biases = ?, ethical_considerations = ?, version = version + 1, updated_at = ?
			WHERE org_id = ? AND id = ? AND version = ?`,
			after.Digest, after.Framework, c.IntendedUse, c.OutOfScopeUses, c.Limitations, c.KnownBiases, c.EthicalConsiderations,
			s.clock(), actor.OrgID, before.ID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Key, before.Version+1, req.Version)
		}
		if err := writeDatasets(ctx, tx, actor.OrgID, &after); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionVersionUpdate, tlog.EventObject{Type: ObjectVersion, ID: before.ID, Ref: before.Key}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update model version %s: %w", key, err)
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, id)
}

// VersionHistory returns the audit events about a version, newest first.
func (s *Service) VersionHistory(ctx context.Context, actor *aims.Actor, key string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	_, v, err := findVersion(ctx, s.db, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectVersion, ObjectID: v.ID, Limit: 500})
}
