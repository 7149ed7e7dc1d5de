package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// webhookPrefix starts the references of webhooks: WH-1.
const webhookPrefix = "WH"

// Webhook is an endpoint of the organisation that receives reminders as signed JSON.
type Webhook struct {
	ID          string    `json:"id"`
	Ref         string    `json:"ref" doc:"Short reference such as WH-1."`
	URL         string    `json:"url" doc:"Where events are posted: https, or http to localhost."`
	Description string    `json:"description"`
	Kinds       []string  `json:"kinds" doc:"Kinds of reminder posted; empty for every kind."`
	Enabled     bool      `json:"enabled"`
	Version     int       `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// CreatedWebhook is a webhook with its signing secret, shown only when it is made or rotated.
type CreatedWebhook struct {
	Webhook
	Secret string `json:"secret" doc:"The signing secret; it is shown this once."`
}

// WebhookRequest registers a webhook; the URL is required.
type WebhookRequest struct {
	URL         string   `json:"url" maxLength:"2000" doc:"https://…; http only to localhost."`
	Description string   `json:"description,omitempty" maxLength:"2000"`
	Kinds       []string `json:"kinds,omitempty" doc:"Kinds of reminder to post; every kind when empty."`
}

// WebhookUpdate changes the fields it names, if the webhook has not
// changed since the version it is based on.
type WebhookUpdate struct {
	Version     int       `json:"version" minimum:"1"`
	URL         *string   `json:"url,omitempty" maxLength:"2000"`
	Description *string   `json:"description,omitempty" maxLength:"2000"`
	Kinds       *[]string `json:"kinds,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
}

