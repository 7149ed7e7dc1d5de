package model

import (
	"context"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// userName is the SQL that names whoever a column holds: a member's name
// or email, or the administrative actor it names itself.
func userName(alias, col string) string {
	return "COALESCE(NULLIF(" + alias + ".name, ''), " + alias + ".email, " + col + ")"
}

var selectVersion = `SELECT v.id, v.model_id, v.label, v.digest, v.framework, v.intended_use, v.out_of_scope_uses,
	v.limitations, v.known_biases, v.ethical_considerations, v.status,
	v.approved_by, ` + userName("ua", "v.approved_by") + `, v.approved_at, v.approval_note,
	v.retired_by, ` + userName("ur", "v.retired_by") + `, v.retired_at, v.retirement_note,
	v.version, v.created_by, ` + userName("uc", "v.created_by") + `, v.created_at, v.updated_at,
	(SELECT count(*) FROM model_evaluations e WHERE e.model_version_id = v.id)
	FROM model_versions v LEFT JOIN users uc ON uc.id = v.created_by LEFT JOIN users ua ON ua.id = v.approved_by
	LEFT JOIN users ur ON ur.id = v.retired_by`

func scanVersion(scan func(...any) error) (*Version, error) {
	var v Version
	var approvedBy, approvedName, approvalNote, retiredBy, retiredName, retirementNote string
	var approvedAt, retiredAt *time.Time
	c := &v.Card
	if err := scan(&v.ID, &v.ModelID, &v.Label, &v.Digest, &v.Framework, &c.IntendedUse, &c.OutOfScopeUses,
		&c.Limitations, &c.KnownBiases, &c.EthicalConsiderations, &v.Status,
		&approvedBy, &approvedName, &approvedAt, &approvalNote, &retiredBy, &retiredName, &retiredAt, &retirementNote,
		&v.Version, &v.CreatedBy, &v.CreatedByName, &v.CreatedAt, &v.UpdatedAt, &v.EvaluationCount); err != nil {
		return nil, err
	}
	if approvedAt != nil {
		v.Approval = &Decision{By: approvedBy, ByName: approvedName, At: *approvedAt, Note: approvalNote}
	}
	if retiredAt != nil {
		v.Retirement = &Decision{By: retiredBy, ByName: retiredName, At: *retiredAt, Note: retirementNote}
	}
	v.TrainedOn, v.EvaluatedOn, v.Environments = []DatasetVersionRef{}, []DatasetVersionRef{}, []string{}
	return &v, nil
}

// versionOf reads one version of a model by label, without its data sets
// and environments.
func versionOf(ctx context.Context, q db.Queryer, orgID string, m *Model, label string) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, selectVersion+` WHERE v.org_id = ? AND v.model_id = ? AND v.label_key = ?`,
		orgID, m.ID, strings.ToLower(strings.TrimSpace(label))).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("model version", versionKey(m.Ref, strings.TrimSpace(label)))
	}
	if err != nil {
		return nil, err
	}
	v.setModel(m)
	return v, nil
}

// setModel fills in what a version shows of its model.
func (v *Version) setModel(m *Model) {
	v.ModelRef, v.ModelName, v.SystemID, v.SystemRef, v.SystemName = m.Ref, m.Name, m.SystemID, m.SystemRef, m.SystemName
	v.Key = versionKey(m.Ref, v.Label)
}

// resolveKey finds the model and label a version key or id names.
func resolveKey(ctx context.Context, q db.Queryer, orgID, key string) (modelID, label string, err error) {
	key = strings.TrimSpace(key)
	if aims.ValidID(key) {
		err = q.QueryRowContext(ctx, `SELECT model_id, label FROM model_versions WHERE org_id = ? AND id = ?`,
			orgID, strings.ToLower(key)).Scan(&modelID, &label)
		if db.IsNoRows(err) {
			return "", "", aims.NotFound("model version", key)
		}
		return modelID, label, err
	}
	ref, label, ok := SplitKey(key)
	if !ok {
		return "", "", aims.Errorf(aims.CodeNotFound, "model version %s not found: name a version as MODEL@LABEL, such as MDL-1@1.4.0", key)
	}
	m, err := readModel(ctx, q, orgID, ref)
	if err != nil {
		return "", "", err
	}
	return m.ID, label, nil
}

// findVersion reads a version by key or id, without its data sets and environments.
func findVersion(ctx context.Context, q db.Queryer, orgID, key string) (*Model, *Version, error) {
	modelID, label, err := resolveKey(ctx, q, orgID, key)
	if err != nil {
		return nil, nil, err
	}
	m, err := readModel(ctx, q, orgID, modelID)
	if err != nil {
		return nil, nil, err
	}
	v, err := versionOf(ctx, q, orgID, m, label)
	if err != nil {
		return nil, nil, err
	}
	return m, v, nil
}

