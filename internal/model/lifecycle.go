package model

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

// DecisionRequest approves or retires a version, with the version it is
// based on and a note for the record.
type DecisionRequest struct {
	Version int    `json:"version" minimum:"1" doc:"The version of the model version this decision is based on."`
	Note    string `json:"note,omitempty" maxLength:"2000" doc:"Why: the evidence considered, the conditions set."`
}

// DeployRequest deploys a version to an environment, or withdraws it from one.
type DeployRequest struct {
	Version     int    `json:"version" minimum:"1" doc:"The version of the model version this change is based on."`
	Environment string `json:"environment,omitempty" maxLength:"40" doc:"Environment such as production or staging; production when empty (on withdrawal: the only environment the version is in)."`
	Note        string `json:"note,omitempty" maxLength:"2000" doc:"Why, such as a change ticket."`
}

// ApprovalGaps names what a candidate lacks for approval: an evaluation
// result, and a model card with its intended use and limitations.
func (v *Version) ApprovalGaps() []aims.FieldError {
	var missing []aims.FieldError
	if v.EvaluationCount == 0 {
		missing = append(missing, aims.FieldError{Field: "evaluations", Message: "has no results: record at least one evaluation result"})
	}
	if v.Card.IntendedUse == "" {
		missing = append(missing, aims.FieldError{Field: "card.intended_use", Message: "is empty: say what the model is for"})
	}
	if v.Card.Limitations == "" {
		missing = append(missing, aims.FieldError{Field: "card.limitations", Message: "is empty: say where the model falls short"})
	}
	return missing
}

// Approve approves a candidate version for deployment. It needs at least one
// evaluation result and a model card with the intended use and the
// limitations filled in; it freezes the card, framework, digest and data.
func (s *Service) Approve(ctx context.Context, actor *aims.Actor, key string, req DecisionRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActModelApprove); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		_, v, err := s.lockVersion(ctx, tx, actor.OrgID, key, req.Version)
		if err != nil {
			return err
		}
		id = v.ID
		if v.Status != VersionCandidate {
			return aims.Errorf(aims.CodeConflict, "%s is already %s: only a candidate can be approved", v.Key, v.Status)
		}
		if missing := v.ApprovalGaps(); len(missing) > 0 {
			return &aims.Error{Code: aims.CodeConflict, Fields: missing,
				Message: v.Key + " cannot be approved yet: it needs at least one evaluation result and a model card with its intended use and limitations"}
		}
		now, by := s.clock(), tlog.ActorOf(actor).ID
		if _, err := tx.ExecContext(ctx, `UPDATE model_versions SET status = ?, approved_by = ?, approved_at = ?, approval_note = ?,
			version = version + 1, updated_at = ? WHERE org_id = ? AND id = ?`,
			VersionApproved, by, now, req.Note, now, actor.OrgID, v.ID); err != nil {
			return err
		}
		ch := []tlog.Change{{Field: "status", Before: mustJSON(v.Status), After: mustJSON(VersionApproved)}}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionApprove, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot approve model version %s: %w", key, err)
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, id)
}

