package api_test

import (
	"testing"
)

func TestCatalogEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		own := `{"title":"Model card for every release","category_id":"A.6","asks":"Publish a model card with each release."}`
		w.run(t, []step{
			{name: "clauses", who: "viewer", method: "GET", path: "/api/v1/catalog/clauses", status: 200,
				has: []string{`"id":"6.1.3"`, `"title":"AI risk treatment"`, `"documented_information":true`, `"id":"10"`}},
			{name: "clause search", who: "viewer", method: "GET", path: "/api/v1/catalog/clauses?q=management+review+results", status: 200,
				has: []string{`"id":"9.3.3"`}},
			{name: "clause", who: "auditor", method: "GET", path: "/api/v1/catalog/clauses/7.1", status: 200,
				has: []string{`"annex_a":["A.4.2","A.4.3","A.4.4","A.4.5","A.4.6"]`, `"framework":"nist-ai-rmf"`}},
			{name: "unknown clause", who: "auditor", method: "GET", path: "/api/v1/catalog/clauses/11.1", status: 404},
			{name: "anonymous", who: "none", method: "GET", path: "/api/v1/catalog/clauses", status: 401},
			{name: "controls of a category", who: "viewer", method: "GET", path: "/api/v1/catalog/controls?category=A.10", status: 200,
				has: []string{`"id":"A.10.2"`, `"id":"A.10.4"`, `"title":"Third-party and customer relationships"`}},
			{name: "bad category", who: "viewer", method: "GET", path: "/api/v1/catalog/controls?category=B.1", status: 422, fields: []string{"query.category"}},
			{name: "control", who: "viewer", method: "GET", path: "/api/v1/catalog/controls/a.6.2.8", status: 200,
				has: []string{`"id":"A.6.2.8"`, `"title":"AI system recording of event logs"`, `"framework":"iso27001","id":"8.15"`, `"framework":"eu-ai-act","id":"Art. 12"`}},
			{name: "control pointed to by a clause", who: "viewer", method: "GET", path: "/api/v1/catalog/controls/A.3.2", status: 200,
				has: []string{`"pointed_to_by":["5.3"]`}},
			{name: "contributor adds", who: "contributor", method: "POST", path: "/api/v1/catalog/controls", body: own, status: 403},
			{name: "manager adds", who: "manager", method: "POST", path: "/api/v1/catalog/controls", body: own, status: 201,
				has: []string{`"id":"CTL-1"`, `"custom":true`, `"version":1`}, actions: []string{"control.create"}},
			{name: "missing asks", who: "manager", method: "POST", path: "/api/v1/catalog/controls", status: 422,
				body: `{"title":"X","category_id":"A.99"}`, fields: []string{"body.asks", "body.category_id"}},
			{name: "own control listed", who: "viewer", method: "GET", path: "/api/v1/catalog/controls?category=own", status: 200, has: []string{`"id":"CTL-1"`}},
			{name: "other organisation", who: "globex", method: "GET", path: "/api/v1/catalog/controls/CTL-1", status: 404},
			{name: "change", who: "owner", method: "PATCH", path: "/api/v1/catalog/controls/CTL-1", status: 200,
				body: `{"version":1,"title":"Model card for each release","category_id":"A.6","asks":"Publish a model card."}`,
				has:  []string{`"version":2`, `"title":"Model card for each release"`}, actions: []string{"control.update"}},
			{name: "stale change", who: "owner", method: "PATCH", path: "/api/v1/catalog/controls/CTL-1", status: 409,
				body: `{"version":1,"title":"X","asks":"Y"}`, fields: []string{"body.version"}},
			{name: "Annex A cannot change", who: "owner", method: "PATCH", path: "/api/v1/catalog/controls/A.2.2", status: 403,
				body: `{"version":1,"title":"X","asks":"Y"}`},
			{name: "archive", who: "owner", method: "POST", path: "/api/v1/catalog/controls/CTL-1/archive", status: 200,
				has: []string{`"status":"archived"`}, actions: []string{"control.archive"}},
			{name: "restore", who: "manager", method: "POST", path: "/api/v1/catalog/controls/CTL-1/restore", status: 200,
				has: []string{`"status":"active"`}, actions: []string{"control.restore"}},
			{name: "Annex C", who: "viewer", method: "GET", path: "/api/v1/catalog/annex-c", status: 200,
				has: []string{`"id":"C.2.5","kind":"objective","title":"Fairness"`, `"id":"C.3.7","kind":"risk_source"`}},
			{name: "frameworks", who: "viewer", method: "GET", path: "/api/v1/catalog/frameworks", status: 200,
				has: []string{`"id":"nist-ai-rmf"`, `"authority":"official"`, `"authority":"analyst"`, `"authority":"indicative"`}},
			{name: "framework", who: "viewer", method: "GET", path: "/api/v1/catalog/frameworks/eu-ai-act", status: 200,
				has: []string{`"id":"Art. 14"`, `"title":"Human oversight"`}},
			{name: "unknown framework", who: "viewer", method: "GET", path: "/api/v1/catalog/frameworks/sox", status: 422},
		})
	})
}
