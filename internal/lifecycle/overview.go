package lifecycle

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// RequestRef names an open stage-move request.
type RequestRef struct {
	Ref string `json:"ref"`
	To  string `json:"to"`
}

// SystemLifecycle is where one active AI system is in its life cycle.
type SystemLifecycle struct {
	SystemID   string `json:"system_id"`
	SystemRef  string `json:"system_ref"`
	SystemName string `json:"system_name"`
	Stage      string `json:"stage"`
	// OpenRequest is the system's open stage-move request, nil when none.
	OpenRequest *RequestRef `json:"open_request,omitempty" doc:"The open stage-move request; absent when none."`
	Requested   int         `json:"changes_requested" doc:"Change requests waiting for a decision."`
	Approved    int         `json:"changes_approved" doc:"Approved change requests not implemented yet."`
}

// Overview is the life cycle of every active AI system of the organisation.
type Overview struct {
	Systems []SystemLifecycle `json:"systems" doc:"Active AI systems, in the order they were registered."`
}

// Overview returns, for every active AI system, its stage, its open
// stage-move request and how many of its changes are open.
func (s *Service) Overview(ctx context.Context, actor *aims.Actor) (*Overview, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	systems, err := s.sources.Systems(ctx, actor)
	if err != nil {
		return nil, err
	}
	open := map[string]*RequestRef{}
	rows, err := s.db.QueryContext(ctx, `SELECT system_id, ref, to_stage FROM stage_requests WHERE org_id = ? AND status = ?`,
		actor.OrgID, RequestOpen)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var r RequestRef
		if err := rows.Scan(&id, &r.Ref, &r.To); err != nil {
			rows.Close()
			return nil, err
		}
		open[id] = &r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := map[string][2]int{}
	rows, err = s.db.QueryContext(ctx, `SELECT system_id, status, count(*) FROM change_requests WHERE org_id = ? AND status IN (?, ?)
		GROUP BY system_id, status`, actor.OrgID, ChangeRequested, ChangeApproved)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, err
		}
		c := counts[id]
		if status == ChangeRequested {
			c[0] = n
		} else {
			c[1] = n
		}
		counts[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := &Overview{Systems: []SystemLifecycle{}}
	for _, sys := range systems {
		c := counts[sys.ID]
		out.Systems = append(out.Systems, SystemLifecycle{SystemID: sys.ID, SystemRef: sys.Ref, SystemName: sys.Name, Stage: sys.Stage,
			OpenRequest: open[sys.ID], Requested: c[0], Approved: c[1]})
	}
	return out, nil
}
