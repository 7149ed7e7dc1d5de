package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
)

func TestDashboard(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.owner()
		// Enough events that the dashboard shows only the latest ten.
		for i := 0; i < 8; i++ {
			e.addUser(orgName, fmt.Sprintf("extra%d@example.org", i), "Extra", aims.RoleViewer)
		}
		e.createSystem(owner, aisystem.CreateRequest{Name: "One", IntendedPurpose: "p", EUAIActClass: "high", LifecycleStage: "deployment"})
		e.createSystem(owner, aisystem.CreateRequest{Name: "Two", IntendedPurpose: "p", EUAIActClass: "high"})
		s := e.createSystem(owner, aisystem.CreateRequest{Name: "Three", IntendedPurpose: "p"})
		if _, err := e.app.Systems.Archive(e.ctx, owner, s.ID); err != nil {
			t.Fatal(err)
		}
		roles := map[aims.Role]bool{aims.RoleOwner: true, aims.RoleAuditor: true, aims.RoleViewer: false}
		for role, audit := range roles {
			email := string(role) + "@example.org"
			if role == aims.RoleOwner {
				email = "olivia@example.org"
			} else {
				e.addUser(orgName, email, "Person", role)
			}
			c := e.client()
			c.login(email)
			r := c.get("/")
			want(t, r, http.StatusOK, "Active AI systems", `<a href="/systems">2</a>`,
				`href="/systems?eu_ai_act_class=high">High risk</a></th><td class="num">2</td>`,
				`href="/systems?lifecycle_stage=deployment">Deployment</a></th><td class="num">1</td>`,
				`href="/systems?lifecycle_stage=inception">Inception</a></th><td class="num">1</td>`,
				`href="/systems?lifecycle_stage=retirement">Retirement</a></th><td class="num zero">0</td>`)
			wantCSPSafe(t, r)
			if audit {
				want(t, r, http.StatusOK, "Latest audit events", "Audit log status", "ai_system.archive", `href="/systems/SYS-3"`)
				if n := countRows(r.Body[strings.Index(r.Body, "latest-events"):]); n != 10 {
					t.Fatalf("the dashboard shows %d events, want at most 10", n)
				}
			} else {
				wantNot(t, r, "Latest audit events", "Audit log status", `href="/audit"`)
			}
		}
	})
}

// countRows counts the body rows of the first table of a page.
func countRows(body string) int {
	i := strings.Index(body, "<tbody>")
	j := strings.Index(body, "</tbody>")
	if i < 0 || j < i {
		return 0
	}
	return strings.Count(body[i:j], "<tr>")
}