// fillVersions adds the data sets and current environments of versions.
func fillVersions(ctx context.Context, q db.Queryer, orgID string, vs []*Version) error {
	if len(vs) == 0 {
		return nil
	}
	byID := map[string]*Version{}
	args := []any{orgID}
	for _, v := range vs {
		byID[v.ID] = v
		args = append(args, v.ID)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", ") + ")"
	rows, err := q.QueryContext(ctx, `SELECT model_version_id, role, dataset_version_id, dataset_key, dataset_name
		FROM model_version_datasets WHERE org_id = ? AND model_version_id IN `+in+` ORDER BY position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, role string
		var d DatasetVersionRef
		if err := rows.Scan(&id, &role, &d.ID, &d.Key, &d.Name); err != nil {
			return err
		}
		if role == RoleTraining {
			byID[id].TrainedOn = append(byID[id].TrainedOn, d)
		} else {
			byID[id].EvaluatedOn = append(byID[id].EvaluatedOn, d)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	envs, err := q.QueryContext(ctx, `SELECT model_version_id, environment FROM model_deployments
		WHERE org_id = ? AND status = 'active' AND model_version_id IN `+in+` ORDER BY environment`, args...)
	if err != nil {
		return err
	}
	defer envs.Close()
	for envs.Next() {
		var id, env string
		if err := envs.Scan(&id, &env); err != nil {
			return err
		}
		byID[id].Environments = append(byID[id].Environments, env)
	}
	return envs.Err()
}

// evaluations reads a version's results, oldest first.
func evaluations(ctx context.Context, q db.Queryer, orgID, versionID string) ([]Evaluation, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.number, e.metric, e.value, e.dataset_version_id, e.dataset_key, e.dataset_name, e.measured_on, e.note,
		e.created_by, `+userName("u", "e.created_by")+`, e.created_at
		FROM model_evaluations e LEFT JOIN users u ON u.id = e.created_by
		WHERE e.org_id = ? AND e.model_version_id = ? ORDER BY e.number`, orgID, versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Evaluation{}
	for rows.Next() {
		var e Evaluation
		var dsID, dsKey, dsName string
		if err := rows.Scan(&e.Number, &e.Metric, &e.Value, &dsID, &dsKey, &dsName, &e.MeasuredOn, &e.Note,
			&e.CreatedBy, &e.CreatedByName, &e.CreatedAt); err != nil {
			return nil, err
		}
		if dsID != "" {
			e.Dataset = &DatasetVersionRef{ID: dsID, Key: dsKey, Name: dsName}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// deployments reads a version's deployments, newest first.
func deployments(ctx context.Context, q db.Queryer, orgID string, v *Version) ([]Deployment, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.environment, d.status, d.note, d.deployed_by, `+userName("ud", "d.deployed_by")+`,
		d.deployed_at, d.ended_by, `+userName("ue", "d.ended_by")+`, d.ended_at, d.end_reason, d.end_note
		FROM model_deployments d LEFT JOIN users ud ON ud.id = d.deployed_by LEFT JOIN users ue ON ue.id = d.ended_by
		WHERE d.org_id = ? AND d.model_version_id = ? ORDER BY d.deployed_at DESC, d.id DESC`, orgID, v.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Deployment{}
	for rows.Next() {
		d := Deployment{Key: v.Key}
		var status string
		if err := rows.Scan(&d.Environment, &status, &d.Note, &d.DeployedBy, &d.DeployedName, &d.DeployedAt,
			&d.EndedBy, &d.EndedName, &d.EndedAt, &d.EndReason, &d.EndNote); err != nil {
			return nil, err
		}
		d.Active = status == "active"
		out = append(out, d)
	}
	return out, rows.Err()
}

// fullVersion reads a version by key with everything it shows.
func (s *Service) fullVersion(ctx context.Context, q db.Queryer, orgID, key string) (*Version, error) {
	modelID, label, err := resolveKey(ctx, q, orgID, key)
	if err != nil {
		return nil, err
	}
	m, err := s.getModel(ctx, q, orgID, modelID)
	if err != nil {
		return nil, err
	}
	v, err := versionOf(ctx, q, orgID, m, label)
	if err != nil {
		return nil, err
	}
	if err := fillVersions(ctx, q, orgID, []*Version{v}); err != nil {
		return nil, err
	}
	if v.Evaluations, err = evaluations(ctx, q, orgID, v.ID); err != nil {
		return nil, err
	}
	if v.Deployments, err = deployments(ctx, q, orgID, v); err != nil {
		return nil, err
	}
	return v, nil
}
