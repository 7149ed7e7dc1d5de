package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/evidence"
)

// TestNotificationPages sweeps real expiring evidence into the owner's
// notification centre, shows the unread count in the header, marks
// notifications read, turns e-mail off, and registers, tests, rotates and
// deletes a webhook through the forms; viewers see no webhook pages.
func TestNotificationPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, manager, viewer := cs[aims.RoleOwner], cs[aims.RoleManager], cs[aims.RoleViewer]
		until := time.Now().UTC().AddDate(0, 0, 5).Format(time.DateOnly)
		for _, title := range []string{"Model card", "Bias review"} {
			if _, err := e.app.Evidence.Add(e.ctx, e.owner(), evidence.AddRequest{Kind: "note", Title: title, Note: "n", ValidUntil: until}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.app.Notifications.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}

		// Other capabilities may remind the owner of their own things: count what the service says.
		unread := func() int {
			n, err := e.app.Notifications.UnreadCount(e.ctx, e.owner())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		badge := func(n int) string { return strconv.Itoa(n) + `<span class="visually-hidden"> unread</span>` }
		before := unread()
		r := owner.get("/notifications")
		want(t, r, http.StatusOK, `href="/notifications"`, badge(before), "Evidence expiring",
			"EV-1 Model card is valid until "+until, `href="/evidence/EV-1"`, "Mark all read", "not set up to send e-mail", `href="/notifications/webhooks"`)
		wantCSPSafe(t, r)
		id := regexpFind(t, r.Body, `action="/notifications/read/([0-9a-f-]+)" class="inline-form"><button type="submit" class="btn btn-quiet btn-small">Mark read<span class="visually-hidden">: EV-1 `)
		wantRedirect(t, owner.post("/notifications/read/"+id, nil), "/notifications")
		want(t, owner.get("/notifications"), http.StatusOK, badge(before-1))
		want(t, viewer.post("/notifications/read/"+id, nil), http.StatusNotFound)
		wantRedirect(t, owner.post("/notifications/read-all", nil), "/notifications")
		r = owner.get("/notifications")
		want(t, r, http.StatusOK, "Marked "+strconv.Itoa(before-1)+" notifications read.")
		wantNot(t, r, `<span class="visually-hidden"> unread</span>`, "Mark all read")

		r = viewer.get("/notifications")
		want(t, r, http.StatusOK, "Notifications")
		wantNot(t, r, `href="/notifications/webhooks"`, "EV-1 Model card")
		wantRedirect(t, viewer.post("/notifications/preferences", url.Values{"version": {"0"}}), "/notifications")
		want(t, viewer.get("/notifications"), http.StatusOK, "E-mail is off")
		want(t, viewer.post("/notifications/preferences", url.Values{"version": {"0"}, "email": {"on"}}), http.StatusConflict, "Someone changed your notification settings")
		want(t, viewer.get("/notifications/webhooks"), http.StatusForbidden)
		want(t, viewer.post("/notifications/webhooks", url.Values{"url": {"https://x.example"}}), http.StatusForbidden)

		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }))
		defer receiver.Close()
		r = manager.post("/notifications/webhooks", url.Values{"url": {"http://hooks.example.org/x"}, "description": {"Typed"},
			"kinds": {"birthday"}})
		want(t, r, http.StatusUnprocessableEntity, "must use https", `value="Typed"`, `aria-invalid="true"`)
		r = manager.post("/notifications/webhooks", url.Values{"url": {receiver.URL}, "description": {"Compliance channel"},
			"kinds": {"evidence_expiring"}})
		want(t, r, http.StatusCreated, "Signing secret of WH-1", "It will not be shown again", `value="whsec_`)
		wantCSPSafe(t, r)
		r = manager.get("/notifications/webhooks/WH-1")
		want(t, r, http.StatusOK, "Compliance channel", "Send a test event")
		wantNot(t, r, `value="whsec_`)
		wantRedirect(t, manager.post("/notifications/webhooks/WH-1/test", nil), "/notifications/webhooks/WH-1")
		want(t, manager.get("/notifications/webhooks/WH-1"), http.StatusOK, "The test event was delivered: the endpoint answered 202.", "ping")
		want(t, manager.post("/notifications/webhooks/WH-1", url.Values{"version": {"9"}, "url": {receiver.URL}}), http.StatusConflict)
		wantRedirect(t, manager.post("/notifications/webhooks/WH-1", url.Values{"version": {"1"}, "url": {receiver.URL},
			"description": {"Renamed"}}), "/notifications/webhooks/WH-1")
		r = manager.get("/notifications/webhooks")
		want(t, r, http.StatusOK, "Renamed", "Disabled", "All kinds")
		want(t, owner.post("/notifications/webhooks/WH-1/rotate", nil), http.StatusOK, `value="whsec_`)
		wantRedirect(t, owner.post("/notifications/webhooks/WH-1/delete", nil), "/notifications/webhooks")
		want(t, owner.get("/notifications/webhooks/WH-1"), http.StatusNotFound)
		want(t, owner.get("/audit"), http.StatusOK, "registered webhook", "rotated the secret of webhook", "deleted webhook")
	})
}
