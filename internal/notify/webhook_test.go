package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/servicetest"
)

// receiver is a webhook endpoint that checks each signature on its own, with crypto/hmac.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	status int
	got    []received
}

type received struct {
	Header   http.Header
	Event    notify.Event
	SigValid bool
}

func startReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusNoContent}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		mac := hmac.New(sha256.New, []byte(r.secret))
		mac.Write([]byte(req.Header.Get("X-Aims-Timestamp") + "." + string(body)))
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		var ev notify.Event
		_ = json.Unmarshal(body, &ev)
		r.got = append(r.got, received{Header: req.Header.Clone(), Event: ev,
			SigValid: hmac.Equal([]byte(want), []byte(req.Header.Get("X-Aims-Signature")))})
		w.WriteHeader(r.status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) set(secret string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret, r.status = secret, status
}

func TestWebhookReceivesSignedReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rcv := startReceiver(t)
		all, err := e.svc.CreateWebhook(e.ctx, e.manager(), notify.WebhookRequest{URL: rcv.srv.URL + "/all", Description: "Everything"})
		if err != nil {
			t.Fatal(err)
		}
		rcv.set(all.Secret, http.StatusOK)
		// A webhook for incidents only, and a disabled one, receive nothing.
		if _, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: rcv.srv.URL + "/incidents",
			Kinds: []string{aims.ReminderIncidentDeadline}}); err != nil {
			t.Fatal(err)
		}
		off, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: rcv.srv.URL + "/off"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateWebhook(e.ctx, e.owner(), off.Ref, notify.WebhookUpdate{Version: 1, Enabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"))
		if r := e.sweep(t); r.Deliveries != 1 {
			t.Errorf("%d deliveries queued, want 1", r.Deliveries)
		}
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.sweep(t)
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		// Disabled before its delivery was sent, a webhook holds it until enabled again.
		disabled, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: rcv.srv.URL + "/later"})
		if err != nil {
			t.Fatal(err)
		}
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"), evidenceDue("EV-2", "2026-03-21"))
		e.sweep(t)
		if _, err := e.svc.UpdateWebhook(e.ctx, e.owner(), disabled.Ref, notify.WebhookUpdate{Version: 1, Enabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending' AND attempts = 0`,
			disabled.ID); n != 2 {
			t.Errorf("%d deliveries of the disabled webhook wait untried, want 2", n)
		}
		got := rcv.received()
		if len(got) != 2 {
			t.Fatalf("received %d posts, want EV-1 then EV-2 on the first webhook", len(got))
		}
		g := got[0]
		if !g.SigValid {
			t.Error("the signature does not verify")
		}
		if g.Header.Get("X-Aims-Event") != "reminder.due" || g.Header.Get("X-Aims-Timestamp") != strconv.FormatInt(t0.Unix(), 10) ||
			g.Header.Get("Content-Type") != "application/json" || g.Header.Get("X-Aims-Delivery") == "" {
			t.Errorf("headers %v", g.Header)
		}
		ev := g.Event
		if ev.Type != "reminder.due" || ev.ID == "" || ev.Organisation.ID != e.org || ev.Organisation.Name != "Acme Ltd" ||
			!ev.CreatedAt.Equal(t0) || ev.Reminder == nil || ev.Reminder.Key != "evidence:EV-1:2026-03-20" || ev.Reminder.Ref != "EV-1" {
			t.Errorf("event %+v", ev)
		}
		ds, err := e.svc.Deliveries(e.ctx, e.owner(), all.Ref, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Newest first: EV-1's delivery is the last.
		if len(ds) != 2 || ds[1].Status != "sent" || ds[1].ResponseCode != 200 || ds[1].Attempts != 1 ||
			ds[1].ID != g.Header.Get("X-Aims-Delivery") || ds[1].EventID != ev.ID || ds[0].ReminderKey != "evidence:EV-2:2026-03-21" {
			t.Errorf("deliveries %+v", ds)
		}
	})
}

func TestFailingWebhookIsRetriedThenFailed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rcv := startReceiver(t)
		h, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: rcv.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		rcv.set(h.Secret, http.StatusInternalServerError)
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"))
		e.sweep(t)
		start := e.clock.Now()
		for i := 0; i < notify.MaxAttempts; i++ {
			if err := e.svc.Deliver(e.ctx); err != nil {
				t.Fatal(err)
			}
			ds, err := e.svc.Deliveries(e.ctx, e.owner(), h.Ref, 0)
			if err != nil {
				t.Fatal(err)
			}
			d := ds[0]
			if d.Attempts != i+1 || d.ResponseCode != 500 || d.LastError != "the endpoint answered 500 Internal Server Error" {
				t.Errorf("after attempt %d: %+v", i+1, d)
			}
			if i < notify.MaxAttempts-1 {
				// 1, 2, 4, 8 minutes after each failure.
				wait := time.Minute << i
				if d.Status != "pending" || !d.NextAttempt.Equal(e.clock.Now().Add(wait)) {
					t.Errorf("after attempt %d: status %s, next %v, want pending at +%v", i+1, d.Status, d.NextAttempt, wait)
				}
				e.clock.Advance(wait)
			} else if d.Status != "failed" {
				t.Errorf("after the last attempt the delivery is %s, want failed", d.Status)
			}
		}
		if e.clock.Now().Sub(start) != 15*time.Minute {
			t.Errorf("attempts took %v, want 1+2+4+8 = 15 minutes", e.clock.Now().Sub(start))
		}
		for _, g := range rcv.received() {
			if !g.SigValid {
				t.Error("a retry carried a bad signature")
			}
		}
		if n := len(rcv.received()); n != notify.MaxAttempts {
			t.Errorf("the endpoint saw %d attempts, want %d", n, notify.MaxAttempts)
		}
		e.clock.Advance(24 * time.Hour)
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(rcv.received()); n != notify.MaxAttempts {
			t.Errorf("a failed delivery was tried again: %d posts", n)
		}
	})
}

