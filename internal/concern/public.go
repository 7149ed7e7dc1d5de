package concern

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Settings say whether anyone without an account may report through the organisation's public link.
type Settings struct {
	PublicEnabled bool `json:"public_enabled"`
	// HasLink tells whether a public link was made; its secret is shown only when made.
	HasLink bool `json:"has_link" doc:"Whether a public link exists; its secret is shown only when it is made or rotated."`
	Version int  `json:"version" doc:"Increases with every change; 0 while nothing was set."`
}

// PublicLink is a newly made public link: shown once, stored only as a digest.
type PublicLink struct {
	Secret string `json:"secret"`
	Path   string `json:"path" doc:"The public page's path, /report/{secret}."`
}

// PublicPath is the path of an organisation's public reporting page.
func PublicPath(secret string) string { return "/report/" + secret }

// SettingsRequest turns public reporting on or off.
type SettingsRequest struct {
	Version       int  `json:"version" minimum:"0" doc:"The settings' version as you read them (0 at first)."`
	PublicEnabled bool `json:"public_enabled"`
}

// Settings returns the reporting settings, to those who handle concerns.
func (s *Service) Settings(ctx context.Context, actor *aims.Actor) (*Settings, error) {
	if err := identity.Authorize(actor, identity.ActConcernHandle); err != nil {
		return nil, err
	}
	return s.settings(ctx, s.db, actor.OrgID)
}

func (s *Service) settings(ctx context.Context, q db.Queryer, orgID string) (*Settings, error) {
	var st Settings
	var enabled int
	var hash string
	err := q.QueryRowContext(ctx, `SELECT public_enabled, token_hash, version FROM concern_settings WHERE org_id = ?`, orgID).
		Scan(&enabled, &hash, &st.Version)
	if db.IsNoRows(err) {
		return &st, nil
	}
	st.PublicEnabled, st.HasLink = enabled == 1, hash != ""
	return &st, err
}

// SetPublic turns public reporting on or off. Turning it on the first time
// makes the link, whose secret is returned this once; otherwise the link is nil.
func (s *Service) SetPublic(ctx context.Context, actor *aims.Actor, req SettingsRequest) (*Settings, *PublicLink, error) {
	return s.changeSettings(ctx, actor, req.Version, func(st *Settings) (bool, bool) { return req.PublicEnabled, req.PublicEnabled && !st.HasLink })
}

// RotateLink replaces the public link by a new one, whose secret is returned this once; the old link stops working.
func (s *Service) RotateLink(ctx context.Context, actor *aims.Actor, version int) (*Settings, *PublicLink, error) {
	return s.changeSettings(ctx, actor, version, func(st *Settings) (bool, bool) { return st.PublicEnabled, true })
}

// changeSettings applies a change that decides whether public reporting is on and whether to make a new link.
func (s *Service) changeSettings(ctx context.Context, actor *aims.Actor, version int, change func(*Settings) (enabled, newLink bool)) (*Settings, *PublicLink, error) {
	if err := identity.Authorize(actor, identity.ActConcernHandle); err != nil {
		return nil, nil, err
	}
	var link *PublicLink
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO concern_settings (org_id, public_enabled, token_hash, version, updated_at)
			VALUES (?, 0, '', 0, ?) ON CONFLICT (org_id) DO NOTHING`, actor.OrgID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE concern_settings SET version = version WHERE org_id = ?`, actor.OrgID); err != nil {
			return err
		}
		st, err := s.settings(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		if version != st.Version {
			return staleVersion("the reporting settings", st.Version, version)
		}
		enabled, newLink := change(st)
		if enabled == st.PublicEnabled && !newLink {
			return nil
		}
		action, ch := ActionSettings, []tlog.Change{}
		if enabled != st.PublicEnabled {
			ch = append(ch, tlog.Change{Field: "public_enabled", Before: mustJSON(st.PublicEnabled), After: mustJSON(enabled)})
		}
		hashSQL, args := "token_hash", []any{}
		if newLink {
			secret, digest := newSecret()
			link = &PublicLink{Secret: secret, Path: PublicPath(secret)}
			hashSQL, args = "?", []any{digest}
			ch = append(ch, tlog.Change{Field: "link", Before: mustJSON(st.HasLink), After: mustJSON("new")})
			if st.HasLink {
				action = ActionRotate
			}
		}
		args = append(args, boolInt(enabled), now, actor.OrgID)
		if _, err := tx.ExecContext(ctx, `UPDATE concern_settings SET token_hash = `+hashSQL+`, public_enabled = ?,
			version = version + 1, updated_at = ? WHERE org_id = ?`, args...); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectSettings, ID: actor.OrgID, Ref: "Concern reporting"}, ch)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot change the reporting settings: %w", err)
	}
	st, err := s.settings(ctx, s.db, actor.OrgID)
	return st, link, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PublicInfo is what the public page shows of the organisation.
type PublicInfo struct {
	Organisation string
	orgID        string
}

// PublicPage finds the organisation of a public link while public reporting is on; otherwise not found.
func (s *Service) PublicPage(ctx context.Context, secret string) (*PublicInfo, error) {
	if !wellFormed(secret) {
		return nil, aims.NotFound("public reporting page", "for this link")
	}
	var orgID string
	err := s.db.QueryRowContext(ctx, `SELECT org_id FROM concern_settings WHERE token_hash = ? AND public_enabled = 1`, digestOf(secret)).Scan(&orgID)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("public reporting page", "for this link")
	}
	if err != nil {
		return nil, err
	}
	name, err := s.sources.OrgName(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return &PublicInfo{Organisation: name, orgID: orgID}, nil
}

// publicWindow and publicLimit bound how many public reports an organisation takes, against floods.
const (
	publicWindow = time.Hour
	publicLimit  = 30
)