// Deploy deploys an approved version to an environment. The version of the
// same model deployed there before is superseded in the same transaction:
// it stays approved, and deploying it again rolls back. Deploying a version
// where it already is changes nothing.
func (s *Service) Deploy(ctx context.Context, actor *aims.Actor, key string, req DeployRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActModelApprove); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkEnvironment(&p, "environment", &req.Environment)
	checkText(&p, "note", &req.Note, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		m, v, err := s.lockVersion(ctx, tx, actor.OrgID, key, req.Version)
		if err != nil {
			return err
		}
		id = v.ID
		switch v.Status {
		case VersionCandidate:
			return aims.Errorf(aims.CodeConflict, "%s is a candidate: approve it before deploying it", v.Key)
		case VersionRetired:
			return aims.Errorf(aims.CodeConflict, "%s is retired and cannot be deployed again; register a new version", v.Key)
		}
		if slices.Contains(v.Environments, req.Environment) {
			return nil
		}
		now, by := s.clock(), tlog.ActorOf(actor).ID
		var prevID, prevDeployment string
		err = tx.QueryRowContext(ctx, `SELECT id, model_version_id FROM model_deployments
			WHERE org_id = ? AND model_id = ? AND environment = ? AND status = 'active'`,
			actor.OrgID, m.ID, req.Environment).Scan(&prevDeployment, &prevID)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		var superseded string
		if prevDeployment != "" {
			if superseded, err = s.endDeployment(ctx, tx, actor, m, prevDeployment, prevID, "superseded", "superseded by "+v.Key); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO model_deployments (id, org_id, model_id, model_version_id, environment, status,
			note, deployed_by, deployed_at, ended_by, end_reason, end_note) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, '', '', '')`,
			aims.NewID(), actor.OrgID, m.ID, v.ID, req.Environment, req.Note, by, now); db.IsUniqueViolation(err) {
			return aims.Errorf(aims.CodeConflict, "another version of %s was deployed to %s at the same time: reload and try again", m.Ref, req.Environment)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE model_versions SET status = ?, version = version + 1, updated_at = ?
			WHERE org_id = ? AND id = ?`, VersionDeployed, now, actor.OrgID, v.ID); err != nil {
			return err
		}
		envs := append(slices.Clone(v.Environments), req.Environment)
		slices.Sort(envs)
		ch := []tlog.Change{{Field: "environments", Before: mustJSON(v.Environments), After: mustJSON(envs)}}
		if v.Status != VersionDeployed {
			ch = append(ch, tlog.Change{Field: "status", Before: mustJSON(v.Status), After: mustJSON(VersionDeployed)})
		}
		if superseded != "" {
			ch = append(ch, tlog.Change{Field: "superseded", After: mustJSON(superseded)})
		}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionDeploy, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot deploy model version %s: %w", key, err)
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, id)
}