func TestTestWebhookAndRotation(t *testing.T) {
	e := newEnv(t, dbtest.New(t, db.SQLite))
	rcv := startReceiver(t)
	h, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: rcv.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rcv.set(h.Secret, http.StatusOK)
	rotated, err := e.svc.RotateSecret(e.ctx, e.manager(), h.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == h.Secret || len(rotated.Secret) != len("whsec_")+64 || rotated.Version != 2 {
		t.Fatalf("rotated %+v", rotated)
	}
	// Signed with the new secret, the ping does not verify with the old one.
	d, err := e.svc.TestWebhook(e.ctx, e.owner(), h.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "sent" || d.EventType != "ping" || d.ResponseCode != 200 {
		t.Errorf("ping %+v", d)
	}
	got := rcv.received()
	if len(got) != 1 || got[0].SigValid || got[0].Event.Type != "ping" || got[0].Event.Reminder != nil {
		t.Errorf("ping with the old secret: %+v", got)
	}
	rcv.set(rotated.Secret, http.StatusOK)
	if _, err := e.svc.TestWebhook(e.ctx, e.owner(), h.Ref); err != nil {
		t.Fatal(err)
	}
	if got := rcv.received(); len(got) != 2 || !got[1].SigValid {
		t.Errorf("ping with the new secret does not verify: %+v", got)
	}
}

// TestSignKnownAnswer checks Sign against a value computed apart, with
// Python's hmac module: hmac.new(b"whsec_test", b'1772442000.{"id":"e1"}', sha256).
func TestSignKnownAnswer(t *testing.T) {
	got := notify.Sign("whsec_test", "1772442000", []byte(`{"id":"e1"}`))
	if got != "sha256=de53f4184b233940dec58d7d3600aaea3ca9f4dadeb514bb60f8786e410bf9a9" {
		t.Errorf("signature %s", got)
	}
}

func TestWebhookAuditEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		h, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: "https://hooks.example.org/aims", Description: "Chat",
			Kinds: []string{aims.ReminderReviewDue, aims.ReminderEvidenceExpiring, aims.ReminderReviewDue}})
		if err != nil {
			t.Fatal(err)
		}
		if h.Ref != "WH-1" || len(h.Kinds) != 2 || h.Kinds[0] != "evidence_expiring" || !h.Enabled {
			t.Errorf("created %+v", h)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		ch := servicetest.ChangeMap(t, ev)
		if ev.Action != notify.ActionWebhookCreate || ev.Object.Ref != "WH-1" || ch["url"][1] != `"https://hooks.example.org/aims"` ||
			ch["secret_fingerprint"][1] == "" {
			t.Errorf("create event %+v %v", ev, ch)
		}
		if _, err := e.svc.UpdateWebhook(e.ctx, e.manager(), "wh-1", notify.WebhookUpdate{Version: 1, Description: ptr("Team chat")}); err != nil {
			t.Fatal(err)
		}
		ch = servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if len(ch) != 1 || ch["description"] != [2]string{`"Chat"`, `"Team chat"`} {
			t.Errorf("update changes %v", ch)
		}
		rotated, err := e.svc.RotateSecret(e.ctx, e.owner(), "WH-1")
		if err != nil {
			t.Fatal(err)
		}
		ch = servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if len(ch) != 1 || ch["secret_fingerprint"][0] == ch["secret_fingerprint"][1] {
			t.Errorf("rotation changes %v", ch)
		}
		if err := e.svc.DeleteWebhook(e.ctx, e.owner(), "WH-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPreferences(e.ctx, e.as[aims.RoleViewer], notify.PreferencesRequest{Email: false}); err != nil {
			t.Fatal(err)
		}
		ch = servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["email"] != [2]string{"true", "false"} {
			t.Errorf("preference changes %v", ch)
		}
		var actions []string
		for _, a := range servicetest.Actions(t, e.ctx, d, e.org) {
			if a != "user.create" && a != "membership.create" && a != "organisation.create" {
				actions = append(actions, a)
			}
		}
		want := []string{"webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.delete", "notification.preferences"}
		if len(actions) < len(want) || !equal(actions[len(actions)-len(want):], want) {
			t.Errorf("actions %v, want to end with %v", actions, want)
		}
		for _, secret := range []string{h.Secret, rotated.Secret} {
			if servicetest.PayloadsContain(t, d, secret) || servicetest.PayloadsContain(t, d, secret[6:]) {
				t.Error("a webhook secret is in the audit log")
			}
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM webhooks`); n != 0 {
			t.Errorf("%d webhooks after deletion", n)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func ptr[T any](v T) *T { return &v }
