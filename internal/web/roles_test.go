package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
)

// Role sets, for reading the tables below.
var (
	everyone = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer}
	editors  = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor}
	leads    = []aims.Role{aims.RoleOwner, aims.RoleManager}
	readers  = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleAuditor}
	owners   = []aims.Role{aims.RoleOwner}
)

func allowed(roles []aims.Role, r aims.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func TestPagesForEachRole(t *testing.T) {
	pages := []struct {
		path    string
		allowed []aims.Role
		ok      int
		// texts are shown to the allowed roles.
		texts []string
	}{
		{"/", everyone, http.StatusOK, []string{"Dashboard", "Active AI systems"}},
		{"/systems", everyone, http.StatusOK, []string{"Credit scoring", "1–1 of 1"}},
		{"/systems?status=all&sort=-updated&q=credit", everyone, http.StatusOK, []string{"Credit scoring"}},
		{"/systems/new", editors, http.StatusOK, []string{"Register an AI system"}},
		{"/systems/SYS-1", everyone, http.StatusOK, []string{"SYS-1 Credit scoring", "History"}},
		{"/systems/sys-1", everyone, http.StatusOK, []string{"SYS-1 Credit scoring"}},
		{"/systems/SYS-1/edit", editors, http.StatusOK, []string{"Edit SYS-1"}},
		{"/audit", readers, http.StatusOK, []string{"Audit log", "Public verifier key", "installation.setup"}},
		{"/audit?before=3", readers, http.StatusOK, []string{"installation.setup", "← Newer entries"}},
		{"/members", everyone, http.StatusOK, []string{"Olivia Owner", "Viewer Person"}},
		{"/settings", everyone, http.StatusOK, []string{"Your profile", "Change your password", "API tokens"}},
		{"/nowhere", nil, 0, nil},
		{"/systems/SYS-1/nothing", nil, 0, nil},
	}
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores loans."})
		for _, role := range everyone {
			c := clients[role]
			for _, p := range pages {
				t.Run(string(role)+p.path, func(t *testing.T) {
					r := c.get(p.path)
					wantCSPSafe(t, r)
					switch {
					case p.allowed == nil:
						want(t, r, http.StatusNotFound, "Page not found")
					case allowed(p.allowed, role):
						want(t, r, p.ok, p.texts...)
						want(t, r, p.ok, roleName(role), "Sign out", `action="/logout"`, orgName)
					default:
						want(t, r, http.StatusForbidden, "You cannot do this", "Your role in this organisation, "+roleName(role))
					}
				})
			}
		}
		// Each role sees the actions it may take, and no others.
		for _, role := range everyone {
			show := func(path, text string, roles []aims.Role) {
				t.Helper()
				r := clients[role].get(path)
				if allowed(roles, role) {
					want(t, r, http.StatusOK, text)
				} else {
					wantNot(t, r, text)
				}
			}
			show("/systems/SYS-1", `href="/systems/SYS-1/edit"`, editors)
			show("/systems/SYS-1", `action="/systems/SYS-1/archive"`, leads)
			show("/systems", `href="/systems/new"`, editors)
			show("/", `href="/audit"`, readers)
			show("/members", `action="/members"`, owners)
			show("/members", `/role"`, owners)
			show("/settings", `action="/settings/tokens"`, everyone)
		}
		for _, role := range readers {
			r := clients[role].get("/audit")
			if allowed(leads, role) {
				want(t, r, http.StatusOK, `action="/audit/checkpoint"`)
			} else {
				wantNot(t, r, `action="/audit/checkpoint"`)
			}
		}
	})
}

func roleName(r aims.Role) string { return sentenceCase(string(r)) }

func TestActionsForEachRole(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		owner := e.owner()
		sys := e.createSystem(owner, aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores loans."})
		viewerID := ""
		ms, err := e.app.Identity.ListMembers(e.ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Role == aims.RoleViewer {
				viewerID = m.UserID
			}
		}
		actions := []struct {
			name    string
			allowed []aims.Role
			ok      int
			do      func(c *client, role aims.Role) response
		}{
			{"create system", editors, http.StatusSeeOther, func(c *client, role aims.Role) response {
				f := systemForm()
				f.Set("name", "System of "+string(role))
				return c.post("/systems", f)
			}},
			{"update system", editors, http.StatusSeeOther, func(c *client, role aims.Role) response {
				cur, err := e.app.Systems.Get(e.ctx, owner, sys.ID)
				if err != nil {
					t.Fatal(err)
				}
				f := systemForm()
				f.Set("version", strconv.Itoa(cur.Version))
				f.Set("description", "Edited by "+string(role))
				return c.post("/systems/SYS-1", f)
			}},
			{"archive system", leads, http.StatusSeeOther, func(c *client, _ aims.Role) response {
				return c.post("/systems/SYS-1/archive", nil)
			}},
			{"restore system", leads, http.StatusSeeOther, func(c *client, _ aims.Role) response {
				return c.post("/systems/SYS-1/restore", nil)
			}},
			{"verify audit log", readers, http.StatusOK, func(c *client, _ aims.Role) response {
				return c.post("/audit/verify", nil)
			}},
			{"sign checkpoint", leads, http.StatusSeeOther, func(c *client, _ aims.Role) response {
				return c.post("/audit/checkpoint", nil)
			}},
			{"add member", owners, http.StatusSeeOther, func(c *client, role aims.Role) response {
				e.addUser("Elsewhere", string(role)+"-friend@example.org", "Friend", aims.RoleViewer)
				return c.post("/members", url.Values{"email": {string(role) + "-friend@example.org"}, "role": {"viewer"}})
			}},
			{"change role", owners, http.StatusSeeOther, func(c *client, _ aims.Role) response {
				return c.post("/members/"+viewerID+"/role", url.Values{"role": {"viewer"}})
			}},
			{"create token", everyone, http.StatusOK, func(c *client, role aims.Role) response {
				return c.post("/settings/tokens", url.Values{"name": {"token of " + string(role)}, "expires": {"30d"}})
			}},
		}
		for _, a := range actions {
			for _, role := range everyone {
				t.Run(a.name+"/"+string(role), func(t *testing.T) {
					r := a.do(clients[role], role)
					if allowed(a.allowed, role) {
						want(t, r, a.ok)
					} else {
						want(t, r, http.StatusForbidden, "You cannot do this")
					}
				})
			}
		}
		// The viewer's last attempt left the system as the editors made it.
		cur, err := e.app.Systems.Get(e.ctx, owner, sys.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Description != "Edited by contributor" || cur.Status != aisystem.StatusActive {
			t.Fatalf("system after the role actions: %+v", cur)
		}
	})
}
