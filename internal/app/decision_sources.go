package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/decision"
)

// decisionSources gives decision logs the AI systems and model versions
// their records name.
type decisionSources struct{ a *App }

func (s decisionSources) Lookup(ctx context.Context, orgID, idOrRef string) (*decision.System, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &decision.System{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

// Resolve finds a version of one of the system's models by id, key or label.
func (s decisionSources) Resolve(ctx context.Context, orgID, systemID, ref string) (*decision.ModelVersion, error) {
	v, err := s.a.Models.LookupVersion(ctx, orgID, ref)
	if err == nil {
		if v.SystemID != systemID {
			return nil, aims.NotFound("model version of this system", ref)
		}
		return &decision.ModelVersion{ID: v.ID, Key: v.Key}, nil
	}
	if aims.CodeOf(err) != aims.CodeNotFound && aims.CodeOf(err) != aims.CodeInvalid {
		return nil, err
	}
	models, err := s.a.Models.SystemModels(ctx, orgID, systemID, true)
	if err != nil {
		return nil, err
	}
	var found *decision.ModelVersion
	for _, m := range models {
		for _, ver := range m.Versions {
			if ver.Label != ref {
				continue
			}
			if found != nil {
				return nil, aims.Errorf(aims.CodeInvalid, "more than one model of the system has a version %s: give its key", ref)
			}
			found = &decision.ModelVersion{ID: ver.ID, Key: ver.Key}
		}
	}
	if found == nil {
		return nil, aims.NotFound("model version of this system", ref)
	}
	return found, nil
}

// Keys names model versions by id.
func (s decisionSources) Keys(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		v, err := s.a.Models.LookupVersion(ctx, orgID, id)
		if aims.CodeOf(err) == aims.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = v.Key
	}
	return out, nil
}
