package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/nonconformity"
)

// internalAuditSources gives internal audits the members, the catalogue of
// clauses and controls, the Statement of Applicability, the AI systems and
// the evidence they refer to, and raises their findings as nonconformities.
type internalAuditSources struct{ a *App }

func (s internalAuditSources) Members(ctx context.Context, actor *aims.Actor) ([]internalaudit.Member, error) {
	ms, err := s.a.Identity.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]internalaudit.Member, len(ms))
	for i, m := range ms {
		out[i] = internalaudit.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role}
	}
	return out, nil
}

func (s internalAuditSources) Clauses(context.Context) ([]internalaudit.Requirement, error) {
	cs := catalog.Clauses()
	out := make([]internalaudit.Requirement, len(cs))
	for i, c := range cs {
		out[i] = internalaudit.Requirement{ID: c.ID, Title: c.Title, Group: c.Group, Heading: c.Heading, Asks: c.Asks}
	}
	return out, nil
}

func (s internalAuditSources) Controls(ctx context.Context, actor *aims.Actor) ([]internalaudit.Control, error) {
	cs, err := s.a.Catalog.ActiveControlIDs(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	out := make([]internalaudit.Control, len(cs))
	for i, c := range cs {
		out[i] = internalaudit.Control{ID: c.ID, CategoryID: c.CategoryID, Title: c.Title, Asks: c.Asks}
	}
	return out, nil
}

func (s internalAuditSources) SoA(ctx context.Context, actor *aims.Actor) ([]internalaudit.SoAEntry, error) {
	d, err := s.a.SoA.Draft(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]internalaudit.SoAEntry, len(d.Entries))
	for i, e := range d.Entries {
		out[i] = internalaudit.SoAEntry{ControlID: e.ControlID}
		if dec := e.Decision; dec != nil {
			out[i].Organisation = &internalaudit.Claim{Applicable: dec.Applicable, Justification: dec.Justification, Status: dec.Status, OwnerID: dec.OwnerID}
		}
		for _, o := range e.Overrides {
			out[i].Overrides = append(out[i].Overrides, internalaudit.Claim{SystemID: o.SystemID, Applicable: o.Applicable,
				Justification: o.Justification, Status: o.Status, OwnerID: o.OwnerID})
		}
	}
	return out, nil
}

func (s internalAuditSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*internalaudit.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &internalaudit.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name, OwnerID: sys.OwnerID}, nil
}

func (s internalAuditSources) Evidence(ctx context.Context, actor *aims.Actor, idOrRef string) (*internalaudit.EvidenceInfo, error) {
	ev, err := s.a.Evidence.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return &internalaudit.EvidenceInfo{ID: ev.ID, Ref: ev.Ref, Title: ev.Title}, nil
}

// RaiseNonconformity raises a finding as a nonconformity. The internal audit
// service has already allowed the actor to issue the report, and raising its
// findings is part of that: an auditor whose role may conduct audits but not
// record nonconformities (the auditor role) raises them with a contributor's
// rights, still under their own name in the audit log.
func (s internalAuditSources) RaiseNonconformity(ctx context.Context, tx *db.Tx, actor *aims.Actor, r internalaudit.Raise) (string, error) {
	raiser := *actor
	if identity.Authorize(actor, identity.ActNCEdit) != nil && identity.Authorize(actor, identity.ActAuditConduct) == nil {
		raiser.Role = aims.RoleContributor
	}
	nc, err := s.a.Nonconformities.CreateTx(ctx, tx, &raiser, nonconformity.CreateRequest{Title: r.Title, Description: r.Description,
		Source: nonconformity.SourceAudit, SourceRef: r.SourceRef, Severity: r.Severity, Clauses: r.Clauses, Controls: r.Controls,
		Systems: r.Systems, OwnerID: r.OwnerID})
	if err != nil {
		return "", err
	}
	return nc.Ref, nil
}
