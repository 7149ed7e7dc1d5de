package model

import (
	"context"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

const selectModel = `SELECT m.id, m.ref, m.system_id, m.name, m.description, COALESCE(m.owner_id, ''), COALESCE(u.name, ''),
	m.status, m.version, m.created_at, m.updated_at, m.archived_at
	FROM models m LEFT JOIN users u ON u.id = m.owner_id`

func scanModel(scan func(...any) error) (*Model, error) {
	var m Model
	if err := scan(&m.ID, &m.Ref, &m.SystemID, &m.Name, &m.Description, &m.OwnerID, &m.OwnerName,
		&m.Status, &m.Version, &m.CreatedAt, &m.UpdatedAt, &m.ArchivedAt); err != nil {
		return nil, err
	}
	m.Deployed = []Placement{}
	return &m, nil
}

// readModel reads one model of an organisation by id or reference, without
// its system's names or its summary.
func readModel(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Model, error) {
	col, key := "m.ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "m.id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	m, err := scanModel(q.QueryRowContext(ctx, selectModel+` WHERE m.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("model", idOrRef)
	}
	return m, err
}

// lockModel reads a model in a transaction after taking its row lock, so
// that changes to a model and its versions run one at a time.
func lockModel(ctx context.Context, tx *db.Tx, orgID, idOrRef string) (*Model, error) {
	m, err := readModel(ctx, tx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE models SET version = version WHERE org_id = ? AND id = ?`, orgID, m.ID); err != nil {
		return nil, err
	}
	return readModel(ctx, tx, orgID, m.ID)
}

// systems resolves AI systems by id once per request.
type systems struct {
	s     *Service
	orgID string
	seen  map[string][2]string
}

func (s *Service) systemNames(orgID string) *systems {
	return &systems{s: s, orgID: orgID, seen: map[string][2]string{}}
}

// name returns a system's reference and name; a system that is gone reads
// as its id and "(unknown AI system)".
func (sy *systems) name(ctx context.Context, id string) (ref, name string, err error) {
	if v, ok := sy.seen[id]; ok {
		return v[0], v[1], nil
	}
	_, ref, name, err = sy.s.sources.System(ctx, sy.orgID, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		ref, name, err = id, "(unknown AI system)", nil
	}
	if err != nil {
		return "", "", err
	}
	sy.seen[id] = [2]string{ref, name}
	return ref, name, nil
}

// complete fills in the models' systems, version counts, latest labels and
// deployments, with one query each for the lot.
func (s *Service) complete(ctx context.Context, q db.Queryer, orgID string, ms []*Model) error {
	if len(ms) == 0 {
		return nil
	}
	sy := s.systemNames(orgID)
	byID := map[string]*Model{}
	ids := make([]any, 0, len(ms)+1)
	ids = append(ids, orgID)
	for _, m := range ms {
		var err error
		if m.SystemRef, m.SystemName, err = sy.name(ctx, m.SystemID); err != nil {
			return err
		}
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ms)), ", ") + ")"
	rows, err := q.QueryContext(ctx, `SELECT model_id, label FROM model_versions
		WHERE org_id = ? AND model_id IN `+in+` ORDER BY created_at, id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, label string
		if err := rows.Scan(&id, &label); err != nil {
			return err
		}
		byID[id].VersionCount++
		byID[id].LatestLabel = label
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	deps, err := q.QueryContext(ctx, `SELECT d.model_id, d.environment, v.label FROM model_deployments d
		JOIN model_versions v ON v.id = d.model_version_id
		WHERE d.org_id = ? AND d.status = 'active' AND d.model_id IN `+in+` ORDER BY d.environment`, ids...)
	if err != nil {
		return err
	}
	defer deps.Close()
	for deps.Next() {
		var id string
		var p Placement
		if err := deps.Scan(&id, &p.Environment, &p.Label); err != nil {
			return err
		}
		m := byID[id]
		p.Key = versionKey(m.Ref, p.Label)
		m.Deployed = append(m.Deployed, p)
	}
	return deps.Err()
}

// getModel reads a model with its system and summary.
func (s *Service) getModel(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Model, error) {
	m, err := readModel(ctx, q, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := s.complete(ctx, q, orgID, []*Model{m}); err != nil {
		return nil, err
	}
	return m, nil
}

// checkOwner records a problem unless a new owner is a member of the
// organisation; kept, the stored owner, may stay after leaving it.
func checkOwner(ctx context.Context, q db.Queryer, p *aims.Problems, orgID, owner, kept string) error {
	if owner == "" || owner == kept || p.Has("owner_id") {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, owner).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		p.Add("owner_id", "is not a member of this organisation")
	}
	return nil
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
