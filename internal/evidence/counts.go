package evidence

import (
	"context"
	"fmt"
)

// CurrentCounts counts, per control and clause id, the organisation's
// evidence that is current today. It is for other capabilities whose
// services have already authorised their actor there, such as readiness.
func (s *Service) CurrentCounts(ctx context.Context, orgID string) (map[string]int, error) {
	today, soon := s.days()
	cond, args := validityCond(ValidityCurrent, today, soon)
	rows, err := s.db.QueryContext(ctx, `SELECT l.target_id, count(*) FROM evidence_links l
		JOIN evidence e ON e.id = l.evidence_id AND e.org_id = l.org_id
		WHERE l.org_id = ? AND l.target_type IN ('control', 'clause') AND `+cond+`
		GROUP BY l.target_id`, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("cannot count current evidence: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
