package catalog

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// ClauseView is a sub-clause with what other frameworks it serves.
type ClauseView struct {
	Clause
	Serves []ItemRef `json:"serves"`
}

// ListClauses returns the sub-clauses whose texts contain every word of q.
func (s *Service) ListClauses(ctx context.Context, actor *aims.Actor, q string) ([]ClauseView, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	out := []ClauseView{}
	for _, c := range SearchClauses(q) {
		out = append(out, ClauseView{Clause: c, Serves: nonNil(Serves(c.ID))})
	}
	return out, nil
}

// GetClause returns one sub-clause.
func (s *Service) GetClause(ctx context.Context, actor *aims.Actor, id string) (*ClauseView, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	c, ok := ClauseByID(id)
	if !ok {
		return nil, aims.NotFound("clause", id)
	}
	return &ClauseView{Clause: c, Serves: nonNil(Serves(c.ID))}, nil
}

// ControlView is a control with the clauses that point to it and what
// other frameworks it serves.
type ControlView struct {
	Control
	Category *Category `json:"category,omitempty"`
	// PointedToBy lists the sub-clauses that name the control.
	PointedToBy []string  `json:"pointed_to_by"`
	Serves      []ItemRef `json:"serves"`
	// ISO27001Note qualifies the ISO/IEC 27001 counterparts, such as "gap".
	ISO27001Note string `json:"iso27001_note,omitempty"`
}

// GetControl returns a control with its cross-references.
func (s *Service) GetControl(ctx context.Context, actor *aims.Actor, id string) (*ControlView, error) {
	c, err := s.Control(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	v := &ControlView{Control: *c, PointedToBy: []string{}, Serves: nonNil(Serves(c.ID))}
	if cat, ok := CategoryByID(c.CategoryID); ok {
		v.Category = &cat
	}
	for _, cl := range builtin.clauses {
		for _, id := range cl.AnnexA {
			if id == c.ID {
				v.PointedToBy = append(v.PointedToBy, cl.ID)
			}
		}
	}
	if iso, ok := FrameworkByID("iso27001"); ok {
		v.ISO27001Note = iso.Notes[c.ID]
	}
	return v, nil
}

// ListFrameworks returns the crosswalked frameworks.
func (s *Service) ListFrameworks(ctx context.Context, actor *aims.Actor) ([]Framework, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return Frameworks(), nil
}

// GetFramework returns one crosswalked framework.
func (s *Service) GetFramework(ctx context.Context, actor *aims.Actor, id string) (*Framework, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	f, ok := FrameworkByID(id)
	if !ok {
		return nil, aims.NotFound("framework", id)
	}
	return &f, nil
}

// ListAnnexC returns Annex C's objectives and risk sources.
func (s *Service) ListAnnexC(ctx context.Context, actor *aims.Actor) ([]AnnexCItem, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return AnnexC(), nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
