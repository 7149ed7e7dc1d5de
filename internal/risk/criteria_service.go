package risk

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

// Criteria returns the organisation's current risk criteria, or a
// not-found error when it has none yet (DefaultCriteria is then offered).
func (s *Service) Criteria(ctx context.Context, actor *aims.Actor) (*Criteria, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	c, err := currentCriteria(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, aims.Errorf(aims.CodeNotFound, "the organisation has no risk criteria yet: an owner or manager sets them, starting from the default")
	}
	return c, nil
}

// Default returns the criteria offered to an organisation without any:
// DefaultCriteria, as a request for version 1.
func (s *Service) Default(ctx context.Context, actor *aims.Actor) (CriteriaRequest, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return CriteriaRequest{}, err
	}
	return DefaultCriteria(), nil
}

// CriteriaVersion returns a version of the organisation's risk criteria.
func (s *Service) CriteriaVersion(ctx context.Context, actor *aims.Actor, version int) (*Criteria, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return criteriaVersion(ctx, s.db, actor.OrgID, version)
}

// CriteriaVersions lists the versions of the risk criteria, newest first.
func (s *Service) CriteriaVersions(ctx context.Context, actor *aims.Actor) ([]CriteriaSummary, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectCriteria+` WHERE c.org_id = ? ORDER BY c.version DESC`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CriteriaSummary{}
	for rows.Next() {
		c, err := scanCriteria(rows.Scan)
		if err != nil {
			return nil, err
		}
		sum := CriteriaSummary{Version: c.Version, Size: c.Size(), Levels: []string{}, Appetite: c.Appetite, Note: c.Note,
			CreatedBy: c.CreatedBy, CreatedByName: c.CreatedByName, CreatedAt: c.CreatedAt}
		for _, l := range c.Levels {
			sum.Levels = append(sum.Levels, l.Name)
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}

// SetCriteria stores the request as the next version of the criteria, if
// the current version is still the one it is based on. Criteria equal to
// the current version make no new version and no event. Risks keep the
// version they were assessed with.
func (s *Service) SetCriteria(ctx context.Context, actor *aims.Actor, req CriteriaRequest) (*Criteria, error) {
	if err := identity.Authorize(actor, identity.ActRiskCriteria); err != nil {
		return nil, err
	}
	var p aims.Problems
	req.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	next := content{Likelihood: req.Likelihood, Impact: req.Impact, Levels: req.Levels, Matrix: req.Matrix, Appetite: req.Appetite}
	var version int
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		cur, err := currentCriteria(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		var before *content
		if cur != nil {
			version = cur.Version
			c := cur.content()
			before = &c
		}
		if req.Version != version {
			return staleVersion("the risk criteria", version, req.Version)
		}
		ch, err := tlog.Changes(criteriaAudit(before), criteriaAudit(&next))
		if err != nil {
			return err
		}
		if before != nil && len(ch) == 0 {
			return nil // nothing changed: no new version, no event
		}
		version++
		body, err := json.Marshal(next)
		if err != nil {
			return err
		}
		id := aims.NewID()
		_, err = tx.ExecContext(ctx, `INSERT INTO risk_criteria (id, org_id, version, content, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, actor.OrgID, version, string(body), req.Note, tlog.ActorOf(actor).ID, s.clock())
		if db.IsUniqueViolation(err) {
			return staleVersion("the risk criteria", version, req.Version)
		}
		if err != nil {
			return err
		}
		ch = append(ch, tlog.Change{Field: "version", Before: mustJSON(version - 1), After: mustJSON(version)})
		if version == 1 {
			ch[len(ch)-1].Before = nil
		}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCriteria,
			tlog.EventObject{Type: ObjectCriteria, ID: id, Ref: "Risk criteria v" + itoa(version)}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot set the risk criteria: %w", err)
	}
	return criteriaVersion(ctx, s.db, actor.OrgID, version)
}

// criteriaAudit is what the audit event of a criteria version records:
// the scales' labels, the levels, the matrix and the appetite.
func criteriaAudit(c *content) any {
	if c == nil {
		return nil
	}
	labels := func(steps []ScaleLevel) []string {
		out := make([]string, len(steps))
		for i, s := range steps {
			out[i] = s.Label
		}
		return out
	}
	descriptions := func(steps []ScaleLevel) []string {
		out := make([]string, len(steps))
		for i, s := range steps {
			out[i] = s.Description
		}
		return out
	}
	levels := make([]string, len(c.Levels))
	for i, l := range c.Levels {
		levels[i] = fmt.Sprintf("%s %s %dd", l.Name, l.Colour, l.ReviewDays)
	}
	rows := make([]string, len(c.Matrix))
	for i, r := range c.Matrix {
		rows[i] = fmt.Sprintf("L%d: %s", i+1, strings.Join(r, ", "))
	}
	return map[string]any{"likelihood": labels(c.Likelihood), "likelihood_descriptions": descriptions(c.Likelihood),
		"impact": labels(c.Impact), "impact_descriptions": descriptions(c.Impact), "levels": levels, "matrix": rows,
		"appetite": c.Appetite}
}

const selectCriteria = `SELECT c.version, c.content, c.note, c.created_by, COALESCE(u.name, c.created_by), c.created_at,
	c.version = (SELECT MAX(m.version) FROM risk_criteria m WHERE m.org_id = c.org_id)
	FROM risk_criteria c LEFT JOIN users u ON u.id = c.created_by`

func scanCriteria(scan func(...any) error) (*Criteria, error) {
	var c Criteria
	var body string
	if err := scan(&c.Version, &body, &c.Note, &c.CreatedBy, &c.CreatedByName, &c.CreatedAt, &c.Current); err != nil {
		return nil, err
	}
	c.CreatedAt = c.CreatedAt.UTC()
	var k content
	if err := json.Unmarshal([]byte(body), &k); err != nil {
		return nil, fmt.Errorf("stored risk criteria v%d: %w", c.Version, err)
	}
	c.Likelihood, c.Impact, c.Levels, c.Matrix, c.Appetite = k.Likelihood, k.Impact, k.Levels, k.Matrix, k.Appetite
	return &c, nil
}

// currentCriteria reads the organisation's latest criteria, or nil when it has none.
func currentCriteria(ctx context.Context, q db.Queryer, orgID string) (*Criteria, error) {
	c, err := scanCriteria(q.QueryRowContext(ctx, selectCriteria+` WHERE c.org_id = ? ORDER BY c.version DESC LIMIT 1`, orgID).Scan)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return c, err
}

// criteriaVersion reads one version of the organisation's criteria.
func criteriaVersion(ctx context.Context, q db.Queryer, orgID string, version int) (*Criteria, error) {
	c, err := scanCriteria(q.QueryRowContext(ctx, selectCriteria+` WHERE c.org_id = ? AND c.version = ?`, orgID, version).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("risk criteria version", itoa(version))
	}
	return c, err
}

// criteriaSet reads versions of an organisation's criteria once each.
type criteriaSet struct {
	q       db.Queryer
	orgID   string
	current *Criteria
	byNum   map[int]*Criteria
}

func newCriteriaSet(ctx context.Context, q db.Queryer, orgID string) (*criteriaSet, error) {
	cur, err := currentCriteria(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	cs := &criteriaSet{q: q, orgID: orgID, current: cur, byNum: map[int]*Criteria{}}
	if cur != nil {
		cs.byNum[cur.Version] = cur
	}
	return cs, nil
}

// version returns a version, or nil for 0.
func (cs *criteriaSet) version(ctx context.Context, n int) (*Criteria, error) {
	if n == 0 {
		return nil, nil
	}
	if c, ok := cs.byNum[n]; ok {
		return c, nil
	}
	c, err := criteriaVersion(ctx, cs.q, cs.orgID, n)
	if err != nil {
		return nil, err
	}
	cs.byNum[n] = c
	return c, nil
}

// currentVersion is the current version's number, 0 when there is none.
func (cs *criteriaSet) currentVersion() int {
	if cs.current == nil {
		return 0
	}
	return cs.current.Version
}
