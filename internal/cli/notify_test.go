package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
)

// TestNotificationCommands lists and reads notifications swept from real
// expiring evidence, turns e-mail off, and adds, lists, tests, rotates,
// disables and removes a webhook from the command line.
func TestNotificationCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][3]string{{"Acme Bank", "ada@example.org", "owner"}, {"Acme Bank", "vic@example.org", "viewer"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", u[0], "--email", u[1], "--role", u[2],
					"--name", strings.Split(u[1], "@")[0], "--password-stdin")
			}
			ada := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "t").stdout)
			vic := strings.TrimSpace(sh.ok("", "token", "create", "--email", "vic@example.org", "--name", "t").stdout)
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = ada
			spaces := regexp.MustCompile(` {2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), w) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}
			ctx := context.Background()
			owner, err := env.App.Identity.AuthenticateToken(ctx, ada)
			if err != nil {
				t.Fatal(err)
			}
			until := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
			if _, err := env.App.Evidence.Add(ctx, owner, evidence.AddRequest{Kind: "note", Title: "Model card", Note: "n", ValidUntil: until}); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Notifications.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			contains(sh.ok("", "notification", "--help"), "webhook", "notification centre")
			r := sh.ok("", "notification", "list")
			// Other capabilities may remind Ada of their own things too.
			contains(r, "ID STATUS KIND REF DUE TITLE", "unread evidence_expiring EV-1 "+until+" EV-1 Model card is valid until "+until, " unread")
			contains(sh.ok("", "notification", "list", "-o", "json"), `"ref": "EV-1"`)
			id := regexp.MustCompile(`([0-9a-f]{8}-[0-9a-f-]{27}) +unread +evidence_expiring +EV-1`).FindStringSubmatch(r.stdout)[1]
			if r := sh.run("", "notification", "read"); r.code == 0 || !strings.Contains(r.stderr, "give a notification's id or --all") {
				t.Errorf("read without an id: %+v", r)
			}
			contains(sh.ok("", "notification", "read", id), "read: EV-1 Model card")
			contains(sh.ok("", "notification", "read", "--all"), "notifications read")
			contains(sh.ok("", "notification", "list", "--unread"), "0 notifications, 0 unread")
			contains(sh.ok("", "notification", "email", "off"), "e-mail is off", "not set up to send e-mail")

			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
			defer receiver.Close()
			if r := sh.run("", "notification", "webhook", "add", "--url", "http://hooks.example.org"); r.code == 0 || !strings.Contains(r.stderr, "url: must use https") {
				t.Errorf("http webhook: %+v", r)
			}
			r = sh.ok("", "notification", "webhook", "add", "--url", receiver.URL, "--description", "Chat", "--kind", "evidence_expiring")
			if !strings.HasPrefix(r.stdout, "whsec_") || !strings.Contains(r.stderr, "WH-1: keep this signing secret now") {
				t.Errorf("add: %+v", r)
			}
			contains(sh.ok("", "notification", "webhook", "list"), "REF URL KINDS ENABLED DESCRIPTION", "WH-1 "+receiver.URL+" evidence_expiring true Chat")
			contains(sh.ok("", "notification", "webhook", "test", "WH-1"), "the endpoint answered 200")
			if r := sh.ok("", "notification", "webhook", "rotate", "wh-1"); !strings.HasPrefix(r.stdout, "whsec_") {
				t.Errorf("rotate: %+v", r)
			}
			contains(sh.ok("", "notification", "webhook", "disable", "WH-1"), "WH-1 disabled")
			contains(sh.ok("", "notification", "webhook", "list", "-o", "json"), `"enabled": false`)
			contains(sh.ok("", "notification", "webhook", "remove", "WH-1"), "WH-1 removed")
			sh.vars["AIMS_TOKEN"] = vic
			if r := sh.run("", "notification", "webhook", "list"); r.code == 0 || !strings.Contains(r.stderr, "403") {
				t.Errorf("viewer lists webhooks: %+v", r)
			}
			if r := sh.ok("", "notification", "list"); strings.Contains(r.stdout, "EV-1") {
				t.Errorf("the viewer was told of EV-1: %s", r.stdout)
			}
		})
	}
}
