package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/notify/notifytest"
)

// hookReceiver records the posts of a webhook and checks each signature
// on its own, with crypto/hmac, once it knows the secret.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	posts  []notify.Event
	bad    int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	mac := hmac.New(sha256.New, []byte(h.secret))
	mac.Write([]byte(r.Header.Get("X-Aims-Timestamp") + "." + string(body)))
	if !hmac.Equal([]byte("sha256="+hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Aims-Signature"))) {
		h.bad++
	}
	var ev notify.Event
	_ = json.Unmarshal(body, &ev)
	h.posts = append(h.posts, ev)
	w.WriteHeader(http.StatusOK)
}

// TestRemindersEndToEnd runs the real app with the real evidence and
// supplier services: expiring evidence and a supplier never assessed
// become one notification for each owner and manager, one e-mail digest
// each through an SMTP server started here, and signed webhook posts;
// sweeping again tells nobody twice.
func TestRemindersEndToEnd(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			mail := notifytest.StartSMTP(t)
			hooks := &hookReceiver{}
			receiver := httptest.NewServer(hooks)
			t.Cleanup(receiver.Close)
			cfg := apptest.Config(t, dialect, map[string]string{"AIMS_SMTP_HOST": "127.0.0.1", "AIMS_SMTP_PORT": strconv.Itoa(mail.Port()),
				"AIMS_SMTP_TLS": "none", "AIMS_SMTP_FROM": "aims@acme.example", "AIMS_PUBLIC_URL": "https://aims.acme.example"})
			e := apptest.NewWithConfig(t, cfg)
			w := &world{Env: e, tokens: map[string]string{"none": "", "owner": e.Token("Acme", e.OwnerEmail)}}
			for _, r := range []aims.Role{aims.RoleManager, aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
				w.tokens[string(r)] = e.Member("Acme", string(r)+"@acme.example", r)
			}
			w.tokens["globex"] = e.Member("Globex", "owner@globex.example", aims.RoleOwner)
			ctx := context.Background()
			contributor, err := e.App.Identity.AuthenticateToken(ctx, w.tokens["contributor"])
			if err != nil {
				t.Fatal(err)
			}
			until := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
			ev, err := e.App.Evidence.Add(ctx, contributor, evidence.AddRequest{Kind: "note", Title: "Model card", Note: "Reviewed", ValidUntil: until})
			if err != nil {
				t.Fatal(err)
			}
			w.run(t, []step{
				{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}},
				{name: "a supplier", who: "contributor", method: "POST", path: "/api/v1/suppliers", body: `{"name":"DataCo","kind":"supplier"}`,
					status: 201, actions: []string{"third_party.create"}},
				{name: "a supply", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-1/supplies", body: `{"kind":"service","system":"SYS-1"}`,
					status: 201, actions: []string{"supply.create"}},
				{name: "contributor webhook", who: "contributor", method: "POST", path: "/api/v1/webhooks", body: `{"url":"https://x.example"}`, status: 403},
				{name: "bad webhook", who: "manager", method: "POST", path: "/api/v1/webhooks", body: `{"url":"http://hooks.example.org","kinds":["birthday"]}`,
					status: 422, fields: []string{"body.kinds", "body.url"}},
			})
			created := w.call(t, "manager", "POST", "/api/v1/webhooks", `{"url":"`+receiver.URL+`/aims","description":"Compliance channel"}`)
			if created.status != 201 {
				t.Fatalf("create webhook = %d %s", created.status, created.body)
			}
			hooks.mu.Lock()
			hooks.secret = created.json(t)["secret"].(string)
			hooks.mu.Unlock()

			for range 2 {
				if err := e.App.Notifications.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}
			// Other capabilities may remind of their own things too: the checks
			// look at the evidence's and the supplier's reminders.
			ours := func(ref string) bool { return ref == ev.Ref || ref == "TP-1" }
			// One digest each for Acme's owner and manager, with both reminders.
			acme := map[string]int{}
			for _, m := range mail.Received() {
				if !strings.Contains(m.Data, "Subject: [aims] Acme") {
					continue
				}
				acme[m.To[0]]++
				if !strings.Contains(m.Data, "https://aims.acme.example/evidence/"+ev.Ref) || !strings.Contains(m.Data, "Supplier DataCo has never been assessed") {
					t.Errorf("e-mail to %v:\n%s", m.To, m.Data)
				}
			}
			if len(acme) != 2 || acme[e.OwnerEmail] != 1 || acme["manager@acme.example"] != 1 {
				t.Errorf("Acme's e-mails went to %v, want one each to the owner and the manager", acme)
			}
			hooks.mu.Lock()
			posted := map[string]int{}
			for _, p := range hooks.posts {
				if p.Reminder != nil && ours(p.Reminder.Ref) {
					posted[p.Reminder.Ref]++
				}
			}
			bad := hooks.bad
			hooks.mu.Unlock()
			if posted[ev.Ref] != 1 || posted["TP-1"] != 1 || bad != 0 {
				t.Errorf("webhook posts %v, %d with a bad signature; want one each, none bad", posted, bad)
			}

			inbox := func(who, query string) notify.Inbox {
				t.Helper()
				r := w.call(t, who, "GET", "/api/v1/notifications"+query, "")
				var in notify.Inbox
				if err := json.Unmarshal(r.body, &in); err != nil || r.status != 200 {
					t.Fatalf("%s's inbox = %d %s", who, r.status, r.body)
				}
				return in
			}
			in := inbox("owner", "?limit=200")
			var evID string
			told := map[string]int{}
			for _, n := range in.Items {
				if ours(n.Ref) {
					told[n.Ref]++
				}
				if n.Ref == ev.Ref {
					evID = n.ID
				}
			}
			if told[ev.Ref] != 1 || told["TP-1"] != 1 || in.Unread != in.Total {
				t.Fatalf("owner's inbox: %+v", in)
			}
			for _, who := range []string{"contributor", "globex"} {
				for _, n := range inbox(who, "?limit=200").Items {
					if n.Ref == ev.Ref || n.Ref == "TP-1" {
						t.Errorf("%s was told of %s", who, n.Ref)
					}
				}
			}
			w.run(t, []step{
				{name: "another's notification", who: "manager", method: "POST", path: "/api/v1/notifications/" + evID + "/read", status: 404},
				{name: "read one", who: "owner", method: "POST", path: "/api/v1/notifications/" + evID + "/read", status: 200,
					has: []string{`"read_at":"`}},
				{name: "unread only", who: "owner", method: "GET", path: "/api/v1/notifications?unread=true", status: 200,
					has: []string{`"total":` + strconv.Itoa(in.Unread-1)}},
				{name: "read all", who: "owner", method: "POST", path: "/api/v1/notifications/read-all", status: 200,
					has: []string{`"marked":` + strconv.Itoa(in.Unread-1)}},
			})
			w.run(t, []step{
				{name: "bad limit", who: "owner", method: "GET", path: "/api/v1/notifications?limit=0", status: 422, fields: []string{"query.limit"}},
				{name: "anonymous", who: "none", method: "GET", path: "/api/v1/notifications", status: 401},
				{name: "preferences", who: "viewer", method: "GET", path: "/api/v1/notifications/preferences", status: 200,
					has: []string{`"email":true`, `"version":0`, `"email_available":true`}},
				{name: "email off", who: "viewer", method: "PUT", path: "/api/v1/notifications/preferences", body: `{"email":false,"version":0}`, status: 200,
					has: []string{`"email":false`, `"version":1`}, actions: []string{"notification.preferences"}},
				{name: "stale preferences", who: "viewer", method: "PUT", path: "/api/v1/notifications/preferences", body: `{"email":true,"version":0}`,
					status: 409, fields: []string{"body.version"}},

				{name: "list webhooks", who: "owner", method: "GET", path: "/api/v1/webhooks", status: 200, has: []string{`"ref":"WH-1"`}},
				{name: "viewer webhooks", who: "viewer", method: "GET", path: "/api/v1/webhooks", status: 403},
				{name: "globex webhook", who: "globex", method: "GET", path: "/api/v1/webhooks/WH-1", status: 404},
				{name: "get webhook", who: "manager", method: "GET", path: "/api/v1/webhooks/wh-1", status: 200, has: []string{`"enabled":true`}},
				{name: "disable", who: "manager", method: "PATCH", path: "/api/v1/webhooks/WH-1", body: `{"version":1,"enabled":false}`, status: 200,
					has: []string{`"enabled":false`, `"version":2`}, actions: []string{"webhook.update"}},
				{name: "stale", who: "manager", method: "PATCH", path: "/api/v1/webhooks/WH-1", body: `{"version":1,"enabled":true}`, status: 409,
					fields: []string{"body.version"}},
				{name: "deliveries", who: "owner", method: "GET", path: "/api/v1/webhooks/WH-1/deliveries", status: 200,
					has: []string{`"status":"sent"`, `"response_code":200`}},
				{name: "viewer test", who: "viewer", method: "POST", path: "/api/v1/webhooks/WH-1/test", status: 403},
			})
			rotated := w.call(t, "owner", "POST", "/api/v1/webhooks/WH-1/rotate", "")
			if rotated.status != 200 || !strings.Contains(string(rotated.body), `"secret":"whsec_`) {
				t.Fatalf("rotate = %d %s", rotated.status, rotated.body)
			}
			hooks.mu.Lock()
			hooks.secret = rotated.json(t)["secret"].(string)
			hooks.mu.Unlock()
			w.run(t, []step{
				{name: "test", who: "owner", method: "POST", path: "/api/v1/webhooks/WH-1/test", status: 200,
					has: []string{`"event_type":"ping"`, `"status":"sent"`, `"response_code":200`}},
				{name: "delete", who: "manager", method: "DELETE", path: "/api/v1/webhooks/WH-1", status: 204, actions: []string{"webhook.delete"}},
				{name: "deleted", who: "manager", method: "GET", path: "/api/v1/webhooks/WH-1", status: 404},
			})
			hooks.mu.Lock()
			defer hooks.mu.Unlock()
			if last := hooks.posts[len(hooks.posts)-1]; last.Type != "ping" || last.Reminder != nil || hooks.bad != 0 {
				t.Errorf("after the test event: last post %+v, %d with a bad signature", last, hooks.bad)
			}
			var hookActions []string
			for _, a := range w.Actions(w.Org.ID) {
				if strings.HasPrefix(a, "webhook.") {
					hookActions = append(hookActions, a)
				}
			}
			if strings.Join(hookActions, " ") != "webhook.create webhook.update webhook.rotate_secret webhook.delete" {
				t.Errorf("webhook audit actions %v", hookActions)
			}
		})
	}
}
