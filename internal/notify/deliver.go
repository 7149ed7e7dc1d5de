package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// Event types posted to webhooks.
const (
	EventReminder = "reminder.due" // something is due: the event carries the reminder
	EventPing     = "ping"         // a test event sent on request, without a reminder
)

// Event is the JSON body of a webhook delivery.
type Event struct {
	ID           string         `json:"id" doc:"Unique per event; a retried delivery carries the same id."`
	Type         string         `json:"type" enum:"reminder.due,ping"`
	Organisation EventOrg       `json:"organisation"`
	CreatedAt    time.Time      `json:"created_at"`
	Reminder     *aims.Reminder `json:"reminder,omitempty"`
}

// EventOrg names the organisation of an event.
type EventOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Delivery is one event posted, or to be posted, to a webhook.
type Delivery struct {
	ID           string     `json:"id" doc:"Sent as X-Aims-Delivery."`
	EventID      string     `json:"event_id"`
	EventType    string     `json:"event_type" enum:"reminder.due,ping"`
	ReminderKey  string     `json:"reminder_key"`
	Status       string     `json:"status" enum:"pending,sent,failed"`
	Attempts     int        `json:"attempts"`
	ResponseCode int        `json:"response_code" doc:"HTTP status of the latest attempt; 0 when none was received."`
	LastError    string     `json:"last_error"`
	NextAttempt  time.Time  `json:"next_attempt_at"`
	CreatedAt    time.Time  `json:"created_at"`
	DeliveredAt  *time.Time `json:"delivered_at"`
}

// Sign returns the X-Aims-Signature of a body sent at a Unix time:
// "sha256=" and the hex HMAC-SHA256, keyed with the secret, of the
// timestamp, a full stop and the body.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// enqueueDelivery records an event for a webhook once per key, and reports whether it did.
func (s *Service) enqueueDelivery(ctx context.Context, tx *db.Tx, org Org, hookID, typ, key string, r *aims.Reminder, now time.Time) (bool, error) {
	ev := Event{ID: aims.NewID(), Type: typ, Organisation: EventOrg{ID: org.ID, Name: org.Name}, CreatedAt: now.UTC(), Reminder: r}
	body, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	return insertIfAbsent(ctx, tx, `INSERT INTO webhook_deliveries (id, org_id, webhook_id, event_id, event_type, reminder_key, body,
		status, attempts, response_code, last_error, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', ?, ?)
		ON CONFLICT (webhook_id, reminder_key) DO NOTHING`, aims.NewID(), org.ID, hookID, ev.ID, typ, key, string(body), StatusPending, now, now)
}

// sendDeliveries posts the pending webhook deliveries whose time has come.
func (s *Service) sendDeliveries(ctx context.Context) error {
	ids, err := s.due(ctx, "webhook_deliveries", s.clock())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.attempt(ctx, id, false); err != nil {
			return err
		}
	}
	return nil
}

// attempt claims a delivery and posts it once, recording the outcome. The
// deliveries of a disabled webhook wait until it is enabled again, unless
// evenDisabled is set, for a test event.
func (s *Service) attempt(ctx context.Context, id string, evenDisabled bool) error {
	var enabled bool
	if err := s.db.QueryRowContext(ctx, `SELECT w.enabled FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.id = ?`, id).Scan(&enabled); err != nil || (!enabled && !evenDisabled) {
		return err
	}
	ok, err := s.claim(ctx, "webhook_deliveries", id, s.clock(), 2*WebhookTimeout)
	if err != nil || !ok {
		return err
	}
	var url, secret, typ, body string
	var attempts int
	if err := s.db.QueryRowContext(ctx, `SELECT w.url, w.secret, d.event_type, d.body, d.attempts FROM webhook_deliveries d
		JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`, id).Scan(&url, &secret, &typ, &body, &attempts); err != nil {
		return err
	}
	code, failure := s.post(ctx, url, secret, id, typ, []byte(body))
	return s.settle(ctx, "webhook_deliveries", id, attempts, code, failure, "delivered_at")
}

// post sends one delivery and returns the response's status; any answer but 2xx is a failure.
func (s *Service) post(ctx context.Context, url, secret, deliveryID, typ string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(s.clock().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aims-webhook/1")
	req.Header.Set("X-Aims-Event", typ)
	req.Header.Set("X-Aims-Delivery", deliveryID)
	req.Header.Set("X-Aims-Timestamp", ts)
	req.Header.Set("X-Aims-Signature", Sign(secret, ts, body))
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the endpoint answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// TestWebhook posts a ping event to a webhook now and returns the recorded
// delivery; a failed ping is retried like any delivery.
func (s *Service) TestWebhook(ctx context.Context, actor *aims.Actor, ref string) (*Delivery, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	w, _, err := getWebhook(ctx, s.db, actor.OrgID, ref)
	if err != nil {
		return nil, err
	}
	org := Org{ID: actor.OrgID}
	orgs, err := s.sources.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.ID == actor.OrgID {
			org = o
		}
	}
	key := "ping:" + aims.NewID()
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		_, err := s.enqueueDelivery(ctx, tx, org, w.ID, EventPing, key, nil, s.clock())
		return err
	})
	if err != nil {
		return nil, err
	}
	var id string
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM webhook_deliveries WHERE webhook_id = ? AND reminder_key = ?`, w.ID, key).Scan(&id); err != nil {
		return nil, err
	}
	if err := s.attempt(ctx, id, true); err != nil {
		return nil, err
	}
	ds, err := s.deliveries(ctx, actor.OrgID, ` AND d.id = ?`, id)
	if err != nil || len(ds) == 0 {
		return nil, fmt.Errorf("cannot read the test delivery: %w", err)
	}
	return &ds[0], nil
}

// Deliveries lists a webhook's latest deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, actor *aims.Actor, ref string, limit int) ([]Delivery, error) {
	if err := identity.Authorize(actor, identity.ActNotifyConfigure); err != nil {
		return nil, err
	}
	w, _, err := getWebhook(ctx, s.db, actor.OrgID, ref)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > 200 {
		limit = 50
	}
	return s.deliveries(ctx, actor.OrgID, ` AND d.webhook_id = ? ORDER BY d.created_at DESC, d.id DESC LIMIT ?`, w.ID, limit)
}

func (s *Service) deliveries(ctx context.Context, orgID, rest string, args ...any) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.event_id, d.event_type, d.reminder_key, d.status, d.attempts, d.response_code,
		d.last_error, d.next_attempt_at, d.created_at, d.delivered_at FROM webhook_deliveries d WHERE d.org_id = ?`+rest,
		append([]any{orgID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.EventID, &d.EventType, &d.ReminderKey, &d.Status, &d.Attempts, &d.ResponseCode, &d.LastError,
			&d.NextAttempt, &d.CreatedAt, &d.DeliveredAt); err != nil {
			return nil, err
		}
		d.NextAttempt, d.CreatedAt = d.NextAttempt.UTC(), d.CreatedAt.UTC()
		if d.DeliveredAt != nil {
			t := d.DeliveredAt.UTC()
			d.DeliveredAt = &t
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
