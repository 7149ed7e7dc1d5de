package monitor

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// system resolves a system in the actor's organisation after checking that
// the actor may perform action.
func (s *Service) system(ctx context.Context, actor *aims.Actor, action, ref string) (*System, error) {
	if err := identity.Authorize(actor, action); err != nil {
		return nil, err
	}
	return s.systems.Lookup(ctx, actor.OrgID, ref)
}

// Settings returns a system's monitoring settings; empty ones until set.
func (s *Service) Settings(ctx context.Context, actor *aims.Actor, systemRef string) (*Settings, error) {
	sys, err := s.system(ctx, actor, identity.ActRead, systemRef)
	if err != nil {
		return nil, err
	}
	return settingsOf(ctx, s.db, actor.OrgID, sys)
}

// settingsOf reads a system's settings.
func settingsOf(ctx context.Context, q db.Queryer, orgID string, sys *System) (*Settings, error) {
	st := &Settings{SystemID: sys.ID, SystemRef: sys.Ref}
	err := q.QueryRowContext(ctx, `SELECT positive, positive_outcome, version, updated_at FROM monitor_settings
		WHERE org_id = ? AND system_id = ?`, orgID, sys.ID).Scan(&st.Positive, &st.PositiveOutcome, &st.Version, &st.UpdatedAt)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("cannot read the monitoring settings of %s: %w", sys.Ref, err)
	}
	st.UpdatedAt = st.UpdatedAt.UTC()
	return st, nil
}

// positiveOutcome is the outcome label that counts as the positive truth.
func (st *Settings) positiveOutcome() string {
	if st.PositiveOutcome != "" {
		return st.PositiveOutcome
	}
	return st.Positive
}

// SetSettings sets how a system's decisions and outcomes read as positive.
func (s *Service) SetSettings(ctx context.Context, actor *aims.Actor, systemRef string, req SettingsRequest) (*Settings, error) {
	sys, err := s.system(ctx, actor, identity.ActMonitorEdit, systemRef)
	if err != nil {
		return nil, err
	}
	req.Positive, req.PositiveOutcome = strings.TrimSpace(req.Positive), strings.TrimSpace(req.PositiveOutcome)
	var p aims.Problems
	checkLabel(&p, "positive", req.Positive, true)
	checkLabel(&p, "positive_outcome", req.PositiveOutcome, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out *Settings
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := settingsOf(ctx, tx, actor.OrgID, sys)
		if err != nil {
			return err
		}
		now := s.clock()
		if before.Version == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO monitor_settings (system_id, org_id, positive, positive_outcome, version, updated_at)
				VALUES (?, ?, ?, ?, 1, ?)`, sys.ID, actor.OrgID, req.Positive, req.PositiveOutcome, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE monitor_settings SET positive = ?, positive_outcome = ?, version = version + 1, updated_at = ?
				WHERE system_id = ? AND org_id = ?`, req.Positive, req.PositiveOutcome, now, sys.ID, actor.OrgID)
		}
		if err != nil {
			return err
		}
		out = &Settings{SystemID: sys.ID, SystemRef: sys.Ref, Positive: req.Positive, PositiveOutcome: req.PositiveOutcome,
			Version: before.Version + 1, UpdatedAt: now}
		type audited struct {
			Positive        string `json:"positive"`
			PositiveOutcome string `json:"positive_outcome"`
		}
		changes, err := tlog.Changes(audited{before.Positive, before.PositiveOutcome}, audited{out.Positive, out.PositiveOutcome})
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "monitor_settings.set",
			tlog.EventObject{Type: ObjectSettings, ID: sys.ID, Ref: sys.Ref}, changes)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot set the monitoring settings of %s: %w", sys.Ref, err)
	}
	return out, nil
}

// checkLabel checks a label field.
func checkLabel(p *aims.Problems, field, v string, required bool) {
	switch {
	case v == "" && required:
		p.Add(field, "is required")
	case len([]rune(v)) > 200:
		p.Add(field, "must be at most 200 characters")
	}
}