// auditWebhook is what the audit log records of a webhook: never its secret,
// only a fingerprint that shows when it changed.
type auditWebhook struct {
	Ref         string   `json:"ref"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Kinds       []string `json:"kinds"`
	Enabled     bool     `json:"enabled"`
	Secret      string   `json:"secret_fingerprint"`
}

func (w *Webhook) audit(secret string) auditWebhook {
	return auditWebhook{Ref: w.Ref, URL: w.URL, Description: w.Description, Kinds: w.Kinds, Enabled: w.Enabled, Secret: fingerprint(secret)}
}

// fingerprint is the first 12 hex digits of the secret's SHA-256.
func fingerprint(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:6])
}

// newSecret makes a signing secret of 256 random bits.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// normalise checks the webhook's fields and records every problem.
func (w *Webhook) normalise(p *aims.Problems) {
	text(p, "url", &w.URL, true, maxURL)
	if w.URL != "" && !p.Has("url") {
		checkURL(p, w.URL)
	}
	text(p, "description", &w.Description, false, maxText)
	kinds := []string{}
	for _, k := range w.Kinds {
		k = strings.TrimSpace(k)
		if k == "" || slices.Contains(kinds, k) {
			continue
		}
		if !knownKind(k) && !p.Has("kinds") {
			p.Add("kinds", "must each be one of %s", kindValues())
		}
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	w.Kinds = kinds
}

// checkURL records a problem unless u is an https URL, or an http URL to this machine.
func checkURL(p *aims.Problems, u string) {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || parsed.User != nil || parsed.Fragment != "" {
		p.Add("url", "must be an address such as https://hooks.example.org/aims, without user name or fragment")
		return
	}
	switch parsed.Scheme {
	case "https":
	case "http":
		host := parsed.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			p.Add("url", "must use https; http is allowed only to localhost")
		}
	default:
		p.Add("url", "must start with https://")
	}
}

const selectWebhook = `SELECT id, ref, url, description, kinds, enabled, version, created_at, updated_at FROM webhooks`

// scanWebhook reads a webhook's columns, in selectWebhook's order, then any extra ones.
func scanWebhook(scan func(...any) error, extra ...any) (*Webhook, error) {
	w := &Webhook{}
	var kinds string
	if err := scan(append([]any{&w.ID, &w.Ref, &w.URL, &w.Description, &kinds, &w.Enabled, &w.Version, &w.CreatedAt, &w.UpdatedAt},
		extra...)...); err != nil {
		return nil, err
	}
	w.Kinds = []string{}
	if err := json.Unmarshal([]byte(kinds), &w.Kinds); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, nil
}

// getWebhook reads a webhook of the organisation by reference or id, with its secret.
func getWebhook(ctx context.Context, q db.Queryer, orgID, ref string) (*Webhook, string, error) {
	ref = strings.TrimSpace(ref)
	var secret string
	w, err := scanWebhook(q.QueryRowContext(ctx, `SELECT id, ref, url, description, kinds, enabled, version, created_at, updated_at, secret
		FROM webhooks WHERE org_id = ? AND (ref = ? OR id = ?)`, orgID, strings.ToUpper(ref), ref).Scan, &secret)
	if db.IsNoRows(err) {
		return nil, "", aims.NotFound("webhook", ref)
	}
	if err != nil {
		return nil, "", err
	}
	return w, secret, nil
}

// ListWebhooks lists the organisation's webhooks in reference order.
func (s *Service) ListWebhooks(ctx context.Context, actor *aims.Actor) ([]Webhook, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectWebhook+` WHERE org_id = ? ORDER BY created_at, id`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

// GetWebhook reads one webhook of the organisation.
func (s *Service) GetWebhook(ctx context.Context, actor *aims.Actor, ref string) (*Webhook, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	w, _, err := getWebhook(ctx, s.db, actor.OrgID, ref)
	return w, err
}

// enabledWebhooks lists the organisation's enabled webhooks.
func (s *Service) enabledWebhooks(ctx context.Context, orgID string) ([]Webhook, error) {
	rows, err := s.db.QueryContext(ctx, selectWebhook+` WHERE org_id = ? AND enabled = ? ORDER BY id`, orgID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		w, err := scanWebhook(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

// CreateWebhook registers a webhook, enabled, with a new signing secret
// that is returned this once.
func (s *Service) CreateWebhook(ctx context.Context, actor *aims.Actor, req WebhookRequest) (*CreatedWebhook, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	w := &Webhook{URL: req.URL, Description: req.Description, Kinds: req.Kinds, Enabled: true, Version: 1}
	var p aims.Problems
	w.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	secret := newSecret()
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, webhookPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		w.ID, w.Ref, w.CreatedAt, w.UpdatedAt = aims.NewID(), ref, now, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, org_id, ref, url, description, kinds, secret, enabled, version,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.ID, actor.OrgID, w.Ref, w.URL, w.Description,
			kindsJSON(w.Kinds), secret, w.Enabled, w.Version, now, now); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, ActionWebhookCreate, w, nil, w.audit(secret))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot register the webhook: %w", err)
	}
	return &CreatedWebhook{Webhook: *w, Secret: secret}, nil
}

func kindsJSON(kinds []string) string {
	b, _ := json.Marshal(kinds)
	return string(b)
}

// record writes a webhook's audit event.
func (s *Service) record(ctx context.Context, tx *db.Tx, actor *aims.Actor, action string, w *Webhook, before, after any) error {
	ch, err := tlog.Changes(before, after)
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectWebhook, ID: w.ID, Ref: w.Ref}, ch)
}

// UpdateWebhook changes a webhook's address, description, kinds or whether it is enabled.
func (s *Service) UpdateWebhook(ctx context.Context, actor *aims.Actor, ref string, req WebhookUpdate) (*Webhook, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	var out *Webhook
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		w, secret, err := getWebhook(ctx, tx, actor.OrgID, ref)
		if err != nil {
			return err
		}
		if req.Version != w.Version {
			return staleVersion(w.Ref, w.Version, req.Version)
		}
		before := w.audit(secret)
		if req.URL != nil {
			w.URL = *req.URL
		}
		if req.Description != nil {
			w.Description = *req.Description
		}
		if req.Kinds != nil {
			w.Kinds = *req.Kinds
		}
		if req.Enabled != nil {
			w.Enabled = *req.Enabled
		}
		var p aims.Problems
		w.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		w.Version++
		w.UpdatedAt = s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET url = ?, description = ?, kinds = ?, enabled = ?, version = ?, updated_at = ?
			WHERE id = ? AND org_id = ?`, w.URL, w.Description, kindsJSON(w.Kinds), w.Enabled, w.Version, w.UpdatedAt, w.ID, actor.OrgID); err != nil {
			return err
		}
		out = w
		return s.record(ctx, tx, actor, ActionWebhookUpdate, w, before, w.audit(secret))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change webhook %s: %w", ref, err)
	}
	return out, nil
}

// RotateSecret gives a webhook a new signing secret, returned this once;
// the old one stops signing at once.
func (s *Service) RotateSecret(ctx context.Context, actor *aims.Actor, ref string) (*CreatedWebhook, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	secret := newSecret()
	var out *CreatedWebhook
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		w, old, err := getWebhook(ctx, tx, actor.OrgID, ref)
		if err != nil {
			return err
		}
		before := w.audit(old)
		w.Version++
		w.UpdatedAt = s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET secret = ?, version = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			secret, w.Version, w.UpdatedAt, w.ID, actor.OrgID); err != nil {
			return err
		}
		out = &CreatedWebhook{Webhook: *w, Secret: secret}
		return s.record(ctx, tx, actor, ActionWebhookRotate, w, before, w.audit(secret))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot rotate the secret of webhook %s: %w", ref, err)
	}
	return out, nil
}

// DeleteWebhook removes a webhook and its deliveries.
func (s *Service) DeleteWebhook(ctx context.Context, actor *aims.Actor, ref string) error {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		w, secret, err := getWebhook(ctx, tx, actor.OrgID, ref)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ? AND org_id = ?`, w.ID, actor.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ? AND org_id = ?`, w.ID, actor.OrgID); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, ActionWebhookDelete, w, w.audit(secret), nil)
	})
	if err != nil {
		return fmt.Errorf("cannot delete webhook %s: %w", ref, err)
	}
	return nil
}
