package notify_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/servicetest"
)

func TestInboxUnreadFirstAndMarkRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.remind(e.org, evidenceDue("EV-1", "2026-03-10"), evidenceDue("EV-2", "2026-03-05"), evidenceDue("EV-3", "2026-03-20"))
		e.sweep(t)
		in := e.inbox(t, e.owner())
		if refs := refsOf(in.Items); refs != "EV-2 EV-1 EV-3" || in.Unread != 3 || in.Total != 3 {
			t.Fatalf("inbox %s, %d unread of %d; want by due date, 3 unread", refs, in.Unread, in.Total)
		}
		e.clock.Advance(time.Hour)
		n, err := e.svc.MarkRead(e.ctx, e.owner(), in.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.ReadAt == nil || !n.ReadAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("read at %v", n.ReadAt)
		}
		in = e.inbox(t, e.owner())
		if refs := refsOf(in.Items); refs != "EV-1 EV-3 EV-2" || in.Unread != 2 {
			t.Errorf("after reading EV-2: %s, %d unread; want the read one last", refs, in.Unread)
		}
		unread, err := e.svc.List(e.ctx, e.owner(), notify.InboxQuery{Unread: true})
		if err != nil || refsOf(unread.Items) != "EV-1 EV-3" || unread.Total != 2 {
			t.Errorf("unread only: %+v %v", unread, err)
		}
		if c, _ := e.svc.UnreadCount(e.ctx, e.owner()); c != 2 {
			t.Errorf("unread count %d", c)
		}
		// Reading is the person's own state: the manager's copy stays unread, and no audit event is written.
		before := len(servicetest.Actions(t, e.ctx, d, e.org))
		if m, err := e.svc.MarkAllRead(e.ctx, e.owner()); err != nil || m != 2 {
			t.Errorf("marked %d (%v), want 2", m, err)
		}
		if c, _ := e.svc.UnreadCount(e.ctx, e.manager()); c != 3 {
			t.Errorf("the manager's unread count is %d, want 3", c)
		}
		if after := len(servicetest.Actions(t, e.ctx, d, e.org)); after != before {
			t.Errorf("reading wrote %d audit events", after-before)
		}
		// Another person's notification, or another organisation's person, answers not found.
		mine := e.inbox(t, e.manager()).Items[0].ID
		globex := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			for _, a := range []*aims.Actor{e.owner(), e.as[aims.RoleViewer], globex} {
				_, err := e.svc.MarkRead(e.ctx, a, mine)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			}
		})
		_, err = e.svc.List(e.ctx, e.owner(), notify.InboxQuery{Limit: 500})
		servicetest.WantFields(t, err, aims.CodeInvalid, "limit")
		_, err = e.svc.List(e.ctx, admin, notify.InboxQuery{})
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

func refsOf(ns []notify.Notification) string {
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += " "
		}
		s += n.Ref
	}
	return s
}

func TestPreferencesVersion(t *testing.T) {
	e := newEnv(t, dbtest.New(t, db.SQLite))
	p, err := e.svc.GetPreferences(e.ctx, e.as[aims.RoleViewer])
	if err != nil || !p.Email || p.Version != 0 || p.EmailAvailable {
		t.Fatalf("defaults %+v %v", p, err)
	}
	if p, err = e.svc.SetPreferences(e.ctx, e.as[aims.RoleViewer], notify.PreferencesRequest{Email: false}); err != nil || p.Version != 1 || p.Email {
		t.Fatalf("set %+v %v", p, err)
	}
	servicetest.Unchanged(t, e.d, func() {
		_, err := e.svc.SetPreferences(e.ctx, e.as[aims.RoleViewer], notify.PreferencesRequest{Email: true})
		servicetest.WantFields(t, err, aims.CodeConflict, "version")
	})
	if p, err = e.svc.SetPreferences(e.ctx, e.as[aims.RoleViewer], notify.PreferencesRequest{Email: true, Version: 1}); err != nil || p.Version != 2 || !p.Email {
		t.Errorf("set again %+v %v", p, err)
	}
}

func TestWebhookPermissionsAndValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		h, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: "https://hooks.example.org/a"})
		if err != nil {
			t.Fatal(err)
		}
		globex := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		allowed := map[aims.Role]bool{aims.RoleOwner: true, aims.RoleManager: true}
		servicetest.Unchanged(t, d, func() {
			for _, role := range aims.Roles {
				a := e.as[role]
				_, err := e.svc.ListWebhooks(e.ctx, a)
				if allowed[role] != (err == nil) {
					t.Errorf("%s listing webhooks: %v", role, err)
				}
				if allowed[role] {
					continue
				}
				_, err = e.svc.CreateWebhook(e.ctx, a, notify.WebhookRequest{URL: "https://x.example"})
				servicetest.WantCode(t, err, aims.CodeForbidden)
				_, err = e.svc.UpdateWebhook(e.ctx, a, h.Ref, notify.WebhookUpdate{Version: 1, Enabled: ptr(false)})
				servicetest.WantCode(t, err, aims.CodeForbidden)
				_, err = e.svc.RotateSecret(e.ctx, a, h.Ref)
				servicetest.WantCode(t, err, aims.CodeForbidden)
				_, err = e.svc.TestWebhook(e.ctx, a, h.Ref)
				servicetest.WantCode(t, err, aims.CodeForbidden)
				servicetest.WantCode(t, e.svc.DeleteWebhook(e.ctx, a, h.Ref), aims.CodeForbidden)
			}
			_, err := e.svc.GetWebhook(e.ctx, globex, h.Ref)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.RotateSecret(e.ctx, globex, h.ID)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			servicetest.WantCode(t, e.svc.DeleteWebhook(e.ctx, globex, h.Ref), aims.CodeNotFound)
			_, err = e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: "http://hooks.example.org/a", Kinds: []string{"birthday"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "kinds", "url")
			_, err = e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: "ftp://hooks.example.org"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "url")
			_, err = e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{})
			servicetest.WantFields(t, err, aims.CodeInvalid, "url")
			_, err = e.svc.UpdateWebhook(e.ctx, e.owner(), h.Ref, notify.WebhookUpdate{Version: 7, Enabled: ptr(false)})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateWebhook(e.ctx, e.owner(), h.Ref, notify.WebhookUpdate{Version: 1, URL: ptr("https://u:p@x.example")})
			servicetest.WantFields(t, err, aims.CodeInvalid, "url")
		})
		for _, u := range []string{"http://localhost:8080/hook", "http://127.0.0.1:9/x", "http://[::1]/x"} {
			if _, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: u}); err != nil {
				t.Errorf("%s refused: %v", u, err)
			}
		}
	})
}

func TestAuditFailureRefusesConfiguration(t *testing.T) {
	e := newEnv(t, dbtest.New(t, db.SQLite))
	servicetest.FailAuditAppends(t, e.d)
	servicetest.Unchanged(t, e.d, func() {
		if _, err := e.svc.CreateWebhook(e.ctx, e.owner(), notify.WebhookRequest{URL: "https://hooks.example.org"}); err == nil {
			t.Error("a webhook was registered without its audit event")
		}
		if _, err := e.svc.SetPreferences(e.ctx, e.owner(), notify.PreferencesRequest{Email: false}); err == nil {
			t.Error("a preference was stored without its audit event")
		}
	})
}
