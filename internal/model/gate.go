package model

import (
	"context"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/db"
)

// The methods in this file serve other capabilities (life-cycle stage
// gates, readiness, change control, the AI bill of materials) whose
// services have already authorised their actor in the organisation; they
// check no actor themselves.

// ApprovedVersion is a version of a system's model that has passed approval.
type ApprovedVersion struct {
	ModelID   string `json:"model_id"`
	ModelRef  string `json:"model_ref"`
	ModelName string `json:"model_name"`
	VersionID string `json:"version_id"`
	Key       string `json:"key"`
	Label     string `json:"label"`
	// Status is approved or deployed.
	Status       string    `json:"status"`
	Environments []string  `json:"environments"`
	ApprovedBy   string    `json:"approved_by"`
	ApprovedAt   time.Time `json:"approved_at"`
}

// ApprovedVersions lists the approved and deployed versions of the active
// models of an AI system, newest approval first; a stage gate that needs
// "an approved model version" passes when the list is not empty.
func (s *Service) ApprovedVersions(ctx context.Context, orgID, systemID string) ([]ApprovedVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.ref, m.name, v.id, v.label, v.status, v.approved_by, v.approved_at
		FROM model_versions v JOIN models m ON m.id = v.model_id
		WHERE v.org_id = ? AND m.system_id = ? AND m.status = ? AND v.status IN (?, ?) AND v.approved_at IS NOT NULL
		ORDER BY v.approved_at DESC, v.id DESC`, orgID, systemID, StatusActive, VersionApproved, VersionDeployed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ApprovedVersion{}
	for rows.Next() {
		var a ApprovedVersion
		if err := rows.Scan(&a.ModelID, &a.ModelRef, &a.ModelName, &a.VersionID, &a.Label, &a.Status, &a.ApprovedBy, &a.ApprovedAt); err != nil {
			return nil, err
		}
		a.Key, a.Environments = versionKey(a.ModelRef, a.Label), []string{}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if out[i].Environments, err = activeEnvironments(ctx, s.db, orgID, out[i].VersionID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// activeEnvironments lists where a version is deployed now.
func activeEnvironments(ctx context.Context, q db.Queryer, orgID, versionID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT environment FROM model_deployments WHERE org_id = ? AND model_version_id = ? AND status = 'active'
		ORDER BY environment`, orgID, versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SystemState sums up the models of one AI system.
type SystemState struct {
	// Models counts the system's active models.
	Models int
	// Approved counts their versions that are approved or deployed; Deployed those deployed.
	Approved, Deployed int
}

// States sums up, per AI system id, the active models of an organisation
// and their approved and deployed versions, in one query, for readiness and
// dashboards. Systems without models are absent.
func (s *Service) States(ctx context.Context, orgID string) (map[string]SystemState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.system_id, m.id, COALESCE(v.status, '')
		FROM models m LEFT JOIN model_versions v ON v.model_id = m.id AND v.status IN (?, ?)
		WHERE m.org_id = ? AND m.status = ?`, VersionApproved, VersionDeployed, orgID, StatusActive)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]SystemState{}
	seen := map[string]bool{}
	for rows.Next() {
		var systemID, modelID, status string
		if err := rows.Scan(&systemID, &modelID, &status); err != nil {
			return nil, err
		}
		st := out[systemID]
		if !seen[modelID] {
			seen[modelID] = true
			st.Models++
		}
		if status != "" {
			st.Approved++
		}
		if status == VersionDeployed {
			st.Deployed++
		}
		out[systemID] = st
	}
	return out, rows.Err()
}

// VersionRef names a model version for other capabilities.
type VersionRef struct {
	ID string
	// Key is the model's reference and the version's label, such as MDL-1@1.4.0.
	Key       string
	ModelID   string
	ModelName string
	SystemID  string
	Status    string
}

// LookupVersion resolves a version of the organisation by key (MDL-1@1.4.0)
// or id, such as the version a change request or impact assessment names.
func (s *Service) LookupVersion(ctx context.Context, orgID, idOrKey string) (*VersionRef, error) {
	m, v, err := findVersion(ctx, s.db, orgID, idOrKey)
	if err != nil {
		return nil, err
	}
	return &VersionRef{ID: v.ID, Key: v.Key, ModelID: m.ID, ModelName: m.Name, SystemID: m.SystemID, Status: v.Status}, nil
}

// SystemModel is a model of a system with all its versions, as an AI bill
// of materials lists them.
type SystemModel struct {
	Model    Model
	Versions []Version
}

// SystemModels lists the models of an AI system (archived ones when all is
// true) with every version, its data sets, environments and evaluation
// results, for an AI bill of materials.
func (s *Service) SystemModels(ctx context.Context, orgID, systemID string, all bool) ([]SystemModel, error) {
	q := selectModel + ` WHERE m.org_id = ? AND m.system_id = ?`
	args := []any{orgID, systemID}
	if !all {
		q += ` AND m.status = ?`
		args = append(args, StatusActive)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY m.name_key, m.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []*Model
	for rows.Next() {
		m, err := scanModel(rows.Scan)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.complete(ctx, s.db, orgID, ms); err != nil {
		return nil, err
	}
	out := []SystemModel{}
	for _, m := range ms {
		labels, err := labelsOf(ctx, s.db, orgID, m.ID)
		if err != nil {
			return nil, err
		}
		sm := SystemModel{Model: *m, Versions: []Version{}}
		for _, l := range labels {
			v, err := s.fullVersion(ctx, s.db, orgID, versionKey(m.Ref, l))
			if err != nil {
				return nil, err
			}
			sm.Versions = append(sm.Versions, *v)
		}
		out = append(out, sm)
	}
	return out, nil
}

// labelsOf lists a model's version labels, oldest first.
func labelsOf(ctx context.Context, q db.Queryer, orgID, modelID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT label FROM model_versions WHERE org_id = ? AND model_id = ? ORDER BY created_at, id`, orgID, modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out, rows.Err()
}
