package lifecycle

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// RequestHistory returns the audit events about a stage-move request, newest first.
func (s *Service) RequestHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := readRequest(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectRequest, ObjectID: r.ID, Limit: 100})
}

// ChangeHistory returns the audit events about a change request, newest first.
func (s *Service) ChangeHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	c, err := readChange(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectChange, ObjectID: c.ID, Limit: 100})
}

// GatesHistory returns the audit events that set the organisation's stage gates, newest first.
func (s *Service) GatesHistory(ctx context.Context, actor *aims.Actor) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectGates, ObjectID: actor.OrgID, Limit: 100})
}