// endDeployment ends an active deployment, superseded or withdrawn, and
// sets its version back to approved when it is deployed nowhere else. For a
// supersession it records the event on the superseded version and returns
// its key.
func (s *Service) endDeployment(ctx context.Context, tx *db.Tx, actor *aims.Actor, m *Model, deploymentID, versionID, reason, note string) (string, error) {
	now, by := s.clock(), tlog.ActorOf(actor).ID
	var env string
	if err := tx.QueryRowContext(ctx, `SELECT environment FROM model_deployments WHERE org_id = ? AND id = ?`,
		actor.OrgID, deploymentID).Scan(&env); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE model_deployments SET status = 'ended', ended_by = ?, ended_at = ?, end_reason = ?, end_note = ?
		WHERE org_id = ? AND id = ? AND status = 'active'`, by, now, reason, note, actor.OrgID, deploymentID); err != nil {
		return "", err
	}
	var label string
	if err := tx.QueryRowContext(ctx, `SELECT label FROM model_versions WHERE org_id = ? AND id = ?`, actor.OrgID, versionID).Scan(&label); err != nil {
		return "", err
	}
	prev, err := versionOf(ctx, tx, actor.OrgID, m, label)
	if err != nil {
		return "", err
	}
	if err := fillVersions(ctx, tx, actor.OrgID, []*Version{prev}); err != nil {
		return "", err
	}
	status := VersionDeployed
	if len(prev.Environments) == 0 {
		status = VersionApproved
	}
	if _, err := tx.ExecContext(ctx, `UPDATE model_versions SET status = ?, version = version + 1, updated_at = ? WHERE org_id = ? AND id = ?`,
		status, now, actor.OrgID, prev.ID); err != nil {
		return "", err
	}
	if reason != "superseded" {
		return prev.Key, nil
	}
	before := append(slices.Clone(prev.Environments), env)
	slices.Sort(before)
	ch := []tlog.Change{{Field: "environments", Before: mustJSON(before), After: mustJSON(prev.Environments)}}
	if status != VersionDeployed {
		ch = append(ch, tlog.Change{Field: "status", Before: mustJSON(VersionDeployed), After: mustJSON(status)})
	}
	ch = append(ch, tlog.Change{Field: "note", After: mustJSON(note)})
	return prev.Key, s.logs.Record(ctx, tx, actor.OrgID, actor, ActionSupersede, tlog.EventObject{Type: ObjectVersion, ID: prev.ID, Ref: prev.Key}, ch)
}

// Withdraw takes a deployed version out of an environment; the version goes
// back to approved when it is deployed nowhere else. The environment may be
// left empty when the version is deployed in only one.
func (s *Service) Withdraw(ctx context.Context, actor *aims.Actor, key string, req DeployRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActModelApprove); err != nil {
		return nil, err
	}
	var p aims.Problems
	named := strings.TrimSpace(req.Environment) != ""
	if named {
		checkEnvironment(&p, "environment", &req.Environment)
	}
	checkText(&p, "note", &req.Note, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		m, v, err := s.lockVersion(ctx, tx, actor.OrgID, key, req.Version)
		if err != nil {
			return err
		}
		id = v.ID
		switch {
		case len(v.Environments) == 0:
			return aims.Errorf(aims.CodeConflict, "%s is not deployed anywhere", v.Key)
		case !named && len(v.Environments) > 1:
			return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: "environment",
				Message: "is required: " + v.Key + " is deployed in " + strings.Join(v.Environments, ", ")}}}
		case !named:
			req.Environment = v.Environments[0]
		case !slices.Contains(v.Environments, req.Environment):
			return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: "environment",
				Message: "must be one where " + v.Key + " is deployed: " + strings.Join(v.Environments, ", ")}}}
		}
		var deploymentID string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM model_deployments WHERE org_id = ? AND model_version_id = ? AND environment = ?
			AND status = 'active'`, actor.OrgID, v.ID, req.Environment).Scan(&deploymentID); err != nil {
			return err
		}
		if _, err := s.endDeployment(ctx, tx, actor, m, deploymentID, v.ID, "withdrawn", req.Note); err != nil {
			return err
		}
		after := slices.DeleteFunc(slices.Clone(v.Environments), func(e string) bool { return e == req.Environment })
		ch := []tlog.Change{{Field: "environments", Before: mustJSON(v.Environments), After: mustJSON(after)}}
		if len(after) == 0 {
			ch = append(ch, tlog.Change{Field: "status", Before: mustJSON(VersionDeployed), After: mustJSON(VersionApproved)})
		}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionWithdraw, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot withdraw model version %s: %w", key, err)
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, id)
}

// Retire marks a candidate or approved version as no longer to be used. A
// deployed version must be withdrawn from its environments first, so that
// retiring never takes a running model away unnoticed. Retiring a retired
// version changes nothing.
func (s *Service) Retire(ctx context.Context, actor *aims.Actor, key string, req DecisionRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActModelApprove); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		_, v, err := s.lockVersion(ctx, tx, actor.OrgID, key, req.Version)
		if err != nil {
			return err
		}
		id = v.ID
		switch v.Status {
		case VersionRetired:
			return nil
		case VersionDeployed:
			return aims.Errorf(aims.CodeConflict, "%s is deployed in %s: withdraw it from there before retiring it",
				v.Key, strings.Join(v.Environments, ", "))
		}
		now, by := s.clock(), tlog.ActorOf(actor).ID
		if _, err := tx.ExecContext(ctx, `UPDATE model_versions SET status = ?, retired_by = ?, retired_at = ?, retirement_note = ?,
			version = version + 1, updated_at = ? WHERE org_id = ? AND id = ?`,
			VersionRetired, by, now, req.Note, now, actor.OrgID, v.ID); err != nil {
			return err
		}
		ch := []tlog.Change{{Field: "status", Before: mustJSON(v.Status), After: mustJSON(VersionRetired)}}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRetire, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot retire model version %s: %w", key, err)
	}
	return s.fullVersion(ctx, s.db, actor.OrgID, id)
}
